import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Server } from "node:http";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { InputError } from "../../mcp-server/src/engine/core/types.ts";
import { readTreeState } from "../../mcp-server/src/engine/deploy/state.ts";
import { type DeployInput, FAKE_KUBECTL, type FakeCluster, readCluster, runDeploy, startPrometheusApi, startServer, writeCluster } from "./helpers.ts";

// Every test here drives the engine against the SCRIPTED STAND-IN for kubectl (tests/deploy/fake-kubectl),
// selected through SENIOR_DEVOPS_KUBECTL; health checks go to real HTTP servers on 127.0.0.1.
const V1 = "ghcr.io/acme/shop:1.2.3";
const V2 = "ghcr.io/acme/shop:2.0.0";

let healthy: { server: Server; port: number; hits: string[] };
let unhealthy: { server: Server; port: number; hits: string[] };
let root: string;
let clusterFile: string;

before(async () => {
  healthy = await startServer(200);
  unhealthy = await startServer(503, "down");
  process.env.SENIOR_DEVOPS_KUBECTL = FAKE_KUBECTL;
  process.env.SENIOR_DEVOPS_POLL_MS = "50";
});
after(() => {
  healthy.server.close();
  unhealthy.server.close();
  delete process.env.SENIOR_DEVOPS_KUBECTL;
  delete process.env.FAKE_KUBECTL_STATE;
  delete process.env.SENIOR_DEVOPS_POLL_MS;
});
const made: string[] = [];
const freshDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  root = freshDir("sd-deploy-exec-");
  clusterFile = join(freshDir("sd-fake-cluster-"), "cluster.json");
  process.env.FAKE_KUBECTL_STATE = clusterFile;
  healthy.hits.length = 0;
  unhealthy.hits.length = 0;
});

function cluster(extra: FakeCluster = {}) {
  const current = (() => {
    try {
      return readCluster(clusterFile);
    } catch {
      return {};
    }
  })();
  writeCluster(clusterFile, { ...current, healthyPort: healthy.port, unhealthyPort: unhealthy.port, ...extra });
}
const calls = () => readCluster(clusterFile).calls.map((c) => c.join(" "));
const obj = (key: string) => readCluster(clusterFile).objects[key];
const imageOf = (o: any) => o?.spec?.template?.spec?.containers?.[0]?.image;
const execution = (r: { details?: Record<string, unknown> }) => r.details?.execution as { outcome: string; rolledBack: boolean; summary: string; gates: { gate: string; ok: boolean; detail: string }[]; steps: { command?: string; ok: boolean; detail: string }[]; status?: any };

// Every live action needs confirm (bound to the cluster's identity: see guard.test.ts); each kubectl call is bounded
// by timeoutSeconds, so it leaves the stand-in (a node script) time to start on a loaded machine.
const base: DeployInput = { app: "shop", port: 8080, environments: ["staging"], timeoutSeconds: 8, pauseSeconds: 0, confirm: true };
const deploy = (input: DeployInput, messages: string[] = []) => runDeploy({ ...base, path: root, ...input }, messages);

