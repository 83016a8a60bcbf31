import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { CLI_BUNDLE, copyFixture } from "../integration/support.ts";
import { type LocalCluster, missingClusterTools, requireCluster, startCluster } from "./cluster.ts";
import { startServer } from "./helpers.ts";

// The deploy engine, as shipped (mcp-server/dist), against a REAL local control plane: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and kwok (fake nodes; pods become Running/Ready without a kubelet), on
// 127.0.0.1. Each flow goes staging then production and asserts the live objects after every step: which pods
// each Service selects, which image they run. The HTTP health gate goes to a loopback server (--health-url): kwok
// pods run no process to port-forward to.
const V1 = "ghcr.io/acme/shop:1.0.0";
const V2 = "ghcr.io/acme/shop:2.0.0";

// Some of these servers (the Argo Rollouts controller's metrics and health endpoints) bind every interface, so the
// suite runs in a private network namespace whose only interface is loopback: nothing it starts is reachable from
// outside this machine, whatever address it binds.
const INSIDE = process.env.SD_CLUSTER_NETNS === "1";
if (!INSIDE) {
  describe("deployments on a real local cluster (in a private network namespace)", () => {
    it("runs the cluster suite with loopback as the only interface", (t) => {
      if (!requireCluster(t)) return;
      const self = fileURLToPath(import.meta.url);
      // A fresh test run in the namespace (NODE_TEST_CONTEXT would make the child skip its tests).
      const env: NodeJS.ProcessEnv = { ...process.env, SD_CLUSTER_NETNS: "1" };
      delete env.NODE_TEST_CONTEXT;
      const r = spawnSync("unshare", ["--net", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', process.execPath, "--import", "tsx", "--test", "--test-reporter=spec", self], {
        env,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        timeout: 1_500_000,
      });
      process.stdout.write(r.stdout ?? "");
      process.stderr.write(r.stderr ?? "");
      assert.equal(r.status, 0, `cluster suite failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ""})`);
      const passed = Number(/^ℹ pass (\d+)$/m.exec(r.stdout ?? "")?.[1] ?? 0);
      const failed = Number(/^ℹ fail (\d+)$/m.exec(r.stdout ?? "")?.[1] ?? -1);
      assert.equal(failed, 0, "no failures inside the namespace");
      assert.ok(passed >= 14, `the cluster flows ran (${passed} passed)`);
    });
  });
}

let cluster: LocalCluster | undefined;
let healthy: { server: Server; port: number };
const dirs: string[] = [];
const fresh = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

