// Rego in the knowledge layer is checked with OPA itself (installed by .ci/tools/opa.sh): every block compiles
// with `opa check --strict` (Rego v1, as OPA 1.x and current conftest read it), and the Terraform plan policy
// in terraform-iac/references/policy-as-code.md is evaluated against a small plan to show it denies what it
// says it denies and lets the rest through.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { codeBlocks, markdownFiles, readRepoFile, where } from "./markdown.ts";

const blocks = markdownFiles()
  .flatMap((f) => codeBlocks(f, readRepoFile(f)))
  .filter((b) => b.lang === "rego");

function haveOpa(): boolean {
  return spawnSync("opa", ["version"], { stdio: "ignore" }).status === 0;
}

function needOpa(t: { skip: (msg: string) => void }): boolean {
  if (haveOpa()) return true;
  const msg = "opa not found on PATH (.ci/tools/opa.sh installs it); Rego snippets were NOT checked";
  if (process.env.CI === "true") assert.fail(`${msg} — CI=true, so this is a failure, not a skip`);
  console.error(`\n!!!!!!!! SKIPPED: ${msg} !!!!!!!!\n`);
  t.skip(msg);
  return false;
}

const dir = mkdtempSync(path.join(tmpdir(), "sd-rego-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

test("the knowledge carries Rego to check", () => {
  assert.ok(blocks.length >= 1, "expected the policy-as-code reference to carry a Rego policy");
});

test("every Rego block passes opa check --strict", (t) => {
  if (!needOpa(t)) return;
  const failures: string[] = [];
  for (const b of blocks) {
    const file = path.join(dir, `block-${b.index}.rego`);
    writeFileSync(file, b.code);
    const r = spawnSync("opa", ["check", "--strict", file], { encoding: "utf8" });
    if (r.status !== 0) failures.push(`${where(b)}: ${(r.stdout + r.stderr).trim()}`);
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("the Terraform plan policy denies destroying data and open ingress, warns on missing owners, passes the rest", (t) => {
  if (!needOpa(t)) return;
  const policy = blocks.find((b) => b.file.endsWith("terraform-iac/references/policy-as-code.md") && /^package terraform$/m.test(b.code));
  assert.ok(policy, "policy-as-code.md must hold the `package terraform` plan policy");
  const file = path.join(dir, "plan-policy.rego");
  writeFileSync(file, policy.code);
  const change = (address: string, type: string, actions: string[], after: Record<string, unknown>) => ({ address, type, change: { actions, after } });
  const plan = {
    resource_changes: [
      change("aws_db_instance.main", "aws_db_instance", ["delete", "create"], { tags_all: { owner: "shop" } }),
      change("aws_vpc_security_group_ingress_rule.ssh", "aws_vpc_security_group_ingress_rule", ["create"], { cidr_ipv4: "0.0.0.0/0", from_port: 22, tags_all: { owner: "shop" } }),
      change("aws_vpc_security_group_ingress_rule.https", "aws_vpc_security_group_ingress_rule", ["create"], { cidr_ipv4: "0.0.0.0/0", from_port: 443, tags_all: { owner: "shop" } }),
      change("aws_s3_bucket.assets", "aws_s3_bucket", ["create"], { tags_all: {} }),
      change("aws_s3_bucket.logs", "aws_s3_bucket", ["update"], { tags_all: { owner: "shop" } }),
    ],
  };
  const input = path.join(dir, "plan.json");
  writeFileSync(input, JSON.stringify(plan));
  const evalRule = (rule: string): string[] => {
    const r = spawnSync("opa", ["eval", "--format", "json", "-d", file, "-i", input, `data.terraform.${rule}`], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { result: { expressions: { value: string[] }[] }[] };
    return [...(out.result[0]?.expressions[0]?.value ?? [])].sort();
  };
  const deny = evalRule("deny");
  assert.equal(deny.length, 2, deny.join("\n"));
  assert.ok(deny.some((m) => m.startsWith("aws_db_instance.main would be destroyed")), deny.join("\n"));
  assert.ok(deny.some((m) => m.startsWith("aws_vpc_security_group_ingress_rule.ssh opens port 22")), deny.join("\n"));
  assert.deepEqual(evalRule("warn"), ["aws_s3_bucket.assets has no owner tag"]);
});