describe("deploy apply: rolling (plain Kubernetes)", () => {
  it("success: server-side dry run, apply, rollout status, ready replicas and HTTP gate; progress for every step", async () => {
    cluster();
    const messages: string[] = [];
    const result = await deploy({ image: V1, action: "apply" }, messages);
    assert.equal(result.status, "ok", execution(result)?.summary);
    const report = execution(result);
    assert.equal(report.outcome, "succeeded");
    const log = calls();
    const dry = log.findIndex((c) => c === "apply -k deploy/shop/overlays/staging --dry-run=server");
    const real = log.findIndex((c) => c === "apply -k deploy/shop/overlays/staging");
    assert.ok(dry >= 0 && real > dry, "server-side dry run before the real apply");
    assert.ok(log.includes("rollout status deployment/shop -n staging --timeout=8s"));
    assert.ok(log.some((c) => c.startsWith("port-forward -n staging service/shop")));
    assert.deepEqual(report.gates.map((g) => [g.gate, g.ok]), [["ready-replicas", true], ["http", true]]);
    assert.deepEqual(healthy.hits, ["/healthz"]);
    assert.ok(messages.some((m) => m.includes("server-side dry run")) && messages.some((m) => m.includes("health gate")));
    assert.equal(imageOf(obj("Deployment/staging/shop")), V1);
    // The tree was written too.
    assert.equal(readTreeState(root, "shop", "staging").image, V1);
  });

  it("stalled rollout: the watch times out and the deployment is rolled back", async () => {
    cluster();
    assert.equal((await deploy({ image: V1, action: "apply" })).status, "ok");
    cluster({ badImages: [V2], failure: "stall" });
    const started = Date.now();
    const result = await deploy({ image: V2, action: "apply" });
    const report = execution(result);
    assert.equal(result.status, "failed");
    assert.equal(report.outcome, "rolled-back");
    assert.ok(report.rolledBack);
    assert.match(report.summary, /timed out/);
    assert.ok(calls().includes("rollout undo deployment/shop -n staging"));
    assert.equal(imageOf(obj("Deployment/staging/shop")), V1, "back on the previous image");
    assert.ok(Date.now() - started < 30_000);
  });

  it("failing health check (HTTP 503): rolled back, never reported as success", async () => {
    cluster();
    await deploy({ image: V1, action: "apply" });
    cluster({ badImages: [V2], failure: "unhealthy" });
    const result = await deploy({ image: V2, action: "apply" });
    const report = execution(result);
    assert.equal(result.status, "failed");
    assert.equal(report.outcome, "rolled-back");
    assert.ok(report.gates.some((g) => g.gate === "http" && !g.ok && g.detail.includes("503")));
    assert.ok(unhealthy.hits.length >= 1, "the real unhealthy server was asked");
    assert.equal(imageOf(obj("Deployment/staging/shop")), V1);
  });

  it("zero pods: the ready-replicas gate fails (0 of 0 is not a pass) and the rollout is rolled back", async () => {
    cluster();
    await deploy({ image: V1, action: "apply" });
    cluster({ badImages: [V2], failure: "zero-pods" });
    const result = await deploy({ image: V2, action: "apply" });
    const report = execution(result);
    assert.equal(result.status, "failed");
    const replicas = report.gates.find((g) => g.gate === "ready-replicas");
    assert.equal(replicas?.ok, false);
    assert.match(replicas?.detail ?? "", /0\/0 ready/);
    assert.ok(!report.gates.some((g) => g.gate === "http" && g.ok));
    assert.ok(report.rolledBack);
  });

  it("API error: the server-side dry run fails, nothing is applied", async () => {
    cluster({ failure: "api-error" });
    const result = await deploy({ image: V1, action: "apply" });
    assert.equal(result.status, "failed");
    assert.match(execution(result).summary, /etcdserver: request timed out/);
    assert.ok(!calls().includes("apply -k deploy/shop/overlays/staging"));
    assert.equal(obj("Deployment/staging/shop"), undefined);
  });

  it("no kubectl context: failed with the reason, nothing applied", async () => {
    cluster({ context: null });
    const result = await deploy({ image: V1, action: "apply" });
    assert.equal(result.status, "failed");
    assert.match(execution(result).summary, /no current context/);
    assert.ok(!calls().some((c) => c.startsWith("apply")));
  });

  it("health URL given: the gate asks it directly, no port-forward", async () => {
    cluster();
    const result = await deploy({ image: V1, action: "apply", healthUrl: `http://127.0.0.1:${healthy.port}`, healthPath: "/ready/check" });
    assert.equal(result.status, "ok");
    assert.deepEqual(healthy.hits, ["/ready/check"]);
    assert.ok(!calls().some((c) => c.startsWith("port-forward")));
  });

  it("unreachable health URL is a failure", async () => {
    cluster();
    await deploy({ image: V1, action: "apply" });
    const closed = await startServer(200);
    closed.server.close();
    const result = await deploy({ image: V2, action: "apply", healthUrl: `http://127.0.0.1:${closed.port}` });
    assert.equal(result.status, "failed");
    assert.ok(execution(result).gates.some((g) => g.gate === "http" && !g.ok));
    assert.equal(imageOf(obj("Deployment/staging/shop")), V1);
  });

  it("production needs confirm; with it the apply runs", async () => {
    cluster();
    await assert.rejects(deploy({ image: V1, action: "apply", environments: ["production"], confirm: false }), (e: Error) => e instanceof InputError && /--yes/.test(e.message));
    assert.deepEqual((readCluster(clusterFile).calls ?? []).map((c) => c[0]), ["kustomize", "config", "version", "argo"], "only the offline build and the identity probe before the confirmation check");
    const result = await deploy({ image: V1, action: "apply", environments: ["production"], confirm: true });
    assert.equal(result.status, "ok");
    assert.equal(imageOf(obj("Deployment/production/shop")), V1);
  });

  it("status and rollback actions", async () => {
    cluster();
    await deploy({ image: V1, action: "apply" });
    await deploy({ image: V2, action: "apply" });
    const status = await deploy({ action: "status" });
    assert.equal(status.status, "ok");
    assert.deepEqual(execution(status).status.deployments, [{ name: "shop", image: V2, desired: 3, ready: 3, updated: 3 }]);
    const rollback = await deploy({ action: "rollback" });
    assert.equal(rollback.status, "ok");
    assert.equal(imageOf(obj("Deployment/staging/shop")), V1);
  });

  it("apply --dry-run: validates on the server only, writes and applies nothing", async () => {
    cluster();
    const result = await deploy({ image: V1, action: "apply", dryRun: true });
    assert.equal(result.status, "ok");
    assert.equal(execution(result).outcome, "dry-run");
    assert.deepEqual(calls().filter((c) => c.startsWith("apply")), ["apply -k deploy/shop/overlays/staging --dry-run=server"]);
    assert.throws(() => readFileSync(join(root, "deploy/shop/base/deployment.yaml")));
  });
});

