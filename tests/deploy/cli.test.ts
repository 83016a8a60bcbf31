import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Server } from "node:http";
import { runCli } from "../../mcp-server/src/cli/main.ts";
import { FAKE_KUBECTL, readCluster, startServer, writeCluster } from "./helpers.ts";

// `senior-devops deploy` end to end through the CLI adapter, against the SCRIPTED STAND-IN for kubectl.
const dirs: string[] = [];
const fresh = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
let healthy: { server: Server; port: number };
let unhealthy: { server: Server; port: number };
before(async () => {
  healthy = await startServer(200);
  unhealthy = await startServer(500);
  process.env.SENIOR_DEVOPS_KUBECTL = FAKE_KUBECTL;
});
after(() => {
  healthy.server.close();
  unhealthy.server.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  delete process.env.SENIOR_DEVOPS_KUBECTL;
  delete process.env.FAKE_KUBECTL_STATE;
});

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

describe("senior-devops deploy (CLI)", () => {
  it("apply streams progress on stderr; a rolled-back rollout exits 1 with the report in --json", async () => {
    const root = fresh("sd-cli-deploy-");
    const clusterFile = join(fresh("sd-cli-cluster-"), "c.json");
    process.env.FAKE_KUBECTL_STATE = clusterFile;
    writeCluster(clusterFile, { healthyPort: healthy.port, unhealthyPort: unhealthy.port });
    const common = ["deploy", root, "--app", "shop", "--port", "8080", "--env", "staging", "--timeout-seconds", "10", "--action", "apply", "--yes"];
    const ok = await cli([...common, "--image", "ghcr.io/acme/shop:1.0.0"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /server-side dry run/);
    assert.match(ok.stderr, /health gate: deployment\/shop: 3\/3 ready/);

    writeCluster(clusterFile, { ...readCluster(clusterFile), badImages: ["ghcr.io/acme/shop:1.1.0"], failure: "unhealthy" });
    const bad = await cli([...common, "--image", "ghcr.io/acme/shop:1.1.0", "--json"]);
    assert.equal(bad.code, 1, bad.stderr);
    const result = JSON.parse(bad.stdout);
    assert.equal(result.status, "failed");
    assert.equal(result.details.execution.outcome, "rolled-back");
    assert.match(bad.stderr, /rolling back/);
  });

  it("a live action without --yes exits 2, names the cluster and changes nothing", async () => {
    const root = fresh("sd-cli-prod-");
    const clusterFile = join(fresh("sd-cli-cluster-"), "c.json");
    process.env.FAKE_KUBECTL_STATE = clusterFile;
    writeCluster(clusterFile, {});
    const r = await cli(["deploy", root, "--app", "shop", "--port", "8080", "--image", "ghcr.io/acme/shop:1.0.0", "--env", "production", "--action", "apply"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--yes/);
    assert.match(r.stderr, /context fake-cluster .*https:\/\/fake-cluster\.invalid:6443/);
    // Only the offline build and the read-only identity probe reached kubectl.
    assert.deepEqual(readCluster(clusterFile).calls.map((c) => c[0]), ["kustomize", "config", "version", "argo"]);
    assert.deepEqual(readdirSync(root), []);
  });

  it("bad canary steps and :latest exit 2", async () => {
    const root = fresh("sd-cli-bad-");
    assert.equal((await cli(["deploy", root, "--app", "shop", "--port", "80", "--image", "a/b:1", "--canary-steps", "5,5,100"])).code, 2);
    assert.equal((await cli(["deploy", root, "--app", "shop", "--port", "80", "--image", "a/b:latest"])).code, 2);
  });
});
