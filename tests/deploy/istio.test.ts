import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { selectorMatches } from "../../mcp-server/src/engine/validate/deploy-selectors.ts";
import { tempDir } from "../helpers.ts";
import { type DeployInput, FAKE_KUBECTL, readCluster, runDeploy, startServer, writeCluster } from "./helpers.ts";

// With --traffic istio the pods run Istio sidecars: the NetworkPolicies must let in what actually arrives (the
// ingress controller that serves the Ingress, the Istio ingress gateway, sidecar callers) and let the sidecar reach
// istiod; restricted Pod Security with sidecars needs Istio's CNI plugin, and that must be said, not left to fail.
const IMAGE = "ghcr.io/acme/shop:1.2.3";

type Policy = { kind: string; metadata: { name: string }; spec: any };
function policiesIn(root: string): Policy[] {
  const text = readFileSync(join(root, "deploy", "shop", "base", "networkpolicy.yaml"), "utf8");
  return parseAllDocuments(text).map((d) => d.toJS() as Policy).filter((p) => p?.kind === "NetworkPolicy");
}
const namespacesOf = (peers: any[]) => peers.map((p) => p.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"]);

describe("deploy --traffic istio: policies and namespaces fit a mesh", () => {
  for (const target of ["kubernetes", "argo-rollouts"] as const) {
    it(`${target}: ingress from the Ingress controller, the Istio gateway and sidecar callers; egress to istiod; CNI requirement stated`, async () => {
      const root = tempDir("sd-istio-gen-");
      const result = await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, strategy: "canary", target, traffic: "istio", ingressHost: "shop.example.com", ingressClass: "nginx", environments: ["staging"] });
      assert.equal(result.status, "ok", JSON.stringify(result.validations.filter((v) => !v.ok)));
      const policies = policiesIn(root);
      const byName = (name: string) => policies.find((p) => p.metadata.name === name);

      // The nginx-class Ingress is served from ingress-nginx; the Istio ingress gateway runs in istio-system.
      const ingress = byName("shop-allow-ingress");
      assert.deepEqual(namespacesOf(ingress?.spec.ingress[0].from), ["ingress-nginx", "istio-system"]);
      assert.deepEqual(ingress?.spec.ingress[0].ports, [{ protocol: "TCP", port: 8080 }]);

      // Sidecar-to-sidecar: callers in namespaces with injection (label or revision) reach the app's port.
      const mesh = byName("shop-allow-mesh");
      assert.ok(mesh, "a policy admits sidecar callers");
      assert.deepEqual(mesh.spec.policyTypes, ["Ingress"]);
      const peers = mesh.spec.ingress[0].from;
      assert.ok(peers.some((p: any) => p.namespaceSelector?.matchLabels?.["istio-injection"] === "enabled"));
      assert.ok(peers.some((p: any) => p.namespaceSelector?.matchExpressions?.some((e: any) => e.key === "istio.io/rev" && e.operator === "Exists")));
      assert.deepEqual(mesh.spec.ingress[0].ports, [{ protocol: "TCP", port: 8080 }]);
      // Its own namespace, which the engine labels for injection, matches too (canary and stable call each other's Services).
      assert.ok(peers.some((p: any) => p.namespaceSelector?.matchLabels && selectorMatches(p.namespaceSelector.matchLabels, { "istio-injection": "enabled", "kubernetes.io/metadata.name": "staging" })));

      // The sidecar gets its configuration and certificate from istiod.
      const istiod = byName("shop-allow-istiod");
      assert.ok(istiod, "a policy lets the sidecar reach istiod");
      assert.deepEqual(istiod.spec.policyTypes, ["Egress"]);
      assert.deepEqual(namespacesOf(istiod.spec.egress[0].to), ["istio-system"]);
      assert.deepEqual(istiod.spec.egress[0].ports.map((p: any) => p.port).sort(), [15012, 15017]);

      // Restricted Pod Security stays; the namespace is labelled for injection and the CNI requirement is said.
      const runbook = readFileSync(join(root, "deploy", "shop", "RUNBOOK.md"), "utf8");
      assert.match(runbook, /kubectl label namespace staging pod-security\.kubernetes\.io\/enforce=restricted .*istio-injection=enabled/);
      assert.match(runbook, /CNI plugin/);
      assert.match(runbook, /NET_ADMIN and NET_RAW/);
      assert.ok(result.warnings.some((w) => /istio-cni/.test(w) && /NET_ADMIN/.test(w)), result.warnings.join("\n"));
    });
  }

  it("--ingress-class istio: the Ingress enters through the Istio gateway, so only its namespace is let in from outside the mesh", async () => {
    const root = tempDir("sd-istio-class-");
    const result = await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, strategy: "canary", target: "kubernetes", traffic: "istio", ingressHost: "shop.example.com", ingressClass: "istio", environments: ["staging"] });
    assert.equal(result.status, "ok");
    assert.deepEqual(namespacesOf(policiesIn(root).find((p) => p.metadata.name === "shop-allow-ingress")?.spec.ingress[0].from), ["istio-system"]);
  });

  it("without Istio no mesh policies and no injection label", async () => {
    const root = tempDir("sd-istio-none-");
    const result = await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, strategy: "canary", target: "kubernetes", traffic: "gateway-api", gateway: "infra/public", environments: ["staging"] });
    assert.equal(result.status, "ok");
    const names = policiesIn(root).map((p) => p.metadata.name);
    assert.ok(!names.includes("shop-allow-mesh") && !names.includes("shop-allow-istiod"), names.join(","));
    assert.doesNotMatch(readFileSync(join(root, "deploy", "shop", "RUNBOOK.md"), "utf8"), /istio-injection/);
  });
});

