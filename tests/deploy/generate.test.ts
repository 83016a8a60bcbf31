import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { validateKubernetes } from "../../mcp-server/src/engine/validate/kubernetes.ts";
import { selectorMatches } from "../../mcp-server/src/engine/validate/deploy-selectors.ts";
import { validateOverlays } from "../../mcp-server/src/engine/deploy/kustomize.ts";
import { readTreeState } from "../../mcp-server/src/engine/deploy/state.ts";
import { tempDir } from "../helpers.ts";
import { type DeployInput, requireKubectl, runDeploy } from "./helpers.ts";

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: any };

const COMBOS: [DeployInput["strategy"], DeployInput["target"], DeployInput["traffic"]][] = [];
for (const target of ["kubernetes", "argo-rollouts"] as const) {
  for (const strategy of ["rolling", "recreate", "blue-green"] as const) COMBOS.push([strategy, target, undefined]);
  for (const traffic of ["replicas", "nginx", "gateway-api", "istio"] as const) COMBOS.push(["canary", target, traffic]);
}
const IMAGE = "ghcr.io/acme/shop:1.2.3";
/** Both accepted forms: a {env} pattern, and an explicit pair for production on the apex. */
const HOSTS = "{env}.shop.example.com,production=shop.example.com";
const HOST_OF: Record<string, string> = { staging: "staging.shop.example.com", production: "shop.example.com" };

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}
function objectsIn(text: string): Obj[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Obj).filter((o) => o !== null);
}
const podLabels = (o: Obj): Record<string, string> => o.spec.template.metadata.labels;

async function generate(strategy: DeployInput["strategy"], target: DeployInput["target"], traffic: DeployInput["traffic"]) {
  const root = tempDir("sd-deploy-gen-");
  const result = await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, strategy, target, traffic, ingressHost: HOSTS, gateway: "infra/public", environments: ["staging", "production"] });
  return { root, result };
}

