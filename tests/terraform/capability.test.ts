import assert from "node:assert/strict";
import { generateTerraform } from "../../mcp-server/src/engine/terraform/generate.ts";
import { templateEngine } from "../../mcp-server/src/engine/templating/render.ts";
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import semver from "semver";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { describeZodError } from "../../mcp-server/src/engine/core/errors.ts";
import { InputError, type ToolResult } from "../../mcp-server/src/engine/core/types.ts";
import { isPinnedUse } from "../../mcp-server/src/engine/pipeline/pinned-actions.ts";
import { terraformCapability, terraformInputShape } from "../../mcp-server/src/engine/terraform/index.ts";
import { localTerraformVersion, localTerraformWarnings, resolveTerraformVersion, VERSION_TABLE } from "../../mcp-server/src/engine/terraform/versions.ts";
import { silent, tempDir } from "../helpers.ts";
import { loudSkip, terraformBinary } from "./support.ts";
import { gitlabCiLocal } from "../gitlab-ci-local.ts";

const schema = z.object(terraformInputShape);
const terraform = terraformBinary();

/** A target repository named like a service, with git-free contents. */
function repo(name = "shop-api"): string {
  const dir = join(tempDir("sd-tf-cap-"), name);
  mkdirSync(dir);
  writeFileSync(join(dir, "README.md"), "# shop\n");
  return dir;
}

async function run(raw: Record<string, unknown>): Promise<ToolResult> {
  return terraformCapability.run(schema.parse(raw), { progress: silent });
}

const listAll = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();

