import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { tempDir } from "../helpers.ts";
import { CLI_BUNDLE, copyFixture } from "../integration/support.ts";

/**
 * `deploy --format helm` from the shipped bundle: for every strategy, target and traffic option the chart passes
 * `helm lint --strict` (bare and with each environment's values), and `helm template` with an environment's values
 * builds exactly the objects `kubectl kustomize` builds from that environment's overlay, so the chart passes every
 * check the kustomize tree passes. helm comes from .ci/install-tools (built from the Go module proxy).
 */

const helmMissing = spawnSync("helm", ["version"], { encoding: "utf8" }).status !== 0;
function requireHelm(t: { skip(message: string): void }): boolean {
  if (!helmMissing) return true;
  const message = "helm not found: run .ci/install-tools";
  if (process.env.CI) throw new Error(message);
  t.skip(message);
  return false;
}

const IMAGE = "ghcr.io/acme/shop:1.4.2";
const CASES: { label: string; args: string[] }[] = [
  { label: "rolling, Gateway API hosts", args: ["--strategy", "rolling", "--gateway", "gateway/public", "--ingress-host", "{env}.shop.example.com,production=shop.example.com"] },
  { label: "recreate, no public host", args: ["--strategy", "recreate"] },
  { label: "blue-green (two Deployments, live colour)", args: ["--strategy", "blue-green", "--gateway", "gateway/public", "--ingress-host", "{env}.shop.example.com"] },
  { label: "canary by replicas", args: ["--strategy", "canary", "--traffic", "replicas"] },
  { label: "canary, legacy nginx Ingress with TLS", args: ["--strategy", "canary", "--traffic", "nginx", "--ingress-class", "nginx", "--ingress-host", "{env}.shop.example.com"] },
  { label: "canary, Istio", args: ["--strategy", "canary", "--traffic", "istio"] },
  { label: "Argo canary, Gateway API plugin (namespace per release)", args: ["--strategy", "canary", "--target", "argo-rollouts", "--traffic", "gateway-api", "--gateway", "gateway/public", "--ingress-host", "{env}.shop.example.com"] },
  { label: "Argo blue-green with analysis", args: ["--strategy", "blue-green", "--target", "argo-rollouts"] },
];

function generate(format: "kustomize" | "helm", args: string[]): string {
  const dir = copyFixture("node-npm");
  const r = spawnSync(process.execPath, [CLI_BUNDLE, "deploy", dir, "--app", "shop", "--port", "8080", "--image", IMAGE, "--format", format, "--json", "--diffs", "*", ...args], { encoding: "utf8" });
  assert.equal(r.status, 0, `${format} ${args.join(" ")}: ${r.stderr.slice(-2000)}`);
  const result = JSON.parse(r.stdout) as { status: string; validations: { validator: string; ok: boolean; skipped?: boolean }[] };
  assert.equal(result.status, "ok");
  if (format === "helm") {
    const helm = result.validations.filter((v) => v.validator.startsWith("helm"));
    assert.ok(helm.length >= 2 && helm.every((v) => v.ok && !v.skipped), `the chart was linted and rendered before writing: ${JSON.stringify(helm)}`);
  }
  return dir;
}

/** Objects keyed kind/namespace/name, comments and document order dropped. */
function objects(yamlText: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const doc of parseAllDocuments(yamlText)) {
    const obj = doc.toJS() as { kind: string; metadata: { name: string; namespace?: string } } | null;
    if (!obj) continue;
    out.set(`${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`, obj);
  }
  return out;
}