describe("deploy generate: every strategy × target × traffic", () => {
  for (const [strategy, target, traffic] of COMBOS) {
    it(`${strategy} on ${target}${traffic ? ` with ${traffic}` : ""}: schema-valid, hardened, selectors right, kustomize renders`, async (t) => {
      const { root, result } = await generate(strategy, target, traffic);
      assert.equal(result.status, "ok", JSON.stringify(result.validations.filter((v) => !v.ok)));
      assert.ok(result.validations.length > 0);
      for (const v of result.validations) assert.ok(v.ok, `${v.path} ${v.validator}: ${v.messages.join("; ")}`);
      assert.ok(result.validations.some((v) => v.validator === "kubernetes-schema"));
      assert.ok(result.validations.some((v) => v.validator === "deploy-selectors"));
      const builds = result.validations.filter((v) => v.validator === "kustomize-build");
      assert.deepEqual(builds.map((v) => v.path), ["deploy/shop/overlays/staging/kustomization.yaml", "deploy/shop/overlays/production/kustomization.yaml"]);

      const base = join(root, "deploy", "shop", "base");
      const files = walk(join(root, "deploy", "shop")).filter((f) => f.endsWith(".yaml") && !f.endsWith("kustomization.yaml"));
      const objects: Obj[] = [];
      for (const file of files) {
        const content = readFileSync(file, "utf8");
        // Independent check of every object with kubernetes-models / argo-rollouts / gateway-api / istio schemas.
        const v = await validateKubernetes({ path: file, content, kind: "kubernetes" });
        assert.ok(v.ok, `${file}: ${v.messages.join("; ")}`);
        if (file.startsWith(base)) objects.push(...objectsIn(content));
      }
      const kinds = objects.map((o) => o.kind);
      const workloads = objects.filter((o) => o.kind === "Deployment" || o.kind === "Rollout");
      assert.ok(workloads.length > 0);

      // Hardened pods: every seed default.
      for (const w of workloads) {
        const pod = w.spec.template.spec;
        const [c] = pod.containers;
        assert.equal(c.image, IMAGE);
        assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.cpu && c.resources.limits.memory);
        assert.ok(c.startupProbe && c.livenessProbe && c.readinessProbe);
        // A slow start is the startup probe's job: 5 minutes of budget, and no stricter timeout than liveness.
        assert.ok(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold >= 300);
        assert.ok((c.startupProbe.timeoutSeconds ?? 1) >= (c.livenessProbe.timeoutSeconds ?? 1), "startup probe timeout at least the liveness one");
        assert.equal(c.livenessProbe.httpGet.path, "/healthz");
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.ok(pod.securityContext.runAsUser > 0);
        assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
        assert.equal(c.securityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"]);
        assert.equal(c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === "/tmp")?.name, "tmp");
        assert.ok(pod.volumes.find((v: { name: string; emptyDir?: object }) => v.name === "tmp" && v.emptyDir));
        assert.equal(pod.automountServiceAccountToken, false);
        assert.equal(pod.serviceAccountName, "shop");
        assert.equal(pod.topologySpreadConstraints.length, 2);
        for (const tsc of pod.topologySpreadConstraints) assert.ok(selectorMatches(tsc.labelSelector.matchLabels, podLabels(w)));
        assert.ok(selectorMatches(w.spec.selector.matchLabels, podLabels(w)), `${w.metadata.name} selector`);
        assert.ok(!String(c.image).endsWith(":latest"));
      }
      const sa = objects.find((o) => o.kind === "ServiceAccount");
      assert.equal((sa as unknown as { automountServiceAccountToken: boolean }).automountServiceAccountToken, false);
      assert.ok(kinds.includes("PodDisruptionBudget"));
      for (const hpa of objects.filter((o) => o.kind === "HorizontalPodAutoscaler")) {
        assert.equal(hpa.apiVersion, "autoscaling/v2");
        assert.equal(hpa.spec.behavior.scaleUp.stabilizationWindowSeconds, 60);
        assert.deepEqual(hpa.spec.behavior.scaleUp.policies, [{ type: "Percent", value: 50, periodSeconds: 60 }]);
        assert.equal(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds, 300);
        assert.deepEqual(hpa.spec.behavior.scaleDown.policies, [{ type: "Percent", value: 25, periodSeconds: 120 }]);
        assert.ok(workloads.some((w) => w.kind === hpa.spec.scaleTargetRef.kind && w.metadata.name === hpa.spec.scaleTargetRef.name), "HPA targets a generated workload");
      }
      const policies = objects.filter((o) => o.kind === "NetworkPolicy");
      const deny = policies.find((p) => p.metadata.name === "shop-default-deny");
      assert.deepEqual(deny?.spec.policyTypes, ["Ingress", "Egress"]);
      assert.equal(deny?.spec.ingress, undefined);
      assert.equal(deny?.spec.egress, undefined);
      const allowIngress = policies.find((p) => p.metadata.name === "shop-allow-ingress");
      // Traffic enters through the Gateway's proxies (the default exposure) or, chosen explicitly, ingress-nginx; with
      // Istio the Istio gateway's namespace comes on top.
      const entry = traffic === "nginx" ? "ingress-nginx" : "infra";
      assert.deepEqual(allowIngress?.spec.ingress[0].from.map((f: any) => f.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]), traffic === "istio" ? [entry, "istio-system"] : [entry], "the namespaces whose proxies carry traffic in (Gateway API: the Gateway's)");
      const dns = policies.find((p) => p.metadata.name === "shop-allow-dns");
      assert.deepEqual(dns?.spec.egress[0].ports.map((p: { port: number }) => p.port), [53, 53]);
      for (const p of policies) assert.ok(workloads.some((w) => selectorMatches(p.spec.podSelector.matchLabels, podLabels(w))));
      const monitoring = policies.find((p) => p.metadata.name === "shop-allow-monitoring");
      if (target === "argo-rollouts" && (strategy === "canary" || strategy === "blue-green")) {
        assert.equal(monitoring?.spec.ingress[0].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"], "monitoring", "Prometheus may scrape what the analysis reads");
      } else {
        assert.equal(monitoring, undefined, "no metrics used: nothing but the ingress controller gets in");
      }

      // Services select the pods they should.
      const services = new Map(objects.filter((o) => o.kind === "Service").map((s) => [s.metadata.name, s]));
      const selects = (service: string) => workloads.filter((w) => selectorMatches(services.get(service)?.spec.selector, podLabels(w))).map((w) => w.metadata.name).sort();
      if (target === "kubernetes" && strategy === "blue-green") {
        assert.deepEqual(selects("shop"), ["shop-blue"], "active Service selects exactly the live colour");
        assert.deepEqual(selects("shop-preview"), ["shop-green"], "preview Service selects exactly the idle colour");
        assert.equal(services.get("shop")?.spec.selector.color, "blue");
      } else if (target === "kubernetes" && strategy === "canary") {
        assert.deepEqual(selects("shop-canary"), ["shop-canary"]);
        assert.deepEqual(selects("shop"), traffic === "replicas" ? ["shop-canary", "shop-stable"] : ["shop-stable"], "with a traffic router the stable Service carries only stable pods");
        const canary = workloads.find((w) => w.metadata.name === "shop-canary");
        assert.equal(canary?.spec.replicas, 0, "the canary starts with no pods");
      } else if (target === "kubernetes") {
        assert.deepEqual(selects("shop"), ["shop"]);
        assert.deepEqual(workloads[0]?.spec.strategy, strategy === "rolling" ? { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } : { type: "Recreate" });
      } else {
        const rollout = workloads[0] as Obj;
        for (const name of services.keys()) assert.deepEqual(selects(name), ["shop"]);
        if (strategy === "blue-green") {
          const bg = rollout.spec.strategy.blueGreen;
          assert.equal(bg.activeService, "shop");
          assert.equal(bg.previewService, "shop-preview");
          assert.equal(bg.autoPromotionEnabled, false);
          // The preview runs at full size (no previewReplicaCount), so the switch never lands on fewer pods, and the
          // old ReplicaSet stays up a moment after it.
          assert.equal(bg.previewReplicaCount, undefined);
          assert.ok(bg.scaleDownDelaySeconds >= 30);
          assert.equal(bg.prePromotionAnalysis.templates[0].templateName, "shop-analysis");
          assert.ok(services.has("shop-preview"));
        } else {
          const canary = rollout.spec.strategy.canary;
          if (strategy === "canary") {
            assert.deepEqual(canary.steps, [
              { setWeight: 5 }, { pause: { duration: "600s" } },
              { setWeight: 25 }, { pause: { duration: "600s" } },
              { setWeight: 50 }, { pause: { duration: "600s" } },
            ], "the seeds' ladder 5 → 25 → 50 → 100");
            assert.equal(canary.analysis.templates[0].templateName, "shop-analysis");
            if (traffic === "nginx") assert.equal(canary.trafficRouting.nginx.stableIngress, "shop");
            // Host-level split: the analysis tells canary from stable by Service, which subsets of one Service cannot.
            if (traffic === "istio") assert.deepEqual(canary.trafficRouting.istio, { virtualService: { name: "shop", routes: ["primary"] } });
            if (traffic === "gateway-api") assert.equal(canary.trafficRouting.plugins["argoproj-labs/gatewayAPI"].httpRoute, "shop");
            if (traffic === "replicas") assert.equal(canary.trafficRouting, undefined);
            assert.equal(canary.canaryService, "shop-canary");
            // Without a router the pod ratio behind the app's Service is the split: Argo must not pin that Service to
            // the stable pods (issue 10, defect 6), so only the routed canaries name a stableService.
            assert.equal(canary.stableService, traffic === "replicas" ? undefined : "shop");
            const args = Object.fromEntries(canary.analysis.args.filter((a: { value?: string }) => a.value).map((a: { name: string; value: string }) => [a.name, a.value]));
            assert.deepEqual(args, { "service-name": "shop-canary", "baseline-service": "shop" }, "the analysis compares the canary with the stable Service, never a Service with itself");
          } else if (strategy === "recreate") {
            assert.equal(canary.maxSurge, 0);
            assert.equal(canary.maxUnavailable, "100%");
          } else {
            assert.equal(canary.maxSurge, 1);
            assert.equal(canary.maxUnavailable, 0);
          }
        }
        if (strategy === "canary" || strategy === "blue-green") {
          const analysis = objects.find((o) => o.kind === "AnalysisTemplate");
          assert.ok(analysis);
          const metrics = analysis.spec.metrics as { name: string; successCondition: string; failureCondition: string; failureLimit: number; provider: { prometheus: { query: string } } }[];
          assert.deepEqual(metrics.map((m) => m.name), ["success-rate", "error-rate-vs-baseline", "latency-p99"]);
          assert.equal(metrics[1]?.failureCondition, "len(result) > 0 && result[0] > 2", "abort when errors exceed 2x baseline");
          // No data (empty or NaN result) must be neither a pass nor an expression error: both conditions guard
          // on a value, so Argo records Inconclusive and pauses the rollout.
          for (const m of metrics) {
            assert.equal((m as unknown as { initialDelay: string }).initialDelay, "2m", "first measurement after one full [2m] rate window of the new version");
            assert.ok(m.provider.prometheus.query.includes("[2m]"));
            assert.match(m.successCondition, /^len\(result\) > 0 && result\[0\] (>=|<=) [0-9.]+$/);
            assert.match(m.failureCondition, /^len\(result\) > 0 && result\[0\] (<|>) [0-9.]+$/);
          }
          // A healthy version with no 5xx series yet reads as 0 errors, not as "no data".
          for (const m of metrics.slice(0, 2)) assert.ok(m.provider.prometheus.query.includes('status=~"5.."}[2m])) or vector(0))'), m.provider.prometheus.query);
          for (const m of metrics) assert.ok(m.failureLimit >= 0 && m.provider.prometheus.query.length > 0);
        }
      }
      // Traffic objects for canaries.
      if (strategy === "canary" && traffic === "nginx" && target === "kubernetes") {
        const canaryIngress = objects.find((o) => o.kind === "Ingress" && o.metadata.name === "shop-canary");
        assert.equal(canaryIngress?.metadata.annotations?.["nginx.ingress.kubernetes.io/canary"], "true");
        assert.equal(canaryIngress?.metadata.annotations?.["nginx.ingress.kubernetes.io/canary-weight"], "0");
        assert.equal(canaryIngress?.spec.rules[0].http.paths[0].backend.service.name, "shop-canary");
      }
      if (strategy === "canary" && traffic === "gateway-api") {
        const route = objects.find((o) => o.kind === "HTTPRoute");
        assert.deepEqual(route?.spec.parentRefs, [{ name: "public", namespace: "infra" }]);
        assert.deepEqual(route?.spec.rules[0].backendRefs.map((b: { name: string; weight: number }) => [b.name, b.weight]), [["shop", 100], ["shop-canary", 0]]);
      }
      if (strategy === "canary" && traffic === "istio") {
        const vs = objects.find((o) => o.kind === "VirtualService");
        assert.deepEqual(vs?.spec.hosts, ["shop"]);
        assert.deepEqual(vs?.spec.http[0].route.map((r: { destination: { host: string; subset?: string }; weight: number }) => [r.destination.host, r.destination.subset, r.weight]), [["shop", undefined, 100], ["shop-canary", undefined, 0]]);
        assert.equal(objects.find((o) => o.kind === "DestinationRule"), undefined, "host-level split needs no subsets");
        for (const r of vs?.spec.http[0].route ?? []) assert.ok(services.has(r.destination.host), `VirtualService routes to a generated Service (${r.destination.host})`);
      }
      // Exposure: Gateway API by default for every strategy; an Ingress only for the explicitly chosen nginx.
      if (traffic === "nginx") {
        assert.ok(kinds.includes("Ingress"), "--traffic nginx exposes through an Ingress (legacy)");
        assert.ok(!kinds.includes("HTTPRoute"));
        assert.ok(result.warnings.some((w) => w.includes("ingress-nginx controller was retired in March 2026")), result.warnings.join("\n"));
      } else {
        assert.ok(!kinds.includes("Ingress"), "no Ingress unless one is chosen explicitly");
        const route = objects.find((o) => o.kind === "HTTPRoute");
        assert.deepEqual(route?.spec.parentRefs, [{ name: "public", namespace: "infra" }]);
        if (traffic !== "gateway-api") {
          // One backend: the live Service (blue-green: the active one; Argo blue-green: its activeService).
          assert.deepEqual(route?.spec.rules[0].backendRefs, [{ name: "shop", port: 80 }]);
        }
        assert.ok(!result.warnings.some((w) => w.includes("retired")), "no legacy warning on the default path");
        // The Gateway lives in infra: its listener must admit the app's namespaces.
        const note = /Gateway infra\/public is in another namespace than the app: its listener must admit routes from namespace\(s\) staging, production \(allowedRoutes\.namespaces\.from: All/;
        assert.ok(result.nextSteps.some((s) => note.test(s)), result.nextSteps.join("\n"));
        assert.match(readFileSync(join(root, "deploy", "shop", "RUNBOOK.md"), "utf8"), note);
      }

      // The base is the same for every environment: no host in it; each overlay adds its own.
      for (const o of objects.filter((x) => x.kind === "Ingress" || x.kind === "HTTPRoute")) {
        assert.equal(o.spec.hostnames, undefined);
        assert.equal(o.spec.tls, undefined);
        assert.ok((o.spec.rules ?? []).every((r: { host?: string }) => r.host === undefined), `${o.kind}/${o.metadata.name} host left to the overlays`);
      }
      // The runbook names this app, its namespaces and this strategy's commands.
      const runbook = readFileSync(join(root, "deploy", "shop", "RUNBOOK.md"), "utf8");
      assert.ok(runbook.includes(`--ingress-host '${HOSTS}'`), "the engine command carries --ingress-host verbatim");
      assert.match(runbook, /overlays\/production\/`: namespace `production`, host `shop\.example\.com`/);
      assert.ok(result.nextSteps.some((s) => s.includes(`--ingress-host '${HOSTS}'`)), result.nextSteps.join("\n"));
      assert.match(runbook, /kubectl apply -k deploy\/shop\/overlays\/production --dry-run=server/);
      assert.match(runbook, /-n production/);
      if (target === "argo-rollouts") assert.match(runbook, /kubectl argo rollouts abort shop -n staging/);
      if (target === "kubernetes" && strategy === "blue-green") assert.ok(runbook.includes(`kubectl patch service shop -n staging --type merge -p '{"metadata":{"annotations":{"senior-devops/previous-color":"blue"}},"spec":{"selector":{"color":"green"}}}'`));
      if (target === "kubernetes" && (strategy === "rolling" || strategy === "recreate")) assert.match(runbook, /kubectl rollout undo deployment\/shop -n staging/);

      // kubectl kustomize renders every overlay, and the rendered objects validate and keep their selectors.
      const kubectl = requireKubectl(t);
      if (!kubectl) return;
      for (const env of ["staging", "production"]) {
        const rendered = execFileSync(kubectl, ["kustomize", join(root, "deploy", "shop", "overlays", env)], { encoding: "utf8" });
        const v = await validateKubernetes({ path: `rendered-${env}`, content: rendered, kind: "kubernetes" });
        assert.ok(v.ok, v.messages.join("; "));
        const renderedObjects = objectsIn(rendered);
        assert.ok(renderedObjects.length >= objects.length);
        for (const o of renderedObjects) {
          // No Namespace in the tree: `kubectl delete -k` must never delete a namespace other apps may share.
          assert.notEqual(o.kind, "Namespace");
          assert.equal(o.metadata.namespace, env, `${o.kind}/${o.metadata.name} namespaced`);
          assert.equal(o.metadata.labels?.["app.kubernetes.io/environment"], env);
        }
        // Each environment serves its own host (Ingress rule and TLS entry, or HTTPRoute hostnames).
        for (const ing of renderedObjects.filter((o) => o.kind === "Ingress")) {
          assert.deepEqual(ing.spec.rules.map((r: { host: string }) => r.host), [HOST_OF[env]], `${env} Ingress/${ing.metadata.name} host`);
          assert.deepEqual(ing.spec.tls, [{ hosts: [HOST_OF[env]], secretName: "shop-tls" }]);
        }
        for (const route of renderedObjects.filter((o) => o.kind === "HTTPRoute")) assert.deepEqual(route.spec.hostnames, [HOST_OF[env]], `${env} HTTPRoute hostnames`);
        for (const w of renderedObjects.filter((o) => o.kind === "Deployment" || o.kind === "Rollout")) {
          assert.ok(selectorMatches(w.spec.selector.matchLabels, podLabels(w)), "kustomize labels did not break selectors");
          assert.equal(podLabels(w)["app.kubernetes.io/environment"], undefined, "selectors/pod labels untouched (includeSelectors false)");
        }
      }
    });
  }
});

describe("deploy generate: idempotence, state and defaults", () => {
  it("the pre-write kustomize check fails on an overlay that does not build, and on rendered objects that do not validate", async (t) => {
    if (!requireKubectl(t)) return;
    const files = [
      { path: "deploy/x/overlays/dev/kustomization.yaml", content: "resources:\n  - ../../base\n", kind: "kustomization" as const },
      { path: "deploy/x/base/kustomization.yaml", content: "resources:\n  - missing.yaml\n", kind: "kustomization" as const },
      { path: "deploy/y/overlays/dev/kustomization.yaml", content: "resources:\n  - svc.yaml\n", kind: "kustomization" as const },
      { path: "deploy/y/overlays/dev/svc.yaml", content: "apiVersion: v1\nkind: Service\nmetadata:\n  name: y\nspec:\n  ports:\n    - port: not-a-number\n", kind: "kubernetes" as const },
    ];
    const [x, y] = await validateOverlays(files, ["deploy/x/overlays/dev", "deploy/y/overlays/dev"]);
    assert.equal(x?.ok, false);
    assert.match(x?.messages.join(" ") ?? "", /missing\.yaml/);
    assert.equal(y?.ok, false);
    assert.match(y?.messages.join(" ") ?? "", /rendered: .*port/);
  });

  it("a second identical run writes nothing", async () => {
    const root = tempDir("sd-deploy-idem-");
    const first = await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, strategy: "canary", traffic: "replicas" });
    assert.equal(first.status, "ok");
    assert.ok(first.files.every((f) => f.action === "create"));
    const second = await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, strategy: "canary", traffic: "replicas" });
    assert.equal(second.status, "ok");
    assert.ok(second.files.every((f) => f.action === "unchanged"), JSON.stringify(second.files.map((f) => [f.path, f.action])));
  });

  it("blue-green: a new image goes to the idle colour, the live colour keeps its image", async () => {
    const root = tempDir("sd-deploy-bg-");
    await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, strategy: "blue-green" });
    const result = await runDeploy({ path: root, app: "shop", image: "ghcr.io/acme/shop:1.3.0", port: 8080, strategy: "blue-green" });
    assert.equal(result.status, "ok");
    // Release state lives in each environment's overlay.
    for (const env of ["staging", "production"]) {
      const state = readTreeState(root, "shop", env);
      assert.equal(state.activeColor, "blue");
      assert.equal(state.images.blue, IMAGE);
      assert.equal(state.images.green, "ghcr.io/acme/shop:1.3.0");
    }
    assert.deepEqual(result.files.filter((f) => f.action === "update").map((f) => f.path).sort(), [
      "deploy/shop/RUNBOOK.md", "deploy/shop/base/deployment-blue.yaml", "deploy/shop/base/deployment-green.yaml",
      "deploy/shop/overlays/production/kustomization.yaml", "deploy/shop/overlays/staging/kustomization.yaml",
    ]);
  });

  it("canary: a new image goes to the canary, stable keeps the released one", async () => {
    const root = tempDir("sd-deploy-canary-");
    await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, strategy: "canary", traffic: "replicas" });
    await runDeploy({ path: root, app: "shop", image: "ghcr.io/acme/shop:1.3.0", port: 8080, strategy: "canary", traffic: "replicas" });
    for (const env of ["staging", "production"]) {
      const state = readTreeState(root, "shop", env);
      assert.equal(state.stableImage, IMAGE);
      assert.equal(state.canaryImage, "ghcr.io/acme/shop:1.3.0");
    }
  });

  it("switching strategy warns about files the new tree no longer uses", async () => {
    const root = tempDir("sd-deploy-stale-");
    await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, strategy: "blue-green" });
    const result = await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, strategy: "rolling" });
    assert.equal(result.status, "ok");
    assert.ok(result.warnings.some((w) => w.includes("deploy/shop/base/deployment-blue.yaml") && w.includes("deploy/shop/base/service-preview.yaml")), result.warnings.join("\n"));
  });

  it("replicas traffic is reported as approximate", async () => {
    const root = tempDir("sd-deploy-approx-");
    const result = await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, strategy: "canary", traffic: "replicas", dryRun: true });
    assert.ok(result.warnings.some((w) => w.includes("approximate")));
    assert.equal((result.details?.plan as { exactWeights: boolean }).exactWeights, false);
  });

  it("a user-edited file is a conflict, nothing is written", async () => {
    const root = tempDir("sd-deploy-conflict-");
    await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080 });
    const svc = join(root, "deploy/shop/base/service.yaml");
    const edited = `${readFileSync(svc, "utf8")}# mine\n`;
    (await import("node:fs")).writeFileSync(svc, edited);
    const result = await runDeploy({ path: root, app: "shop", image: "ghcr.io/acme/shop:2.0.0", port: 8080 });
    assert.equal(result.status, "conflict");
    assert.equal(readFileSync(svc, "utf8"), edited);
    assert.match(readFileSync(join(root, "deploy/shop/base/deployment.yaml"), "utf8"), /shop:1\.2\.3/);
  });
});

describe("deploy generate: namespaces the cluster owns", () => {
  it("into default: no Namespace object in the overlay (not labelled, not deleted by kubectl delete -k), and a warning", async (t) => {
    const root = tempDir("sd-deploy-defaultns-");
    const result = await runDeploy({ path: root, strategy: "rolling", target: "kubernetes", app: "shop", image: IMAGE, port: 8080, environments: ["dev"], namespace: "default" });
    assert.equal(result.status, "ok");
    const overlay = join(root, "deploy/shop/overlays/dev");
    assert.deepEqual(readdirSync(overlay), ["kustomization.yaml"]);
    assert.doesNotMatch(readFileSync(join(overlay, "kustomization.yaml"), "utf8"), /namespace\.yaml/);
    assert.ok(result.warnings.some((w) => /namespace default exists in every cluster/.test(w)));
    if (!requireKubectl(t)) return;
    const rendered = objectsIn(execFileSync("kubectl", ["kustomize", overlay], { encoding: "utf8" }));
    assert.ok(rendered.length > 0);
    assert.ok(rendered.every((o) => o.kind !== "Namespace" && o.metadata.namespace === "default"));
  });
});

describe("deploy generate: Ingress only when chosen explicitly (legacy)", () => {
  const legacy: [string, DeployInput][] = [
    ["rolling with --ingress-class nginx", { strategy: "rolling", ingressClass: "nginx" }],
    ["rolling with --traffic nginx", { strategy: "rolling", traffic: "nginx" }],
    ["blue-green on Argo with --ingress-class traefik", { strategy: "blue-green", target: "argo-rollouts", ingressClass: "traefik" }],
    ["canary with --ingress-class nginx (nginx weights)", { strategy: "canary", ingressClass: "nginx" }],
  ];
  for (const [title, input] of legacy) {
    it(`${title}: an Ingress per environment host, no HTTPRoute, the engine command asks for it again`, async () => {
      const root = tempDir("sd-deploy-legacy-");
      const result = await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, ingressHost: HOSTS, ...input });
      assert.equal(result.status, "ok", JSON.stringify(result.validations.filter((v) => !v.ok)));
      for (const v of result.validations) assert.ok(v.ok, `${v.path} ${v.validator}: ${v.messages.join("; ")}`);
      const base = result.files.filter((f) => f.path.startsWith("deploy/shop/base/") && !f.path.endsWith("kustomization.yaml")).map((f) => f.path);
      assert.ok(base.includes("deploy/shop/base/ingress.yaml"));
      assert.ok(!base.includes("deploy/shop/base/httproute.yaml"));
      const ingress = objectsIn(readFileSync(join(root, "deploy/shop/base/ingress.yaml"), "utf8"))[0];
      assert.equal(ingress?.spec.ingressClassName, input.ingressClass ?? "nginx");
      const nginx = (input.ingressClass ?? "nginx") === "nginx";
      assert.equal(result.warnings.some((w) => w.includes("ingress-nginx controller was retired in March 2026")), nginx, result.warnings.join("\n"));
      if (input.strategy === "canary") {
        assert.ok(base.includes("deploy/shop/base/ingress-canary.yaml"), "an explicit nginx class splits canary traffic with ingress-nginx");
      }
      const deployStep = result.nextSteps.find((s) => s.startsWith("deploy: ")) ?? "";
      assert.match(deployStep, new RegExp(`--ingress-class ${input.ingressClass ?? "nginx"}`), "the echoed command reproduces the explicit choice");
      for (const env of ["staging", "production"]) {
        const overlay = readFileSync(join(root, `deploy/shop/overlays/${env}/kustomization.yaml`), "utf8");
        assert.ok(overlay.includes(`\\"value\\":\\"${HOST_OF[env]}\\"`), overlay);
      }
    });
  }

  it("no --gateway for the default exposure is an input error that explains it", async () => {
    const root = tempDir("sd-deploy-nogw-");
    await assert.rejects(runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, ingressHost: HOSTS }), /exposed through a Gateway API HTTPRoute by default.*--gateway \[NAMESPACE\/\]NAME.*--ingress-class CLASS/);
    // A canary's traffic defaults to Gateway API too: the error explains the default rather than blaming a flag never passed.
    await assert.rejects(runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, ingressHost: HOSTS, strategy: "canary" }), /exposed through a Gateway API HTTPRoute by default/);
    await assert.rejects(runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, ingressHost: HOSTS, traffic: "gateway-api", strategy: "canary", ingressClass: "nginx", gateway: "infra/public" }), /pass one of the two/);
    assert.deepEqual(readdirSync(root), []);
  });
});
