import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { tempDir } from "../helpers.ts";
import { CLI_BUNDLE, copyFixture } from "../integration/support.ts";

/**
 * Supply chain and deploy jobs as the shipped bundle writes them for GitHub Actions: SBOM, keyless signature and
 * provenance on the pushed digest, default branch only, with the OIDC/attestation permissions on that job alone;
 * deploy jobs gated by scans and signing, with status functions; and the deploy script itself, run by POSIX sh (dash)
 * against a scripted kubectl for the failure paths a real cluster cannot produce on demand (the same script runs on the
 * local control plane in tests/deploy/cluster.test.ts).
 */

type Step = { name: string; uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string> };
type Job = { name: string; needs?: string[] | string; if?: string; permissions?: Record<string, string>; outputs?: Record<string, string>; steps: Step[] };

function workflow(): Record<string, Job> {
  const dir = copyFixture("node-npm");
  const r = spawnSync(process.execPath, [CLI_BUNDLE, "pipeline", dir, "--platform", "github-actions", "--stages", "lint,test,build,security,docker,deploy"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return (parse(readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8")) as { jobs: Record<string, Job> }).jobs;
}
const jobs = workflow();

test("one signing job per image: SBOM, cosign keyless signature and SBOM attestation, provenance, on the digest, default branch only", () => {
  const signIds = Object.keys(jobs).filter((id) => id.startsWith("sign-"));
  const dockerIds = Object.keys(jobs).filter((id) => id.startsWith("docker-"));
  assert.equal(signIds.length, dockerIds.length);
  assert.ok(signIds.length > 0);
  for (const id of signIds) {
    const job = jobs[id]!;
    const docker = (Array.isArray(job.needs) ? job.needs : [job.needs])[0]!;
    assert.match(job.if!, /github\.event_name == 'push' && github\.ref == 'refs\/heads\/main'/);
    assert.match(job.if!, new RegExp(`needs\\.${docker}\\.outputs\\.digest != ''`), "signs only what was pushed");
    assert.deepEqual(job.permissions, { contents: "read", packages: "write", "id-token": "write", attestations: "write" });
    const uses = job.steps.map((s) => s.uses?.split("@")[0]);
    for (const a of ["sigstore/cosign-installer", "anchore/sbom-action", "actions/attest-build-provenance"]) assert.ok(uses.includes(a), `${id}: ${a}`);
    const sbom = job.steps.find((s) => s.uses?.startsWith("anchore/sbom-action@"))!;
    assert.equal(sbom.with!.image, `\${{ needs.${docker}.outputs.name }}@\${{ needs.${docker}.outputs.digest }}`);
    const sign = job.steps.find((s) => s.run?.includes("cosign sign"))!;
    assert.match(sign.run!, /cosign sign --yes "\$IMAGE@\$DIGEST"/);
    assert.match(sign.run!, /cosign attest --yes --type spdxjson --predicate "\$SBOM" "\$IMAGE@\$DIGEST"/);
    assert.doesNotMatch(sign.run!, /\$\{\{/, "values reach run: only through env");
    const prov = job.steps.find((s) => s.uses?.startsWith("actions/attest-build-provenance@"))!;
    assert.equal(prov.with!["subject-digest"], `\${{ needs.${docker}.outputs.digest }}`);
    assert.equal(prov.with!["push-to-registry"], "true");
    assert.deepEqual(jobs[docker]!.outputs, { name: "${{ steps.image.outputs.name }}", digest: "${{ steps.image.outputs.digest }}" });
  }
  for (const [id, job] of Object.entries(jobs)) {
    if (id.startsWith("sign-")) continue;
    assert.equal(job.permissions?.attestations, undefined, id);
    assert.notEqual(job.permissions?.["id-token"], "write", id);
  }
});

test("deploy jobs: gated by scans and signing, status functions, the pushed digest passed through env", () => {
  const staging = jobs["deploy-staging"]!;
  const production = jobs["deploy-production"]!;
  for (const job of [staging, production]) {
    const needs = Array.isArray(job.needs) ? job.needs : [job.needs!];
    assert.ok(needs.includes("security"), "security scans gate the deploy");
    for (const project of Object.keys(jobs).filter((id) => !/^(docker|sign|deploy)-|^security$/.test(id))) assert.ok(needs.includes(project), `the tests of ${project} gate the deploy`);
    assert.ok(needs.some((n) => n.startsWith("sign-")), "signing gates the deploy");
    assert.match(job.if!, /^!cancelled\(\) && !failure\(\) && /, "a status function: a path-filtered skipped image job must not skip the deploy");
    const deploy = job.steps.find((s) => s.name.startsWith("Deploy "))!;
    assert.match(deploy.env!.DIGEST!, /^\$\{\{ needs\.docker-[a-z0-9-]+\.outputs\.digest \}\}$/);
    assert.match(deploy.env!.OVERLAY!, /^deploy\/[a-z0-9-]+\/overlays\/(staging|production)$/);
    assert.doesNotMatch(deploy.run!, /\$\{\{/);
  }
  assert.match(production.if!, /needs\.deploy-staging\.result == 'success'/);
});

/** Runs the generated deploy script against a scripted kubectl (a fake PATH); returns the calls and exit code. */
function deployRun(opts: { kind: "Deployment" | "Rollout"; overlayImage: "match" | "other"; rolloutOk?: boolean; phases?: string[]; digest?: string; selector?: string }) {
  const script = jobs["deploy-staging"]!.steps.find((s) => s.name.startsWith("Deploy "))!.run!;
  const root = tempDir("sd-deploy-");
  const bin = join(root, "bin");
  const state = join(root, "state");
  mkdirSync(bin);
  mkdirSync(state);
  mkdirSync(join(root, "repo/deploy/web/overlays/staging"), { recursive: true });
  writeFileSync(join(root, "repo/deploy/web/overlays/staging/kustomization.yaml"), "resources: []\n");
  writeFileSync(join(state, "phases"), (opts.phases ?? ["Healthy"]).join("\n") + "\n");
  const log = join(state, "calls");
  writeFileSync(join(bin, "sleep"), "#!/bin/bash\nexit 0\n");
  writeFileSync(join(bin, "kubectl"), `#!/bin/bash
echo "kubectl $*" >> ${log}
case "$1" in
  kustomize)
    pinned="$(sed -n 's/^    digest: //p' "$2/kustomization.yaml")"
    if [ "${opts.overlayImage}" = match ] && [ -n "$pinned" ]; then img="$(sed -n 's/^  - name: //p' "$2/kustomization.yaml")@$pinned"; cp "$2/kustomization.yaml" ${state}/pin; else img=ghcr.io/other/web:1.0.0; fi
    printf 'apiVersion: apps/v1\\nkind: ${opts.kind}\\nmetadata:\\n  name: web\\n  namespace: shop\\nspec:\\n  selector:\\n    matchLabels:\\n      app.kubernetes.io/name: web\\n${opts.selector ? `      ${opts.selector}\\n` : ""}  template:\\n    spec:\\n      containers:\\n        - name: web\\n          image: %s\\n' "$img";;
  apply) exit 0;;
  get)
    if [ "$2" = "-f" ]; then echo "${opts.kind} shop web"; echo "Service shop web"; exit 0; fi
    case "$*" in
      *enerati*) echo 3;;
      *phase*) head -1 ${state}/phases; [ "$(wc -l < ${state}/phases)" -gt 1 ] && sed -i 1d ${state}/phases; exit 0;;
    esac;;
  rollout)
    [ "$2" = status ] && { ${opts.rolloutOk === false ? "exit 1" : "exit 0"}; }
    exit 0;;
  patch)
    exit 0;;
esac
exit 0
`);
  for (const f of ["kubectl", "sleep"]) chmodSync(join(bin, f), 0o755);
  const r = spawnSync("/bin/sh", ["-e", "-c", script], {
    cwd: join(root, "repo"), encoding: "utf8",
    env: {
      PATH: `${bin}:/usr/bin:/bin`, RUNNER_TEMP: state, OVERLAY: "deploy/web/overlays/staging",
      IMAGE_NAME: "ghcr.io/acme/shop/web", DIGEST: opts.digest ?? `sha256:${"a".repeat(64)}`,
    },
  });
  const leftovers = readdirSync(join(root, "repo")).filter((f) => f.startsWith(".deploy-pin."));
  const pin = existsSync(join(state, "pin")) ? readFileSync(join(state, "pin"), "utf8") : "";
  return { code: r.status, out: r.stdout + r.stderr, calls: existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [], leftovers, pin };
}

test("deploy script: renders the overlay with the pushed digest (committed overlay untouched), applies, waits for the Deployment", () => {
  const r = deployRun({ kind: "Deployment", overlayImage: "match" });
  assert.equal(r.code, 0, r.out);
  const pin = parse(r.pin) as { resources: string[]; images: { name: string; digest: string }[] };
  assert.deepEqual(pin.resources, ["../deploy/web/overlays/staging"]);
  assert.deepEqual(pin.images, [{ name: "ghcr.io/acme/shop/web", digest: `sha256:${"a".repeat(64)}` }]);
  assert.deepEqual(r.leftovers, [], "the pinning kustomization is removed");
  assert.ok(r.calls.some((c) => c.startsWith("kubectl apply -f")));
  assert.ok(r.calls.some((c) => /^kubectl rollout status deployment\/web -n shop --timeout=\d+s$/.test(c)), r.calls.join("\n"));
  assert.ok(!r.calls.some((c) => c.startsWith("kubectl rollout undo")));
});

test("deploy script: refuses an overlay whose image name is not the one pushed (it would deploy nothing new)", () => {
  const r = deployRun({ kind: "Deployment", overlayImage: "other" });
  assert.notEqual(r.code, 0);
  assert.match(r.out, /has no container image named ghcr\.io\/acme\/shop\/web/);
  assert.ok(!r.calls.some((c) => c.startsWith("kubectl apply")), "nothing applied");
});

test("deploy script: a Deployment that does not become ready is rolled back and the job fails", () => {
  const r = deployRun({ kind: "Deployment", overlayImage: "match", rolloutOk: false });
  assert.equal(r.code, 1, r.out);
  assert.ok(r.calls.includes("kubectl rollout undo deployment/web -n shop"), r.calls.join("\n"));
});

test("deploy script: an Argo Rollout pause is promoted through the status subresource until Healthy", () => {
  const r = deployRun({ kind: "Rollout", overlayImage: "match", phases: ["Paused", "Paused", "Healthy"] });
  assert.equal(r.code, 0, r.out);
  const promotes = r.calls.filter((c) => c.includes('--subresource status -p {"status":{"pauseConditions":null}}'));
  assert.equal(promotes.length, 2, r.calls.join("\n"));
  assert.ok(!r.calls.some((c) => c.includes('"abort":true')));
});

test("deploy script: a Degraded Argo Rollout is aborted (traffic back to stable) and the job fails", () => {
  const r = deployRun({ kind: "Rollout", overlayImage: "match", phases: ["Progressing", "Degraded"] });
  assert.equal(r.code, 1, r.out);
  assert.ok(r.calls.some((c) => c.includes('--subresource status -p {"status":{"abort":true}}')), r.calls.join("\n"));
});

test("deploy script: an image not rebuilt in this run (path-filtered) is applied as committed, without a digest", () => {
  const r = deployRun({ kind: "Deployment", overlayImage: "other", digest: "" });
  assert.equal(r.code, 0, r.out);
  assert.equal(r.pin, "", "nothing pinned");
  assert.ok(r.calls.some((c) => c.startsWith("kubectl rollout status")));
});

test("deploy script: refuses deployment-manager's plain-Kubernetes blue-green/canary pair instead of updating both colors", () => {
  for (const selector of ["color: green", "track: canary"]) {
    const r = deployRun({ kind: "Deployment", overlayImage: "match", selector });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /plain-Kubernetes blue-green or canary/);
    assert.ok(!r.calls.some((c) => c.startsWith("kubectl apply")), "nothing applied");
  }
});