describe("deploy blue-green (plain Kubernetes)", () => {
  it("apply stages the idle colour behind the preview, promote flips the selector, rollback flips it back", async () => {
    cluster();
    const bg: DeployInput = { strategy: "blue-green" };
    let result = await deploy({ ...bg, image: V1, action: "apply" });
    assert.equal(result.status, "ok", execution(result).summary);
    assert.equal(obj("Service/staging/shop").spec.selector.color, "blue");
    result = await deploy({ ...bg, image: V2, action: "apply" });
    assert.equal(result.status, "ok", execution(result).summary);
    assert.equal(imageOf(obj("Deployment/staging/shop-green")), V2);
    assert.equal(imageOf(obj("Deployment/staging/shop-blue")), V1);
    assert.equal(obj("Service/staging/shop").spec.selector.color, "blue", "apply never moves live traffic");
    assert.ok(calls().some((c) => c.startsWith("port-forward -n staging service/shop-preview")));

    result = await deploy({ ...bg, action: "promote" });
    assert.equal(result.status, "ok", execution(result).summary);
    assert.equal(obj("Service/staging/shop").spec.selector.color, "green");
    assert.equal(obj("Service/staging/shop").metadata.annotations["senior-devops/previous-color"], "blue");
    assert.equal(obj("Service/staging/shop-preview").spec.selector.color, "blue");
    assert.equal(readTreeState(root, "shop", "staging").activeColor, "green", "the tree (the staging overlay) follows the switch");

    result = await deploy({ ...bg, action: "rollback" });
    assert.equal(result.status, "ok", execution(result).summary);
    assert.equal(obj("Service/staging/shop").spec.selector.color, "blue");
    assert.equal(readTreeState(root, "shop", "staging").activeColor, "blue");
  });

  it("promote and rollback size the colour taking the traffic like the live one, wait for it, and only then switch", async () => {
    cluster();
    const bg: DeployInput = { strategy: "blue-green" };
    await deploy({ ...bg, image: V1, action: "apply" });
    await deploy({ ...bg, image: V2, action: "apply" });
    // Load grew the live colour (as its HPA would); the idle one still sits at the minimum.
    const setReplicas = (name: string, replicas: number) => {
      const state = readCluster(clusterFile);
      state.objects[`Deployment/staging/${name}`].spec.replicas = replicas;
      writeCluster(clusterFile, state);
    };
    setReplicas("shop-blue", 6);
    setReplicas("shop-green", 2);
    // Index of the first call at or after `from` starting with each prefix (-1: never called).
    const order = (from: number, lines: string[]): number[] => {
      const at = (prefix: string) => calls().findIndex((c, i) => i >= from && c.startsWith(prefix));
      return lines.map(at);
    };
    let from = calls().length;
    let result = await deploy({ ...bg, action: "promote" });
    assert.equal(result.status, "ok", execution(result).summary);
    let [scale = -1, ready = -1, live = -1, preview = -1] = order(from, ["scale deployment/shop-green -n staging --replicas=6", "rollout status deployment/shop-green -n staging", "patch service shop -n staging", "patch service shop-preview -n staging"]);
    assert.ok(scale >= 0 && ready > scale && live > ready && preview > live, `scale up, ready, then switch: ${calls().slice(from).join(" | ")}`);
    assert.equal(obj("Service/staging/shop").spec.selector.color, "green");

    // After the switch the old colour's HPA scaled it down; rolling back must size it up again first.
    setReplicas("shop-blue", 2);
    from = calls().length;
    result = await deploy({ ...bg, action: "rollback" });
    assert.equal(result.status, "ok", execution(result).summary);
    [scale = -1, ready = -1, live = -1] = order(from, ["scale deployment/shop-blue -n staging --replicas=6", "rollout status deployment/shop-blue -n staging", "patch service shop -n staging"]);
    assert.ok(scale >= 0 && ready > scale && live > ready, `scale up, ready, then switch back: ${calls().slice(from).join(" | ")}`);
    assert.equal(obj("Service/staging/shop").spec.selector.color, "blue");
  });

  it("abort before promotion discards the staged colour; rollback without a promotion is refused", async () => {
    cluster();
    const bg: DeployInput = { strategy: "blue-green" };
    await deploy({ ...bg, image: V1, action: "apply" });
    await deploy({ ...bg, image: V2, action: "apply" });
    const refused = await deploy({ ...bg, action: "rollback" });
    assert.equal(refused.status, "failed");
    assert.match(execution(refused).summary, /no promotion recorded/);
    assert.equal(obj("Service/staging/shop").spec.selector.color, "blue", "rollback never promotes the staged colour");
    const aborted = await deploy({ ...bg, action: "abort" });
    assert.equal(aborted.status, "ok", execution(aborted).summary);
    assert.equal(imageOf(obj("Deployment/staging/shop-green")), V1, "staged version discarded");
    assert.equal(obj("Service/staging/shop").spec.selector.color, "blue");
  });

  it("unhealthy idle colour: the preview gate fails, the idle deployment is undone, live traffic never moved", async () => {
    cluster();
    const bg: DeployInput = { strategy: "blue-green" };
    await deploy({ ...bg, image: V1, action: "apply" });
    cluster({ badImages: [V2], failure: "unhealthy" });
    const result = await deploy({ ...bg, image: V2, action: "apply" });
    assert.equal(result.status, "failed");
    assert.ok(execution(result).rolledBack);
    assert.equal(obj("Service/staging/shop").spec.selector.color, "blue");
    assert.equal(imageOf(obj("Deployment/staging/shop-green")), V1);
  });

  it("promote fails after the switch (metric gate) and flips back automatically", async () => {
    cluster();
    const bg: DeployInput = { strategy: "blue-green" };
    await deploy({ ...bg, image: V1, action: "apply" });
    await deploy({ ...bg, image: V2, action: "apply" });
    const prom = await startPrometheusApi({ successRate: 0.5, p99: 0.1 });
    try {
      const result = await deploy({ ...bg, action: "promote", prometheusUrl: prom.url });
      assert.equal(result.status, "failed");
      const report = execution(result);
      assert.ok(report.rolledBack);
      assert.ok(report.gates.some((g) => g.gate === "prometheus:success-rate" && !g.ok));
      assert.equal(obj("Service/staging/shop").spec.selector.color, "blue", "flipped back");
      assert.ok(prom.queries.some((q) => q.includes('service="shop"') && q.includes('namespace="staging"')));
    } finally {
      prom.server.close();
    }
  });
});