describe("deploy --traffic istio: the engine's first apply creates the namespace for the mesh", () => {
  let healthy: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    healthy = await startServer(200);
    process.env.SENIOR_DEVOPS_KUBECTL = FAKE_KUBECTL;
    process.env.SENIOR_DEVOPS_POLL_MS = "50";
  });
  after(() => {
    healthy.server.close();
    delete process.env.SENIOR_DEVOPS_KUBECTL;
    delete process.env.FAKE_KUBECTL_STATE;
    delete process.env.SENIOR_DEVOPS_POLL_MS;
  });

  for (const traffic of ["istio", "gateway-api"] as const) {
    it(`${traffic}: a missing namespace is created with restricted Pod Security${traffic === "istio" ? " and sidecar injection" : ", no injection label"}`, async () => {
      const root = tempDir("sd-istio-apply-");
      const clusterFile = join(tempDir("sd-istio-cluster-"), "cluster.json");
      process.env.FAKE_KUBECTL_STATE = clusterFile;
      writeCluster(clusterFile, { healthyPort: healthy.port, namespaces: { "kube-system": {} }, daemonSets: ["istio-system/istio-cni-node", "kube-system/kube-proxy"] });
      const input: DeployInput = { path: root, app: "shop", image: IMAGE, port: 8080, strategy: "canary", target: "kubernetes", traffic, gateway: "infra/public", environments: ["staging"], timeoutSeconds: 8, pauseSeconds: 0, confirm: true, action: "apply" };
      const result = await runDeploy(input);
      assert.equal(result.status, "ok", JSON.stringify(result.details?.execution));
      const labels = readCluster(clusterFile).namespaces?.staging;
      assert.equal(labels?.["pod-security.kubernetes.io/enforce"], "restricted");
      assert.equal(labels?.["istio-injection"], traffic === "istio" ? "enabled" : undefined);
      assert.ok(readdirSync(join(root, "deploy", "shop")).includes("RUNBOOK.md"));
    });
  }

  it("istio without its CNI plugin: apply refuses before any change (restricted Pod Security would reject istio-init)", async () => {
    const root = tempDir("sd-istio-nocni-");
    const clusterFile = join(tempDir("sd-istio-cluster-"), "cluster.json");
    process.env.FAKE_KUBECTL_STATE = clusterFile;
    writeCluster(clusterFile, { healthyPort: healthy.port, namespaces: { "kube-system": {} }, daemonSets: ["kube-system/kube-proxy"] });
    const input: DeployInput = { path: root, app: "shop", image: IMAGE, port: 8080, strategy: "canary", target: "kubernetes", traffic: "istio", environments: ["staging"], timeoutSeconds: 8, pauseSeconds: 0, confirm: true, action: "apply" };
    const result = await runDeploy(input);
    assert.equal(result.status, "failed");
    assert.match((result.details?.execution as { summary: string }).summary, /Istio's CNI plugin is not running \(no DaemonSet istio-cni-node/);
    assert.equal(readCluster(clusterFile).namespaces?.staging, undefined, "no namespace created");
    assert.deepEqual(readdirSync(root), [], "nothing written");
  });

  it("istio where DaemonSets cannot be listed: a warning, the release goes on", async () => {
    const root = tempDir("sd-istio-forbidden-");
    const clusterFile = join(tempDir("sd-istio-cluster-"), "cluster.json");
    process.env.FAKE_KUBECTL_STATE = clusterFile;
    writeCluster(clusterFile, { healthyPort: healthy.port, namespaces: { "kube-system": {} } });
    const input: DeployInput = { path: root, app: "shop", image: IMAGE, port: 8080, strategy: "canary", target: "kubernetes", traffic: "istio", environments: ["staging"], timeoutSeconds: 8, pauseSeconds: 0, confirm: true, action: "apply" };
    const result = await runDeploy(input);
    assert.equal(result.status, "ok", JSON.stringify(result.details?.execution));
    assert.ok(result.warnings.some((w) => /cannot list DaemonSets .*istio-cni-node/.test(w)), result.warnings.join("\n"));
  });
});