describe("terraform-scaffolder capability", () => {
  for (const provider of ["aws", "gcp", "azure"] as const) {
    it(`${provider}: writes a valid tree (every validator passes), and a second identical run changes nothing`, async (t) => {
      const dir = repo();
      const first = await run({ path: dir, provider, ci: "github-actions" });
      assert.equal(first.status, "ok", first.validations.filter((v) => !v.ok).map((v) => `${v.path} ${v.validator}: ${v.messages.join("; ")}`).join("\n"));
      assert.ok(first.files.every((f) => f.action === "create"));
      const validators = new Set(first.validations.map((v) => v.validator));
      for (const v of ["hcl", "terraform-references", "actionlint", "workflow-security", "yaml"]) assert.ok(validators.has(v), `validator ${v} ran`);
      const fmt = first.validations.filter((v) => v.validator === "terraform-fmt");
      assert.ok(fmt.length > 0);
      if (terraform) assert.ok(fmt.every((v) => v.ok && !v.skipped), "terraform fmt ran and passed on every file");
      else loudSkip(t, "terraform is not on PATH: the writer's terraform-fmt validations were skipped");
      assert.equal(first.details?.project, "shop-api");
      assert.ok(existsSync(join(dir, "infrastructure/environments/production/backend.tf")));
      assert.ok(existsSync(join(dir, ".github/workflows/terraform.yml")));
      assert.match(readFileSync(join(dir, "infrastructure/README.md"), "utf8"), /`\.github\/workflows\/terraform\.yml`: pull requests run/);

      const second = await run({ path: dir, provider, ci: "github-actions" });
      assert.equal(second.status, "ok");
      assert.deepEqual(second.files.filter((f) => f.action !== "unchanged").map((f) => `${f.path}: ${f.action}`), []);
    });
  }

  it("GitHub workflow: @actions/workflow-parser reports no errors; pinned actions; OIDC only where needed; plan text never interpolated", async () => {
    const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import("@actions/workflow-parser");
    for (const provider of ["aws", "gcp", "azure"] as const) {
      const dir = repo();
      const result = await run({ path: dir, provider, ci: "github-actions", environments: ["staging", "production"], dryRun: true });
      assert.equal(result.status, "ok");
      assert.deepEqual(listAll(dir), ["README.md"], "a dry run writes nothing");
      const validation = result.validations.filter((v) => v.path === ".github/workflows/terraform.yml");
      assert.ok(validation.some((v) => v.validator === "actionlint" && v.ok));
      // The dry run returns the content as a diff of a new file; rebuild it from the diff's added lines.
      const diff = result.files.find((f) => f.path === ".github/workflows/terraform.yml")!.diff!;
      const content = `${diff.split("\n").filter((l) => l.startsWith("+") && !l.startsWith("+++")).map((l) => l.slice(1)).join("\n")}\n`;
      const parsed = parseWorkflow({ name: "terraform.yml", content }, new NoOperationTraceWriter());
      assert.deepEqual(parsed.context.errors.getErrors().map((e) => e.message), [], `${provider}: parse`);
      const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
      assert.deepEqual((template.errors ?? []).map((e: { Message: string }) => e.Message), [], `${provider}: convert`);
      for (const line of content.split("\n").filter((l) => /^\s*(- )?uses:/.test(l))) {
        assert.ok(isPinnedUse(line), line);
        assert.match(line, /@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      }
      type Job = { permissions?: Record<string, string>; environment?: string; concurrency?: { group: string; "cancel-in-progress": boolean | string }; steps: { run?: string; uses?: string; with?: Record<string, string> }[] };
      const doc = parseYaml(content) as { permissions: unknown; on: Record<string, unknown>; jobs: Record<string, Job> };
      assert.deepEqual(doc.permissions, { contents: "read" });
      assert.ok(doc.on.schedule, "scheduled drift check");
      assert.equal(doc.jobs.validate!.permissions, undefined, "validate needs no token scopes");
      for (const id of ["plan", "apply", "drift"]) assert.equal(doc.jobs[id]!.permissions!["id-token"], "write", `${id} uses OIDC`);
      assert.equal(doc.jobs.apply!.environment, "${{ matrix.environment }}", "apply waits for the environment's approval");
      assert.equal(doc.jobs.apply!.concurrency!["cancel-in-progress"], false);
      assert.ok(doc.jobs.drift!.steps.some((s) => s.run?.includes("-detailed-exitcode")));
      const scripts = Object.values(doc.jobs).flatMap((j) => j.steps).filter((s) => s.with?.script).map((s) => s.with!.script!);
      assert.ok(scripts.length >= 2);
      for (const script of scripts) {
        assert.doesNotMatch(script, /\$\{\{/, "github-script reads the plan from a file, never from an expression");
        assert.match(script, /readFileSync\(process\.env\.PLAN_FILE/);
      }
      // The workflow reads `secrets.<NAME>`; the next steps must tell the user to create exactly those as secrets
      // (a value set as a repository VARIABLE is invisible to `secrets.` and the cloud login fails).
      const needed = {
        aws: ["AWS_PLAN_ROLE_ARN", "AWS_APPLY_ROLE_ARN"],
        gcp: ["GCP_WORKLOAD_IDENTITY_PROVIDER", "GCP_PLAN_SERVICE_ACCOUNT", "GCP_APPLY_SERVICE_ACCOUNT"],
        azure: ["AZURE_PLAN_CLIENT_ID", "AZURE_APPLY_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID"],
      }[provider];
      const referenced = [...new Set([...content.matchAll(/\$\{\{ secrets\.(\w+) \}\}/g)].map((m) => m[1]!))].sort();
      assert.deepEqual(referenced, [...needed].sort());
      const setup = result.nextSteps.find((s) => s.includes("OIDC"));
      assert.ok(setup && /\bsecrets\b/.test(setup) && !/\bvariables\b/.test(setup), `next steps ask for secrets: ${setup}`);
      for (const name of needed) assert.ok(setup.includes(name), `next steps name ${name}`);
      // A drift check queued behind an apply must not replace (cancel) that pending apply: different groups.
      assert.ok(doc.jobs.drift!.concurrency && doc.jobs.apply!.concurrency);
      assert.notEqual(doc.jobs.drift!.concurrency.group, doc.jobs.apply!.concurrency.group);
      assert.doesNotMatch(content, /aws-access-key-id|aws-secret-access-key|credentials_json|client-secret/);

      // Apply applies the plan that was reviewed: the apply job downloads the plan job's saved file and never plans.
      const applyRuns = doc.jobs.apply!.steps.map((s) => s.run ?? "").join("\n");
      assert.doesNotMatch(applyRuns, /terraform plan/, "apply does not re-plan after the approval");
      assert.match(applyRuns, /terraform apply [^\n]*tfplan$/m);
      assert.ok(doc.jobs.apply!.steps.some((s) => s.uses?.startsWith("actions/download-artifact@") && s.with?.name === "terraform-plan-${{ matrix.environment }}"));
      assert.equal((doc.jobs.apply as unknown as { needs: string }).needs, "plan");
      const upload = doc.jobs.plan!.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
      assert.match(upload.with!.path!, /\/tfplan$/m, "the plan job keeps the binary plan for the apply");
      assert.ok(doc.jobs.plan!.steps.some((s) => s.run?.includes("DATA_STORE_TYPES") || (s as { env?: Record<string, string> }).env?.DATA_STORE_TYPES));
      // The validate job lints with tflint (the cloud's ruleset) and scans with checkov, pinned.
      const validateRuns = doc.jobs.validate!.steps.map((s) => s.run ?? "").join("\n");
      assert.match(validateRuns, /tflint --init/);
      assert.match(validateRuns, /tflint --recursive/);
      assert.match(validateRuns, /checkov==\d+\.\d+\.\d+/);
      assert.match(validateRuns, /checkov --directory infrastructure/);

      // Every secret the workflow reads is an output of the bootstrap's OIDC trust, which says so.
      const { files } = await generateTerraform(templateEngine(), {
        provider, environments: ["staging", "production"], modules: ["storage"], service: "shop-api",
        region: provider === "aws" ? "eu-west-1" : provider === "gcp" ? "europe-west4" : "westeurope", team: "t", costCenter: "c", ci: "github-actions",
      });
      const ciTf = files.find((f) => f.path === "infrastructure/bootstrap/outputs.tf")!;
      for (const name of needed) assert.match(ciTf.content, new RegExp(`description = "Secret ${name}\\b`), `bootstrap output for ${name}`);
    }
  });

  it("GitLab CI: writes .gitlab-ci.yml when there is none; leaves the user's own alone and writes an include file instead", async () => {
    const fresh = repo();
    const a = await run({ path: fresh, provider: "aws", ci: "gitlab-ci" });
    assert.equal(a.status, "ok", JSON.stringify(a.validations.filter((v) => !v.ok)));
    assert.ok(existsSync(join(fresh, ".gitlab-ci.yml")));
    const again = await run({ path: fresh, provider: "aws", ci: "gitlab-ci" });
    assert.deepEqual(again.files.filter((f) => f.action !== "unchanged").map((f) => f.path), [], "our own .gitlab-ci.yml stays ours");
    const ci = parseYaml(readFileSync(join(fresh, ".gitlab-ci.yml"), "utf8")) as Record<string, Record<string, unknown>>;
    assert.equal((ci[".terraform"]!.image as { name: string }).name, `hashicorp/terraform:${VERSION_TABLE.terraform}`);
    assert.ok(ci[".terraform"]!.id_tokens, "OIDC id_tokens");
    assert.equal(ci["terraform:apply"]!.resource_group, "terraform-$TF_ENVIRONMENT");
    assert.match(JSON.stringify(ci["terraform:drift"]!.script), /-detailed-exitcode/);

    const theirs = repo();
    const userCi = "stages: [build]\nbuild:\n  stage: build\n  script: [make]\n";
    writeFileSync(join(theirs, ".gitlab-ci.yml"), userCi);
    const b = await run({ path: theirs, provider: "gcp" });
    assert.equal(b.status, "ok");
    assert.equal(b.details?.ci, "gitlab-ci", "defaults to the CI the repository already uses");
    assert.equal(readFileSync(join(theirs, ".gitlab-ci.yml"), "utf8"), userCi);
    assert.ok(existsSync(join(theirs, "infrastructure/.gitlab-ci.terraform.yml")));
    assert.ok(b.nextSteps.some((s) => s.includes("- local: infrastructure/.gitlab-ci.terraform.yml")));
  });

  it("GitLab CI: gitlab-ci-local --list-all accepts the generated pipeline for every provider (its bundled GitLab schema)", async () => {
    for (const provider of ["aws", "gcp", "azure"] as const) {
      const dir = repo();
      const result = await run({ path: dir, provider, ci: "gitlab-ci", modules: ["registry"] });
      assert.equal(result.status, "ok");
      const { status, output } = gitlabCiLocal(dir, ["--list-all"]);
      assert.equal(status, 0, `${provider}: gitlab-ci-local failed:\n${output}`);
      assert.doesNotMatch(output, /Invalid \.gitlab-ci\.yml|is not expected|must have|error/i, `${provider}:\n${output}`);
      for (const job of ["terraform:validate", "terraform:plan", "terraform:apply", "terraform:drift"]) assert.match(output, new RegExp(job), `${provider}: ${job} listed`);
    }
  });

  it("CLI options: every flag maps to an input field and none collides with the common options the CLI adds", async () => {
    const { Command } = await import("commander");
    const { commonCliOptions } = await import("../../mcp-server/src/engine/core/capability.ts");
    const command = new Command("terraform");
    for (const option of [...terraformCapability.cli.options, ...commonCliOptions]) command.option(option.flags, option.description);
    for (const option of terraformCapability.cli.options) assert.ok(option.key in terraformInputShape, option.key);
    const flags = terraformCapability.cli.options.map((o) => o.flags.split(" ")[0]);
    for (const flag of ["--provider", "--env", "--modules", "--ci", "--project", "--region", "--resolve-latest"]) assert.ok(flags.includes(flag), flag);
  });

  it("ci none writes no CI file; unknown values are rejected with the valid ones listed", async () => {
    const dir = repo();
    const result = await run({ path: dir, provider: "azure", ci: "none", modules: ["aks", "acr"], environments: ["prod"] });
    assert.equal(result.status, "ok");
    assert.deepEqual(result.details?.modules, ["cluster", "registry"], "aliases normalised");
    assert.ok(!existsSync(join(dir, ".github")) && !existsSync(join(dir, ".gitlab-ci.yml")));
    assert.match(readFileSync(join(dir, "infrastructure/README.md"), "utf8"), /No CI was generated/);

    const bad = (raw: Record<string, unknown>) => {
      const parsed = schema.safeParse({ path: dir, ...raw });
      assert.equal(parsed.success, false, JSON.stringify(raw));
      return describeZodError(parsed.error!);
    };
    assert.match(bad({ provider: "digitalocean" }), /provider: .*"aws".*"gcp".*"azure"/);
    assert.match(bad({ provider: "aws", modules: ["network", "lambda"] }), /modules\.1: .*"network".*"registry".*"eks"/);
    assert.match(bad({ provider: "aws", environments: ["Prod!"] }), /environments\.0: environment names must be/);
    assert.match(bad({ provider: "aws", environments: ["../etc"] }), /environments\.0/);
    assert.match(bad({ provider: "aws", ci: "jenkins" }), /ci: .*"github-actions".*"gitlab-ci".*"none"/);
    assert.match(bad({ provider: "aws", project: "Shop_API" }), /project: project names must be/);
  });

  it("bad input that passes the schema is an InputError and nothing is written", async () => {
    const dir = repo();
    const expectInputError = async (raw: Record<string, unknown>, pattern: RegExp) => {
      await assert.rejects(run({ path: dir, ...raw }), (error: unknown) => error instanceof InputError && pattern.test(error.message));
    };
    await expectInputError({ provider: "aws", environments: ["staging", "staging"] }, /listed twice/);
    await expectInputError({ provider: "aws", region: "eastus" }, /not a aws region name \(e\.g\. us-east-1/);
    await expectInputError({ provider: "gcp", region: "us-east-1" }, /not a gcp region name/);
    const odd = join(tempDir("sd-tf-cap-"), "123___");
    mkdirSync(odd);
    await assert.rejects(run({ path: odd, provider: "aws" }), (e: unknown) => e instanceof InputError && /--project/.test(e.message));
    // Bypassing the schema (as a buggy adapter would) still cannot smuggle an unknown module through.
    await assert.rejects(
      terraformCapability.run({ ...schema.parse({ path: dir, provider: "aws" }), modules: ["lambda"] }, { progress: silent }),
      (e: unknown) => e instanceof InputError && /unknown module "lambda": valid modules are network, cluster, database, storage, registry/.test(e.message),
    );
    assert.deepEqual(listAll(dir), ["README.md"]);
    assert.deepEqual(listAll(odd), []);
  });

  it("resolveLatest: asks releases.hashicorp.com with a short timeout and falls back to the table with a warning", async () => {
    const started = Date.now();
    const resolved = await resolveTerraformVersion(true);
    assert.ok(Date.now() - started < 10_000, "bounded by the timeout");
    if (resolved.source === "releases") {
      assert.ok(semver.valid(resolved.version) && semver.gte(resolved.version, VERSION_TABLE.terraform));
      assert.equal(resolved.warning, undefined);
    } else {
      assert.equal(resolved.version, VERSION_TABLE.terraform);
      assert.match(resolved.warning ?? "", /could not resolve the latest Terraform release .*built-in version table/);
    }
    const table = await resolveTerraformVersion(false);
    assert.deepEqual(table, { version: VERSION_TABLE.terraform, source: "table" });

    const dir = repo();
    const result = await run({ path: dir, provider: "aws", modules: ["storage"], resolveLatest: true, dryRun: true });
    assert.equal(result.details?.terraformVersion, resolved.version);
    if (resolved.source === "table") assert.ok(result.warnings.some((w) => w.includes("built-in version table")));
  });

  it("checks the terraform on PATH against the generated code's minimum and the resolved release", async () => {
    const local = await localTerraformVersion();
    if (terraform) {
      const reported = JSON.parse(execFileSync(terraform, ["version", "-json"], { encoding: "utf8" })) as { terraform_version: string };
      assert.equal(local, reported.terraform_version);
    } else {
      assert.equal(local, undefined);
    }
    assert.deepEqual(localTerraformWarnings(undefined, { version: "1.15.9", source: "releases" }), []);
    assert.match(localTerraformWarnings("1.9.8", { version: VERSION_TABLE.terraform, source: "table" })[0] ?? "", /older than 1\.10\.0/);
    assert.match(localTerraformWarnings("1.11.4", { version: "1.15.9", source: "releases" })[0] ?? "", /behind the latest release 1\.15\.9/);
    assert.deepEqual(localTerraformWarnings("1.11.4", { version: VERSION_TABLE.terraform, source: "table" }), []);
  });

  it("terraform init -backend=false && terraform validate, where providers can be installed", async (t) => {
    if (!terraform) return loudSkip(t, "terraform is not on PATH");
    const dir = repo();
    const result = await run({ path: dir, provider: "aws", modules: ["storage"], environments: ["staging"], ci: "none" });
    assert.equal(result.status, "ok");
    const module = join(dir, "infrastructure/modules/storage");
    const init = spawnSync(terraform, ["init", "-backend=false", "-input=false", "-no-color"], { cwd: module, encoding: "utf8", timeout: 60_000 });
    if (init.status !== 0) {
      const reason = `${init.stderr}${init.stdout}`.split("\n").find((l) => /Failed to query|could not connect|no such host|dial tcp|registry/i.test(l))
        ?? `${init.stderr}`.trim().split("\n").slice(-1)[0];
      return loudSkip(t, `terraform init cannot install providers here (${reason?.trim()}); validate needs them (GCP with built plugins: tests/terraform/validate.test.ts)`);
    }
    for (const sub of ["infrastructure/modules/storage", "infrastructure/environments/staging", "infrastructure/bootstrap"]) {
      const cwd = join(dir, sub);
      const i: SpawnSyncReturns<string> = spawnSync(terraform, ["init", "-backend=false", "-input=false", "-no-color"], { cwd, encoding: "utf8", timeout: 120_000 });
      assert.equal(i.status, 0, `${sub}: ${i.stderr}`);
      const v: SpawnSyncReturns<string> = spawnSync(terraform, ["validate", "-no-color"], { cwd, encoding: "utf8", timeout: 120_000 });
      assert.equal(v.status, 0, `${sub}: ${v.stdout}${v.stderr}`);
    }
  });
});