describe("deploy canary (plain Kubernetes)", () => {
  const canary: DeployInput = { strategy: "canary", traffic: "nginx", ingressHost: "shop.example.com", canarySteps: [10, 50, 100] };

  it("walks the ladder with weights and gates, then promotes the stable Deployment", async () => {
    cluster();
    let result = await deploy({ ...canary, image: V1, action: "apply" });
    assert.equal(result.status, "ok", execution(result).summary);
    const prom = await startPrometheusApi({ successRate: 0.999, ratio: 1.1, p99: 0.2 });
    try {
      result = await deploy({ ...canary, image: V2, action: "apply", prometheusUrl: prom.url });
      assert.equal(result.status, "ok", execution(result).summary);
      const log = calls();
      const weights = log.filter((c) => c.startsWith("annotate ingress shop-canary")).map((c) => /canary-weight=(\d+)/.exec(c)?.[1]);
      assert.deepEqual(weights, ["10", "50", "0"]);
      assert.ok(log.includes("scale deployment/shop-canary -n staging --replicas=1"));
      assert.ok(log.includes("scale deployment/shop-canary -n staging --replicas=2"));
      assert.ok(log.includes("scale deployment/shop-canary -n staging --replicas=0"));
      assert.equal(imageOf(obj("Deployment/staging/shop-stable")), V2);
      assert.equal(obj("Deployment/staging/shop-canary").spec.replicas, 0);
      assert.equal(readTreeState(root, "shop", "staging").stableImage, V2);
      assert.ok(prom.queries.some((q) => q.includes("clamp_min") && q.includes('service="shop-canary"') && q.includes('service="shop"')));
      assert.ok(execution(result).gates.filter((g) => g.gate.startsWith("prometheus:")).every((g) => g.ok));
    } finally {
      prom.server.close();
    }
  });

  it("status reports both tracks and the canary weight", async () => {
    cluster();
    await deploy({ ...canary, image: V1, action: "apply" });
    const status = await deploy({ ...canary, action: "status" });
    assert.equal(status.status, "ok", execution(status).summary);
    const report = execution(status).status;
    assert.equal(report.canaryWeight, 0);
    assert.deepEqual(report.deployments.map((d: { name: string; image: string }) => [d.name, d.image]), [["shop-stable", V1], ["shop-canary", V1]]);
  });

  it("re-applying the released image runs no canary", async () => {
    cluster();
    await deploy({ ...canary, image: V1, action: "apply" });
    const result = await deploy({ ...canary, image: V1, action: "apply" });
    assert.equal(result.status, "ok", execution(result).summary);
    assert.match(execution(result).summary, /no canary needed|already runs/);
    assert.ok(!calls().some((c) => c.startsWith("annotate")));
  });

  it("errors above 2x baseline: canary weight back to 0, canary scaled down, stable untouched", async () => {
    cluster();
    await deploy({ ...canary, image: V1, action: "apply" });
    const prom = await startPrometheusApi({ successRate: 0.97, ratio: 3.2, p99: 0.2 });
    try {
      const result = await deploy({ ...canary, image: V2, action: "apply", prometheusUrl: prom.url });
      assert.equal(result.status, "failed");
      const report = execution(result);
      assert.ok(report.rolledBack);
      assert.ok(report.gates.some((g) => g.gate === "prometheus:error-rate-vs-baseline" && !g.ok && g.detail.includes("3.2")));
      const weights = calls().filter((c) => c.startsWith("annotate ingress shop-canary")).map((c) => /canary-weight=(\d+)/.exec(c)?.[1]);
      assert.deepEqual(weights, ["10", "0"]);
      assert.equal(obj("Deployment/staging/shop-canary").spec.replicas, 0);
      assert.equal(imageOf(obj("Deployment/staging/shop-stable")), V1);
      assert.equal(readTreeState(root, "shop", "staging").stableImage, V1, "the overlay keeps the released stable image");
    } finally {
      prom.server.close();
    }
  });

  it("no metric data is a failure, never a pass", async () => {
    cluster();
    await deploy({ ...canary, image: V1, action: "apply" });
    const prom = await startPrometheusApi({ successRate: null, ratio: null, p99: null });
    try {
      const result = await deploy({ ...canary, image: V2, action: "apply", prometheusUrl: prom.url });
      assert.equal(result.status, "failed");
      assert.ok(execution(result).gates.some((g) => g.gate === "prometheus:success-rate" && !g.ok && /no samples/.test(g.detail)));
    } finally {
      prom.server.close();
    }
  });

  it("replicas traffic: canary pods sized to the weight, Gateway API and Istio patch their routes", async () => {
    cluster();
    await deploy({ strategy: "canary", traffic: "replicas", image: V1, action: "apply" });
    const result = await deploy({ strategy: "canary", traffic: "replicas", image: V2, action: "apply", canarySteps: [25, 50, 100] });
    assert.equal(result.status, "ok", execution(result).summary);
    assert.ok(calls().includes("scale deployment/shop-canary -n staging --replicas=1")); // 3 stable → 25% ≈ 1
    assert.ok(calls().includes("scale deployment/shop-canary -n staging --replicas=3")); // 50% = 3
  });

  for (const traffic of ["gateway-api", "istio"] as const) {
    it(`${traffic}: weights are patched on the route`, async () => {
      cluster();
      const input: DeployInput = { strategy: "canary", traffic, gateway: "infra/public", canarySteps: [20, 100] };
      await deploy({ ...input, image: V1, action: "apply" });
      const result = await deploy({ ...input, image: V2, action: "apply" });
      assert.equal(result.status, "ok", execution(result).summary);
      const kind = traffic === "istio" ? "virtualservice" : "httproute";
      const patches = calls().filter((c) => c.startsWith(`patch ${kind} shop`));
      assert.equal(patches.length, 2);
      assert.match(patches[0] ?? "", /"value":80\}.*"value":20\}/);
      const route = obj(`${traffic === "istio" ? "VirtualService" : "HTTPRoute"}/staging/shop`);
      const weights = traffic === "istio" ? route.spec.http[0].route.map((r: any) => r.weight) : route.spec.rules[0].backendRefs.map((r: any) => r.weight);
      assert.deepEqual(weights, [100, 0]);
    });
  }
});