interface CliResult {
  code: number;
  stderr: string;
  json: any;
}
/** `senior-devops deploy ROOT …` from the shipped bundle, against the local cluster. */
function deploy(root: string, args: string[], app = "shop"): Promise<CliResult> {
  const c = cluster as LocalCluster;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_BUNDLE, "deploy", root, "--app", app, "--port", "8080", "--json", ...args], {
      env: { ...c.env(), SENIOR_DEVOPS_POLL_MS: "500" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => {
      let json: any;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? 1, stderr, json });
    });
  });
}
const ok = (r: CliResult, what: string) => assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stderr.slice(-3000)}`);

/** Images of the Running, Ready pods a Service selects right now. */
function servedImages(ns: string, service: string): string[] {
  const c = cluster as LocalCluster;
  const svc = c.json(["get", "service", service, "-n", ns]);
  const selector = Object.entries(svc.spec.selector as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(",");
  const pods = c.json(["get", "pods", "-n", ns, "-l", selector]).items as any[];
  return pods
    .filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === "Running" && p.status?.conditions?.some((x: any) => x.type === "Ready" && x.status === "True"))
    .map((p) => p.spec.containers[0].image)
    .sort();
}
const imageOf = (ns: string, deployment: string) => (cluster as LocalCluster).json(["get", "deployment", deployment, "-n", ns]).spec.template.spec.containers[0].image;

/** Waits (bounded) until the Service selects only pods running `image` (old pods terminate asynchronously). */
async function servesOnly(ns: string, service: string, image: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let images: string[] = [];
  while (Date.now() < deadline) {
    images = servedImages(ns, service);
    if (images.length > 0 && images.every((i) => i === image)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`service ${ns}/${service} should serve only ${image}, serves ${JSON.stringify(images)}`);
}

if (INSIDE) describe("deployments on a real local cluster (kube-apiserver + controllers + kwok)", () => {
  before(async () => {
    healthy = await startServer(200);
    // One cluster for the suite; the Argo Rollouts controller joins it when it is installed.
    if (missingClusterTools(false).length === 0) cluster = await startCluster({ nodes: 2, argo: missingClusterTools(true).length === 0 });
  });
  after(async () => {
    healthy?.server.close();
    await cluster?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("the control plane is available (fails in CI when the tools are missing)", (t) => {
    if (!requireCluster(t)) return;
    assert.ok(cluster, "cluster started");
    assert.match(cluster.kubectl(["version", "-o", "json"]), /"gitVersion": "v1\.36\.3"/);
  });

  it("rolling: first deploy creates the namespace (not owned by the tree), staging then production, rollback", async (t) => {
    if (!requireCluster(t) || !cluster) return;
    const root = fresh("sd-kube-rolling-");
    const common = ["--strategy", "rolling", "--health-url", `http://127.0.0.1:${healthy.port}`, "--timeout-seconds", "120", "--replicas", "2"];
    ok(await deploy(root, [...common, "--image", V1]), "generate");
    ok(await deploy(root, [...common, "--image", V1, "--env", "staging", "--action", "apply", "--yes"]), "apply staging v1");
    // The namespace did not exist: the apply created it with restricted Pod Security, outside the tree.
    const ns = cluster.json(["get", "namespace", "staging"]);
    assert.equal(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    assert.doesNotMatch(readFileSync(join(root, "deploy/shop/overlays/staging/kustomization.yaml"), "utf8"), /namespace\.yaml/);
    await servesOnly("staging", "shop", V1);

    ok(await deploy(root, [...common, "--image", V1, "--env", "production", "--action", "apply", "--yes"]), "apply production v1");
    await servesOnly("production", "shop", V1);

    ok(await deploy(root, [...common, "--image", V2, "--env", "staging", "--action", "apply", "--yes"]), "apply staging v2");
    await servesOnly("staging", "shop", V2);
    // Per-environment release: the staging release changed neither production's live pods nor its overlay.
    await servesOnly("production", "shop", V1);
    assert.match(cluster.kubectl(["kustomize", join(root, "deploy/shop/overlays/production")]), new RegExp(`image: ${V1.replace(/[.]/g, "\\.")}`));

    const rolledBack = await deploy(root, [...common, "--env", "staging", "--action", "rollback", "--yes"]);
    ok(rolledBack, "rollback staging");
    await servesOnly("staging", "shop", V1);
    // `kubectl delete -k` of the overlay leaves the (shared) namespace alone.
    cluster.kubectl(["delete", "-k", join(root, "deploy/shop/overlays/staging"), "--wait=false"]);
    assert.equal(cluster.json(["get", "namespace", "staging"]).status.phase, "Active");
  });

  it("blue-green: staging promote and rollback never change production's live colour or its overlay", async (t) => {
    if (!requireCluster(t) || !cluster) return;
    const root = fresh("sd-kube-bg-");
    const common = ["--strategy", "blue-green", "--health-url", `http://127.0.0.1:${healthy.port}`, "--timeout-seconds", "120", "--replicas", "2"];
    const envs = ["--env", "bg-staging,bg-production"];
    ok(await deploy(root, [...common, ...envs, "--image", V1]), "generate v1");
    for (const env of ["bg-staging", "bg-production"]) {
      ok(await deploy(root, [...common, "--image", V1, "--env", env, "--action", "apply", "--yes"]), `apply ${env} v1`);
      await servesOnly(env, "shop", V1);
    }
    // v2 to staging: lands on the idle colour behind the preview Service; users stay on v1.
    ok(await deploy(root, [...common, "--image", V2, "--env", "bg-staging", "--action", "apply", "--yes"]), "apply staging v2");
    await servesOnly("bg-staging", "shop", V1);
    await servesOnly("bg-staging", "shop-preview", V2);
    // Load grew the live colour (as its HPA would); the promote must size the idle colour up before switching.
    cluster.kubectl(["scale", "deployment/shop-blue", "-n", "bg-staging", "--replicas=5"]);
    cluster.kubectl(["rollout", "status", "deployment/shop-blue", "-n", "bg-staging", "--timeout=120s"]);
    const promoted = await deploy(root, [...common, "--env", "bg-staging", "--action", "promote", "--yes"]);
    ok(promoted, "promote staging");
    assert.match(promoted.stderr, /scaling shop-green to 5/);
    await servesOnly("bg-staging", "shop", V2);
    assert.equal(servedImages("bg-staging", "shop").length, 5, "five ready green pods serve");
    // Production: still v1 live, and its overlay still says so.
    await servesOnly("bg-production", "shop", V1);
    const prodRender = cluster.kubectl(["kustomize", join(root, "deploy/shop/overlays/bg-production")]);
    assert.doesNotMatch(prodRender, new RegExp(V2.replace(/[.]/g, "\\.")), "production overlay untouched by the staging release");
    // A production apply of v2 is gated like staging's: idle colour first, live traffic unchanged.
    ok(await deploy(root, [...common, "--image", V2, "--env", "bg-production", "--action", "apply", "--yes"]), "apply production v2");
    await servesOnly("bg-production", "shop", V1);
    await servesOnly("bg-production", "shop-preview", V2);
    // Staging rollback: back to v1 on the colour that never went away, which its HPA meanwhile scaled down to the
    // minimum: the rollback sizes it like the live colour again before the switch.
    cluster.kubectl(["scale", "deployment/shop-blue", "-n", "bg-staging", "--replicas=2"]);
    const rolledBack = await deploy(root, [...common, "--env", "bg-staging", "--action", "rollback", "--yes"]);
    ok(rolledBack, "rollback staging");
    assert.match(rolledBack.stderr, /scaling shop-blue to 5/);
    await servesOnly("bg-staging", "shop", V1);
    assert.equal(servedImages("bg-staging", "shop").length, 5, "five ready blue pods serve again");
    await servesOnly("bg-production", "shop", V1);
    assert.equal(imageOf("bg-production", "shop-green"), V2);
  });

  it("canary (replicas split): stable keeps serving until promotion; production's stable untouched by staging", async (t) => {
    if (!requireCluster(t) || !cluster) return;
    const root = fresh("sd-kube-canary-");
    const common = ["--strategy", "canary", "--traffic", "replicas", "--canary-steps", "25,100", "--pause-seconds", "0", "--health-url", `http://127.0.0.1:${healthy.port}`, "--timeout-seconds", "120", "--replicas", "3"];
    const envs = ["--env", "cn-staging,cn-production"];
    ok(await deploy(root, [...common, ...envs, "--image", V1]), "generate v1");
    for (const env of ["cn-staging", "cn-production"]) {
      ok(await deploy(root, [...common, "--image", V1, "--env", env, "--action", "apply", "--yes"]), `apply ${env} v1`);
      await servesOnly(env, "shop", V1);
      assert.equal(imageOf(env, "shop-stable"), V1);
    }
    const staged = await deploy(root, [...common, "--image", V2, "--env", "cn-staging", "--action", "apply", "--yes"]);
    ok(staged, "canary staging v2");
    assert.match(staged.stderr, /canary 25%/);
    assert.equal(imageOf("cn-staging", "shop-stable"), V2);
    await servesOnly("cn-staging", "shop", V2);
    // Production: stable still v1, overlay still v1 for stable.
    assert.equal(imageOf("cn-production", "shop-stable"), V1);
    const prod = cluster.kubectl(["kustomize", join(root, "deploy/shop/overlays/cn-production")]);
    const stableDoc = prod.split(/^---$/m).find((d) => /name: shop-stable/.test(d) && /kind: Deployment/.test(d)) ?? "";
    assert.match(stableDoc, new RegExp(`image: ${V1.replace(/[.]/g, "\\.")}`));
  });

  for (const traffic of ["nginx", "gateway-api"] as const) {
    it(`canary with ${traffic} weights: the weight moves through its steps on the real API server, then stable runs v2 and the canary gets 0%`, async (t) => {
      if (!requireCluster(t) || !cluster) return;
      const ns = `cw-${traffic}`;
      const root = fresh(`sd-kube-weights-${traffic}-`);
      const exposure = traffic === "nginx" ? ["--ingress-class", "nginx"] : ["--gateway", "public"];
      const common = ["--strategy", "canary", "--traffic", traffic, ...exposure, "--ingress-host", "{env}.shop.example.com", "--canary-steps", "30,100", "--pause-seconds", "0", "--health-url", `http://127.0.0.1:${healthy.port}`, "--timeout-seconds", "120", "--replicas", "2", "--env", ns];
      ok(await deploy(root, [...common, "--image", V1]), "generate v1");
      ok(await deploy(root, [...common, "--image", V1, "--action", "apply", "--yes"]), "apply v1");
      const weight = () => traffic === "nginx"
        ? Number(cluster!.json(["get", "ingress", "shop-canary", "-n", ns]).metadata.annotations["nginx.ingress.kubernetes.io/canary-weight"])
        : Number(cluster!.json(["get", "httproute", "shop", "-n", ns]).spec.rules[0].backendRefs[1].weight);
      assert.equal(weight(), 0);
      const released = await deploy(root, [...common, "--image", V2, "--action", "apply", "--yes"]);
      ok(released, "canary v2");
      const steps = (released.json.details.execution.steps as { command?: string[]; detail?: string }[]).map((step) => JSON.stringify(step));
      assert.ok(steps.some((step) => step.includes(traffic === "nginx" ? "canary-weight=30" : '\\"value\\":30')), `the 30% step was sent:\n${steps.join("\n")}`);
      assert.equal(weight(), 0, "after promotion all traffic is on stable");
      assert.equal(imageOf(ns, "shop-stable"), V2);
      await servesOnly(ns, "shop", V2);
      const hostOf = traffic === "nginx"
        ? cluster.json(["get", "ingress", "shop", "-n", ns]).spec.rules[0].host
        : cluster.json(["get", "httproute", "shop", "-n", ns]).spec.hostnames[0];
      assert.equal(hostOf, `${ns}.shop.example.com`);
    });
  }

  it("Gateway API exposure: each environment's HTTPRoute carries its own host; a from: Same Gateway elsewhere is refused before any change", async (t) => {
    if (!requireCluster(t) || !cluster) return;
    // The cluster has the Gateway API CRDs but no Gateway controller: the routes are checked as objects, not served.
    const gateway = (name: string, from?: string) => [
      "apiVersion: gateway.networking.k8s.io/v1", "kind: Gateway", `metadata: {name: ${name}, namespace: gw-infra}`, "spec:",
      "  gatewayClassName: example", "  listeners:", "    - name: http", "      protocol: HTTP", "      port: 80",
      ...(from ? ["      allowedRoutes:", "        namespaces:", `          from: ${from}`] : []),
    ].join("\n");
    cluster.kubectl(["create", "namespace", "gw-infra"]);
    cluster.kubectl(["apply", "-f", "-"], { input: `${gateway("public", "All")}\n---\n${gateway("private")}\n` });
    const root = fresh("sd-kube-gw-");
    const common = ["--strategy", "rolling", "--ingress-host", "{env}.shop.example.com,gw-production=shop.example.com", "--health-url", `http://127.0.0.1:${healthy.port}`, "--timeout-seconds", "120", "--replicas", "2"];
    ok(await deploy(root, [...common, "--gateway", "gw-infra/public", "--env", "gw-staging,gw-production", "--image", V1]), "generate");
    for (const env of ["gw-staging", "gw-production"]) {
      ok(await deploy(root, [...common, "--gateway", "gw-infra/public", "--image", V1, "--env", env, "--action", "apply", "--yes"]), `apply ${env}`);
      await servesOnly(env, "shop", V1);
    }
    const staging = cluster.json(["get", "httproute", "shop", "-n", "gw-staging"]);
    const production = cluster.json(["get", "httproute", "shop", "-n", "gw-production"]);
    assert.deepEqual(staging.spec.hostnames, ["gw-staging.shop.example.com"]);
    assert.deepEqual(production.spec.hostnames, ["shop.example.com"]);
    for (const route of [staging, production]) {
      assert.deepEqual(route.spec.parentRefs.map((p: any) => [p.namespace, p.name]), [["gw-infra", "public"]]);
      assert.deepEqual(route.spec.rules[0].backendRefs.map((b: any) => b.name), ["shop"]);
    }
    assert.equal(cluster.kubectl(["get", "ingress", "-n", "gw-staging", "-o", "name"]).trim(), "", "no Ingress unless asked for");

    // The private Gateway keeps the default (from: Same): the apply refuses before creating or writing anything.
    const other = fresh("sd-kube-gw-refused-");
    const refused = await deploy(other, [...common, "--gateway", "gw-infra/private", "--image", V1, "--env", "gw-other", "--action", "apply", "--yes"]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.json.details.execution.summary, /Gateway gw-infra\/private does not admit HTTPRoutes from namespace gw-other: listener http admits routes from its own namespace only \(from: Same\)\. Nothing was changed/, "the API server stores the CRD default explicitly");
    assert.equal(cluster.kubectl(["get", "namespace", "gw-other"], { allowFail: true }), "", "the namespace was not created");
    assert.ok(!existsSync(join(other, "deploy")), "no tree written");
  });

  it("Istio canary: the first apply creates the namespace with restricted Pod Security and sidecar injection; the mesh policies are accepted", async (t) => {
    if (!requireCluster(t) || !cluster) return;
    const root = fresh("sd-kube-istio-");
    const common = ["--strategy", "canary", "--traffic", "istio", "--pause-seconds", "0", "--health-url", `http://127.0.0.1:${healthy.port}`, "--timeout-seconds", "120", "--replicas", "2"];
    ok(await deploy(root, [...common, "--env", "is-staging", "--image", V1]), "generate");
    // No Istio CNI node agent in the cluster: refused before anything changes.
    const refused = await deploy(root, [...common, "--image", V1, "--env", "is-staging", "--action", "apply", "--yes"]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.json.details.execution.summary, /Istio's CNI plugin is not running/);
    assert.equal(cluster.kubectl(["get", "namespace", "is-staging"], { allowFail: true }).includes("is-staging"), false, "no namespace created");
    // The istio-cni-node DaemonSet (a stand-in image; kwok runs its pods) lets the apply through.
    cluster.kubectl(["create", "namespace", "istio-system"]);
    cluster.kubectl(["apply", "-f", "-"], { input: JSON.stringify({
      apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "istio-cni-node", namespace: "istio-system", labels: { "k8s-app": "istio-cni-node" } },
      spec: { selector: { matchLabels: { "k8s-app": "istio-cni-node" } }, template: { metadata: { labels: { "k8s-app": "istio-cni-node" } }, spec: { containers: [{ name: "install-cni", image: "docker.io/istio/install-cni:1.29.1" }] } } },
    }) });
    ok(await deploy(root, [...common, "--image", V1, "--env", "is-staging", "--action", "apply", "--yes"]), "apply v1");
    const labels = cluster.json(["get", "namespace", "is-staging"]).metadata.labels;
    assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted");
    assert.equal(labels["istio-injection"], "enabled");
    const policies = (cluster.json(["get", "networkpolicy", "-n", "is-staging"]).items as any[]).map((p) => p.metadata.name).sort();
    assert.deepEqual(policies, ["shop-allow-dns", "shop-allow-ingress", "shop-allow-istiod", "shop-allow-mesh", "shop-default-deny"]);
    await servesOnly("is-staging", "shop", V1);
  });

  it("Argo canary (replicas, --analysis none): watched to the new generation, rollback after promotion restores the old image", async (t) => {
    if (!requireCluster(t, true) || !cluster) return;
    const root = fresh("sd-kube-argo-canary-");
    const common = ["--strategy", "canary", "--target", "argo-rollouts", "--traffic", "replicas", "--analysis", "none", "--canary-steps", "50,100", "--pause-seconds", "3", "--health-url", `http://127.0.0.1:${healthy.port}`, "--timeout-seconds", "150", "--replicas", "2"];
    ok(await deploy(root, [...common, "--env", "ar-staging,ar-production", "--image", V1]), "generate v1");
    for (const env of ["ar-staging", "ar-production"]) {
      ok(await deploy(root, [...common, "--image", V1, "--env", env, "--action", "apply", "--yes"]), `apply ${env} v1`);
      await servesOnly(env, "shop", V1);
    }
    ok(await deploy(root, [...common, "--image", V2, "--env", "ar-staging", "--action", "apply", "--yes"]), "apply staging v2");
    // The apply returned only once the controller had observed the new spec and finished: stable is v2 now.
    const rollout = cluster.json(["get", "rollout", "shop", "-n", "ar-staging"]);
    assert.equal(String(rollout.status.observedGeneration), String(rollout.metadata.generation));
    assert.equal(rollout.status.phase, "Healthy");
    const stable = cluster.json(["get", "replicaset", `shop-${rollout.status.stableRS}`, "-n", "ar-staging"]);
    assert.equal(stable.spec.template.spec.containers[0].image, V2);
    await servesOnly("ar-staging", "shop", V2);
    assert.equal(rollout.metadata.annotations["senior-devops/previous-image"], V1);
    // Rollback after the release completed: back to v1, and the overlay says v1 so the next apply keeps it.
    ok(await deploy(root, [...common, "--env", "ar-staging", "--action", "rollback", "--yes"]), "rollback staging");
    await servesOnly("ar-staging", "shop", V1);
    assert.match(readFileSync(join(root, "deploy/shop/overlays/ar-staging/kustomization.yaml"), "utf8"), new RegExp(V1.replace(/[.]/g, "\\.")));
    await servesOnly("ar-production", "shop", V1);
  });

  it("Argo blue-green with analysis: every `kubectl get -l` line of the runbook finds the live objects, AnalysisRuns included", async (t) => {
    if (!requireCluster(t, true) || !cluster) return;
    const c = cluster;
    const root = fresh("sd-kube-argo-runbook-");
    // No Prometheus answers here, so the pre-promotion analysis never passes and this apply ends rolled back; while
    // it waits, the AnalysisRun exists, which is all this test asks.
    const common = ["--strategy", "blue-green", "--target", "argo-rollouts", "--health-url", `http://127.0.0.1:${healthy.port}`, "--timeout-seconds", "40", "--replicas", "2"];
    ok(await deploy(root, [...common, "--env", "rb-staging", "--image", V1]), "generate v1");
    ok(await deploy(root, [...common, "--image", V1, "--env", "rb-staging", "--action", "apply", "--yes"]), "apply v1");
    const lines = readFileSync(join(root, "deploy/shop/RUNBOOK.md"), "utf8").split("\n").filter((l) => /^kubectl get \S+ -n rb-staging -l /.test(l));
    assert.ok(lines.some((l) => l.startsWith("kubectl get analysisrun ")), lines.join("\n"));
    const staged = deploy(root, [...common, "--image", V2, "--env", "rb-staging", "--action", "apply", "--yes"]);
    try {
      for (const line of lines) {
        const [, , kind, , ns, , selector] = line.split(" ");
        const deadline = Date.now() + 40_000;
        let found = 0;
        while (found === 0 && Date.now() < deadline) {
          found = (c.json(["get", kind ?? "", "-n", ns ?? "", "-l", selector ?? ""]).items as any[]).length;
          if (found === 0) await new Promise((r) => setTimeout(r, 500));
        }
        assert.ok(found > 0, `${line}: selects nothing`);
      }
    } finally {
      await staged;
    }
  });

  it("Argo blue-green (--analysis none): paused on the preview until promote, then the active Service serves v2", async (t) => {
    if (!requireCluster(t, true) || !cluster) return;
    const root = fresh("sd-kube-argo-bg-");
    const common = ["--strategy", "blue-green", "--target", "argo-rollouts", "--analysis", "none", "--health-url", `http://127.0.0.1:${healthy.port}`, "--timeout-seconds", "150", "--replicas", "2"];
    ok(await deploy(root, [...common, "--env", "ab-staging", "--image", V1]), "generate v1");
    ok(await deploy(root, [...common, "--image", V1, "--env", "ab-staging", "--action", "apply", "--yes"]), "apply v1");
    await servesOnly("ab-staging", "shop", V1);
    const staged = await deploy(root, [...common, "--image", V2, "--env", "ab-staging", "--action", "apply", "--yes"]);
    ok(staged, "apply v2");
    assert.match(staged.json.details.execution.summary, /run action promote/);
    assert.equal(cluster.json(["get", "rollout", "shop", "-n", "ab-staging"]).status.phase, "Paused");
    await servesOnly("ab-staging", "shop", V1);
    await servesOnly("ab-staging", "shop-preview", V2);
    ok(await deploy(root, [...common, "--env", "ab-staging", "--action", "promote", "--yes"]), "promote");
    await servesOnly("ab-staging", "shop", V2);
  });
  /**
   * The GitLab deploy job's own script (POSIX sh, run by dash as GitLab's docker image would run it with busybox),
   * on a project whose pipeline and overlays the shipped bundle generated: the digest the push job recorded reaches
   * the cluster, the job waits for it, and a release whose pods never become ready is rolled back.
   */
  const DIGEST_A = `sha256:${"a".repeat(64)}`;
  const DIGEST_B = `sha256:${"b".repeat(64)}`;
  function ciProject(prefix: string): { root: string; script: string } {
    const root = copyFixture("node-npm");
    dirs.push(root);
    const r = spawnSync(process.execPath, [CLI_BUNDLE, "pipeline", root, "--platform", "gitlab-ci", "--stages", "lint,test,build,security,docker,deploy", "--quiet"], { encoding: "utf8" });
    assert.equal(r.status, 0, `${prefix}: pipeline: ${r.stderr}`);
    const jobs = parse(readFileSync(join(root, ".gitlab-ci.yml"), "utf8")) as Record<string, { script?: string[] }>;
    const script = jobs["deploy-staging"]!.script!.at(-1)!;
    assert.match(script, /^deploy_overlay deploy\/orders-api\/overlays\/staging "\$CI_REGISTRY_IMAGE\/orders-api" "\$\{ORDERS_API_DIGEST:-\}"$/m);
    return { root, script };
  }
  function ciDeploy(root: string, script: string, digest: string, timeoutSeconds = 120) {
    const r = spawnSync("/bin/sh", ["-e", "-c", script], {
      cwd: root,
      encoding: "utf8",
      timeout: 420_000,
      env: { ...(cluster as LocalCluster).env(), CI_REGISTRY_IMAGE: "ghcr.io/acme", ORDERS_API_DIGEST: digest, DEPLOY_TIMEOUT_SECONDS: String(timeoutSeconds) },
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }
  const overlayFile = (root: string) => readFileSync(join(root, "deploy/orders-api/overlays/staging/kustomization.yaml"), "utf8");
  const noPinLeft = (root: string) => assert.deepEqual(readdirSync(root).filter((f) => f.startsWith(".deploy-pin.")), []);

  it("GitLab deploy job (rolling): sets the pushed digest, waits; a release that never gets ready is rolled back", async (t) => {
    if (!requireCluster(t) || !cluster) return;
    const { root, script } = ciProject("gl-rolling");
    const common = ["--strategy", "rolling", "--env", "staging", "--namespace", "gl-rolling", "--health-url", `http://127.0.0.1:${healthy.port}`, "--timeout-seconds", "120", "--replicas", "2"];
    ok(await deploy(root, [...common, "--image", "ghcr.io/acme/orders-api:1.0.0"], "orders-api"), "generate");
    // Someone allowed to create namespaces does the first release; CI's deploy account then only updates.
    ok(await deploy(root, [...common, "--image", "ghcr.io/acme/orders-api:1.0.0", "--action", "apply", "--yes"], "orders-api"), "first release");
    const committed = overlayFile(root);

    const first = ciDeploy(root, script, DIGEST_A);
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /deployment "orders-api" successfully rolled out/);
    assert.equal(imageOf("gl-rolling", "orders-api"), `ghcr.io/acme/orders-api@${DIGEST_A}`);
    await servesOnly("gl-rolling", "orders-api", `ghcr.io/acme/orders-api@${DIGEST_A}`);
    assert.equal(overlayFile(root), committed, "the committed overlay is left as it is");
    noPinLeft(root);

    // The next commit's pods can never be scheduled (a node selector no node has): the wait fails, the job fails
    // and the Deployment goes back to DIGEST_A while its pods keep serving.
    const kustomization = join(root, "deploy/orders-api/overlays/staging/kustomization.yaml");
    const broken = parse(committed) as { patches?: unknown[] };
    broken.patches = [...(broken.patches ?? []), { target: { kind: "Deployment", name: "orders-api" }, patch: stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "orders-api" }, spec: { template: { spec: { nodeSelector: { "example.com/no-such-pool": "true" } } } } }) }];
    writeFileSync(kustomization, stringify(broken));
    const failed = ciDeploy(root, script, DIGEST_B, 20);
    writeFileSync(kustomization, committed);
    assert.equal(failed.code, 1, failed.out);
    assert.match(failed.out, /ERROR: deployment\/orders-api did not become ready; rolling back/);
    assert.match(failed.out, /rolled back/);
    assert.equal(imageOf("gl-rolling", "orders-api"), `ghcr.io/acme/orders-api@${DIGEST_A}`);
    await servesOnly("gl-rolling", "orders-api", `ghcr.io/acme/orders-api@${DIGEST_A}`);
    noPinLeft(root);
  });

  it("GitLab deploy job (Argo canary): the digest goes through the Rollout's steps, each pause promoted, until Healthy; a stuck release is aborted", async (t) => {
    if (!requireCluster(t, true) || !cluster) return;
    const { root, script } = ciProject("gl-argo");
    const common = ["--strategy", "canary", "--target", "argo-rollouts", "--traffic", "replicas", "--analysis", "none", "--canary-steps", "50,100", "--pause-seconds", "3", "--env", "staging", "--namespace", "gl-argo", "--health-url", `http://127.0.0.1:${healthy.port}`, "--timeout-seconds", "150", "--replicas", "2"];
    ok(await deploy(root, [...common, "--image", "ghcr.io/acme/orders-api:1.0.0"], "orders-api"), "generate");
    ok(await deploy(root, [...common, "--image", "ghcr.io/acme/orders-api:1.0.0", "--action", "apply", "--yes"], "orders-api"), "first release");
    const r = ciDeploy(root, script, DIGEST_A, 150);
    assert.equal(r.code, 0, r.out);
    const rollout = cluster.json(["get", "rollout", "orders-api", "-n", "gl-argo"]);
    assert.equal(String(rollout.status.observedGeneration), String(rollout.metadata.generation));
    assert.equal(rollout.status.phase, "Healthy");
    const stable = cluster.json(["get", "replicaset", `orders-api-${rollout.status.stableRS}`, "-n", "gl-argo"]);
    assert.equal(stable.spec.template.spec.containers[0].image, `ghcr.io/acme/orders-api@${DIGEST_A}`);
    await servesOnly("gl-argo", "orders-api", `ghcr.io/acme/orders-api@${DIGEST_A}`);
    noPinLeft(root);

    // A release whose canary pods never get scheduled: the job gives up, aborts the Rollout (the controller sends
    // everything back to the stable ReplicaSet) and fails.
    const kustomization = join(root, "deploy/orders-api/overlays/staging/kustomization.yaml");
    const committed = readFileSync(kustomization, "utf8");
    const broken = parse(committed) as { patches?: unknown[] };
    broken.patches = [...(broken.patches ?? []), { target: { kind: "Rollout", name: "orders-api" }, patch: stringify([{ op: "add", path: "/spec/template/spec/nodeSelector", value: { "example.com/no-such-pool": "true" } }]) }];
    writeFileSync(kustomization, stringify(broken));
    const failed = ciDeploy(root, script, DIGEST_B, 20);
    writeFileSync(kustomization, committed);
    assert.equal(failed.code, 1, failed.out);
    assert.match(failed.out, /ERROR: rollout\/orders-api ended \w+; aborting/);
    const aborted = cluster.json(["get", "rollout", "orders-api", "-n", "gl-argo"]);
    assert.equal(aborted.status.abort, true);
    assert.equal(aborted.status.stableRS, rollout.status.stableRS, "stable is still the DIGEST_A ReplicaSet");
    await servesOnly("gl-argo", "orders-api", `ghcr.io/acme/orders-api@${DIGEST_A}`);
  });
  it("Helm chart (--format helm, rolling): helm upgrade --install rolls out v1, an upgrade v2, helm rollback v1 again", async (t) => {
    if (!requireCluster(t) || !cluster) return;
    if (spawnSync("helm", ["version"]).status !== 0) {
      if (process.env.CI) assert.fail("helm not found: run .ci/install-tools");
      t.skip("helm not found");
      return;
    }
    const root = fresh("sd-kube-helm-");
    const common = ["--format", "helm", "--strategy", "rolling", "--env", "staging", "--namespace", "hl-staging", "--replicas", "2"];
    ok(await deploy(root, [...common, "--image", V1, "--allow-any-root"]), "generate the chart for v1");
    cluster.kubectl(["create", "namespace", "hl-staging"]);
    cluster.kubectl(["label", "namespace", "hl-staging", "pod-security.kubernetes.io/enforce=restricted"]);
    const chart = join(root, "deploy/shop/chart");
    const helm = (args: string[]) => {
      const r = spawnSync("helm", args, { env: (cluster as LocalCluster).env(), encoding: "utf8", timeout: 240_000 });
      assert.equal(r.status, 0, `helm ${args.join(" ")}:\n${r.stdout}${r.stderr}`);
      return r.stdout;
    };
    const upgrade = () => helm(["upgrade", "--install", "shop", chart, "--namespace", "hl-staging", "-f", join(chart, "values-staging.yaml"), "--wait", "--timeout", "180s"]);
    upgrade();
    await servesOnly("hl-staging", "shop", V1);
    ok(await deploy(root, [...common, "--image", V2, "--allow-any-root"]), "regenerate the chart for v2");
    assert.match(readFileSync(join(chart, "values-staging.yaml"), "utf8"), /shop:2\.0\.0/);
    upgrade();
    await servesOnly("hl-staging", "shop", V2);
    helm(["rollback", "shop", "1", "--namespace", "hl-staging", "--wait", "--timeout", "180s"]);
    await servesOnly("hl-staging", "shop", V1);
    assert.match(helm(["history", "shop", "--namespace", "hl-staging"]), /Rollback to 1/);
  });
});