describe("deploy --format helm: a chart equivalent to the kustomize tree", () => {
  for (const c of CASES) {
    it(c.label, (t) => {
      if (!requireHelm(t)) return;
      const kustomize = generate("kustomize", c.args);
      const helm = generate("helm", c.args);
      const chart = join(helm, "deploy/shop/chart");
      assert.ok(!existsSync(join(helm, "deploy/shop/base")), "the chart replaces the kustomize tree");
      assert.deepEqual(readdirSync(chart).sort(), ["Chart.yaml", "README.md", "templates", "values-production.yaml", "values-staging.yaml", "values.schema.json", "values.yaml"]);
      execFileSync("helm", ["lint", "--strict", chart], { encoding: "utf8" });
      for (const env of ["staging", "production"]) {
        execFileSync("helm", ["lint", "--strict", chart, "-f", join(chart, `values-${env}.yaml`)], { encoding: "utf8" });
        const fromHelm = objects(execFileSync("helm", ["template", "shop", chart, "--namespace", env, "-f", join(chart, `values-${env}.yaml`)], { encoding: "utf8" }));
        const fromKustomize = objects(execFileSync("kubectl", ["kustomize", join(kustomize, "deploy/shop/overlays", env)], { encoding: "utf8" }));
        assert.deepEqual([...fromHelm.keys()].sort(), [...fromKustomize.keys()].sort(), `${env}: the same objects`);
        for (const [key, obj] of fromKustomize) assert.deepEqual(fromHelm.get(key), obj, `${env}: ${key}`);
      }
      const values = readFileSync(join(chart, "values-production.yaml"), "utf8");
      assert.match(values, /^environment: "production"$/m);
      assert.match(values, new RegExp(`"${IMAGE.replace(/[.]/g, "\\.")}"`));
    });
  }

  it("values.schema.json: helm refuses values that would render a broken release", (t) => {
    if (!requireHelm(t)) return;
    const dir = generate("helm", ["--strategy", "blue-green"]);
    const chart = join(dir, "deploy/shop/chart");
    for (const [bad, why] of [
      [["--set", "images.shop-blue=ghcr.io/acme/shop:latest"], "a :latest image"],
      [["--set", "colors.shop=purple"], "a colour other than blue/green"],
      [["--set", "host=Not A Host"], "a host that is not a DNS name"],
      [["--set", "imagez.shop=x"], "an unknown key"],
    ] as const) {
      const r = spawnSync("helm", ["template", "shop", chart, "-f", join(chart, "values-staging.yaml"), ...bad], { encoding: "utf8" });
      assert.notEqual(r.status, 0, `${why} must be refused`);
      assert.match(r.stderr, /values don't meet the specifications of the schema|schema/i, why);
    }
  });

  it("a chart helm rejects is not written (status invalid, helm's message in the validations)", () => {
    const bin = tempDir("sd-fake-helm-");
    writeFileSync(join(bin, "helm"), "#!/bin/sh\necho '[ERROR] templates/: parse error in deployment.yaml'\necho 'Error: 1 chart(s) linted, 1 chart(s) failed' >&2\nexit 1\n");
    chmodSync(join(bin, "helm"), 0o755);
    const dir = copyFixture("node-npm");
    const r = spawnSync(process.execPath, [CLI_BUNDLE, "deploy", dir, "--app", "shop", "--port", "8080", "--image", IMAGE, "--format", "helm", "--json"], { encoding: "utf8", env: { ...process.env, SENIOR_DEVOPS_HELM: join(bin, "helm") } });
    const result = JSON.parse(r.stdout) as { status: string; validations: { validator: string; ok: boolean; messages: string[] }[] };
    assert.equal(result.status, "invalid");
    assert.ok(result.validations.some((v) => v.validator === "helm-lint" && !v.ok && v.messages.join("\n").includes("parse error in deployment.yaml")), JSON.stringify(result.validations));
    assert.ok(!existsSync(join(dir, "deploy")), "nothing written");
  });

  it("live actions refuse --format helm and name the helm command instead; nothing is written", () => {
    const dir = tempDir("sd-helm-apply-");
    const r = spawnSync(process.execPath, [CLI_BUNDLE, "deploy", dir, "--app", "shop", "--port", "8080", "--image", IMAGE, "--format", "helm", "--env", "staging", "--action", "apply", "--yes", "--allow-any-root"], { encoding: "utf8" });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /helm upgrade --install shop deploy\/shop\/chart --namespace <ns> -f deploy\/shop\/chart\/values-<env>\.yaml/);
    assert.deepEqual(readdirSync(dir), []);
  });
});