describe("deploy on Argo Rollouts (no plugin: kubectl patch on the Rollout)", () => {
  it("canary success: watches the Rollout to Healthy and gates it", async () => {
    cluster();
    const result = await deploy({ target: "argo-rollouts", strategy: "canary", traffic: "replicas", image: V1, action: "apply" });
    assert.equal(result.status, "ok", execution(result).summary);
    assert.ok(calls().some((c) => c.startsWith("get rollout shop -n staging -o json")));
  });

  it("degraded canary: abort and back to the stable image", async () => {
    cluster();
    const argo: DeployInput = { target: "argo-rollouts", strategy: "canary", traffic: "replicas" };
    await deploy({ ...argo, image: V1, action: "apply" });
    cluster({ badImages: [V2], failure: "degraded" });
    const result = await deploy({ ...argo, image: V2, action: "apply" });
    assert.equal(result.status, "failed");
    assert.ok(execution(result).rolledBack);
    const log = calls();
    assert.ok(log.includes(`patch rollout shop -n staging --type merge --subresource status -p {"status":{"abort":true}}`));
    assert.ok(log.some((c) => c.startsWith("patch rollout shop -n staging --type json") && c.includes(V1)));
    assert.equal(imageOf(obj("Rollout/staging/shop")), V1);
  });

  it("Rollout with zero pods is never healthy: abort and revert", async () => {
    cluster();
    const argo: DeployInput = { target: "argo-rollouts", strategy: "rolling" };
    await deploy({ ...argo, image: V1, action: "apply" });
    cluster({ badImages: [V2], failure: "zero-pods" });
    const result = await deploy({ ...argo, image: V2, action: "apply" });
    assert.equal(result.status, "failed");
    const gate = execution(result).gates.find((g) => g.gate === "ready-replicas");
    assert.equal(gate?.ok, false);
    assert.match(gate?.detail ?? "", /rollout\/shop: 0\/0 ready/);
    assert.equal(imageOf(obj("Rollout/staging/shop")), V1);
  });

  it("stalled Rollout: timeout, then abort", async () => {
    cluster();
    const argo: DeployInput = { target: "argo-rollouts", strategy: "canary", traffic: "replicas" };
    await deploy({ ...argo, image: V1, action: "apply" });
    cluster({ badImages: [V2], failure: "stall" });
    const result = await deploy({ ...argo, image: V2, action: "apply" });
    assert.equal(result.status, "failed");
    assert.match(execution(result).summary, /did not reach Healthy within 8s/);
    assert.ok(calls().some((c) => c.includes('{"status":{"abort":true}}')));
  });

  it("blue-green: apply pauses with the preview gated, promote clears the pause and ends Healthy", async () => {
    cluster();
    const argo: DeployInput = { target: "argo-rollouts", strategy: "blue-green" };
    await deploy({ ...argo, image: V1, action: "apply" });
    let result = await deploy({ ...argo, image: V2, action: "apply" });
    assert.equal(result.status, "ok", execution(result).summary);
    assert.match(execution(result).summary, /run action promote/);
    assert.ok(calls().some((c) => c.startsWith("port-forward -n staging service/shop-preview")));
    result = await deploy({ ...argo, action: "promote" });
    assert.equal(result.status, "ok", execution(result).summary);
    assert.ok(calls().includes(`patch rollout shop -n staging --type merge --subresource status -p {"status":{"pauseConditions":null}}`));
    assert.equal(obj("Rollout/staging/shop").status.phase, "Healthy");
  });

  it("promote on a canary paused at a pause step only clears the pause (like the plugin), never also skips a step", async () => {
    cluster();
    const argo: DeployInput = { target: "argo-rollouts", strategy: "canary", traffic: "replicas" };
    await deploy({ ...argo, image: V1, action: "apply" });
    const state = readCluster(clusterFile);
    const rollout = state.objects["Rollout/staging/shop"] as any;
    rollout.status = { ...rollout.status, phase: "Paused", currentStepIndex: 1, pauseConditions: [{ reason: "CanaryPauseStep", startTime: "2026-01-01T00:00:00Z" }] };
    writeCluster(clusterFile, state);
    const result = await deploy({ ...argo, action: "promote" });
    assert.equal(result.status, "ok", execution(result).summary);
    const promotes = calls().filter((c) => c.startsWith("patch rollout shop -n staging --type merge --subresource status"));
    assert.deepEqual(promotes, [`patch rollout shop -n staging --type merge --subresource status -p {"status":{"pauseConditions":null}}`]);
  });

  it("promote on an unpaused canary mid-step moves to the next step index", async () => {
    cluster();
    const argo: DeployInput = { target: "argo-rollouts", strategy: "canary", traffic: "replicas" };
    await deploy({ ...argo, image: V1, action: "apply" });
    const state = readCluster(clusterFile);
    const rollout = state.objects["Rollout/staging/shop"] as any;
    rollout.status = { ...rollout.status, phase: "Progressing", currentStepIndex: 2 };
    delete rollout.status.pauseConditions;
    writeCluster(clusterFile, state);
    await deploy({ ...argo, action: "promote" });
    assert.ok(calls().includes(`patch rollout shop -n staging --type merge --subresource status -p {"status":{"pauseConditions":null,"currentStepIndex":3}}`), calls().join("\n"));
  });

  it("abort action patches status.abort", async () => {
    cluster();
    await deploy({ target: "argo-rollouts", strategy: "canary", traffic: "replicas", image: V1, action: "apply" });
    const result = await deploy({ target: "argo-rollouts", strategy: "canary", traffic: "replicas", action: "abort" });
    assert.equal(result.status, "ok");
    assert.equal(obj("Rollout/staging/shop").status.abort, true);
  });

  it("with the kubectl-argo-rollouts plugin the plugin commands are used", async () => {
    cluster({ argoPlugin: true });
    await deploy({ target: "argo-rollouts", strategy: "canary", traffic: "replicas", image: V1, action: "apply" });
    await deploy({ target: "argo-rollouts", strategy: "canary", traffic: "replicas", action: "abort" }).catch(() => undefined);
    assert.ok(calls().includes("argo rollouts abort shop -n staging"));
  });
});

describe("deploy apply/plan: the Gateway in another namespace must admit the app's routes", () => {
  const routed: DeployInput = { strategy: "rolling", ingressHost: "{env}.shop.example.com", gateway: "infra/public" };
  const gateway = (listener: Record<string, unknown>) => ({
    "Gateway/infra/public": { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "public", namespace: "infra" }, spec: { gatewayClassName: "x", listeners: [{ name: "https", protocol: "HTTPS", port: 443, ...listener }] } },
  });

  it("a listener with the default from: Same refuses before anything is applied or written", async () => {
    cluster({ objects: gateway({}) });
    const result = await deploy({ ...routed, image: V1, action: "apply" });
    assert.equal(result.status, "failed");
    assert.match(execution(result).summary, /Gateway infra\/public does not admit HTTPRoutes from namespace staging: listener https admits routes from its own namespace only \(from: Same, the default\)\. Nothing was changed.*allowedRoutes\.namespaces\.from: All/);
    assert.ok(calls().includes("get gateway public -n infra -o json"));
    assert.ok(!calls().some((c) => c.startsWith("apply ")), calls().join("\n"));
    assert.equal(readTreeState(root, "shop", "staging").image, undefined, "the tree was not written");
  });

  it("plan reports the refusal as a failure instead of a diff", async () => {
    cluster({ objects: gateway({ allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { "gateway-access": "true" } } } } }) });
    const result = await deploy({ ...routed, image: V1, action: "plan" });
    assert.equal(result.status, "failed");
    assert.ok(result.warnings.some((w) => /staging: Gateway infra\/public does not admit HTTPRoutes from namespace staging: listener https admits routes from namespaces matching its selector/.test(w)), result.warnings.join("\n"));
    assert.ok(!calls().some((c) => c.startsWith("diff ")));
  });

  it("from: All admits: apply goes ahead; an unreadable Gateway is a warning", async () => {
    cluster({ objects: gateway({ allowedRoutes: { namespaces: { from: "All" } } }) });
    const result = await deploy({ ...routed, image: V1, action: "apply" });
    assert.equal(result.status, "ok", execution(result).summary);
    assert.equal(obj("HTTPRoute/staging/shop").spec.hostnames[0], "staging.shop.example.com");
    assert.ok(!result.warnings.some((w) => w.includes("cannot read Gateway")));
    const missing = await deploy({ ...routed, gateway: "infra/other", image: V1, action: "apply" });
    assert.equal(missing.status, "ok", execution(missing).summary);
    assert.ok(missing.warnings.some((w) => /cannot read Gateway infra\/other .*not checked/.test(w)), missing.warnings.join("\n"));
  });
});
