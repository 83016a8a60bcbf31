import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import type { GeneratedFile } from "../../mcp-server/src/engine/core/types.ts";
import { referencesOf } from "../../mcp-server/src/engine/validate/deploy-selectors.ts";
import { validateFiles } from "../../mcp-server/src/engine/validate/index.ts";

// The deploy-selectors group validator: Services must select pods, and everything that routes traffic
// (Ingress, HTTPRoute, VirtualService, Rollout) must name a Service (or Ingress) that the same base defines.

const base = "deploy/web/base";
const file = (name: string, object: object): GeneratedFile => ({ path: `${base}/${name}`, content: stringify(object), kind: "kubernetes", group: base });
const labels = { "app.kubernetes.io/name": "web" };
const deployment = file("deployment.yaml", {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web" },
  spec: {
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "ghcr.io/acme/web:1.2.3" }] } },
  },
});
const service = (name: string) => file(`service-${name}.yaml`, { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { selector: labels, ports: [{ port: 80 }] } });
const virtualService = (hosts: string[]) => file("virtualservice.yaml", {
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: { name: "web" },
  spec: { hosts: ["web"], http: [{ name: "primary", route: hosts.map((host, i) => ({ destination: { host, port: { number: 80 } }, weight: i === 0 ? 100 : 0 })) }] },
});

async function selectorProblems(files: GeneratedFile[]): Promise<string[]> {
  const results = await validateFiles(files);
  return results.filter((v) => v.validator === "deploy-selectors" && !v.ok).flatMap((v) => v.messages);
}

describe("deploy-selectors: traffic objects reference Services of the same base", () => {
  it("accepts a VirtualService whose destinations are both generated Services", async () => {
    assert.deepEqual(await selectorProblems([deployment, service("web"), service("web-canary"), virtualService(["web", "web-canary"])]), []);
  });

  it("rejects a VirtualService routing to a Service the base does not define", async () => {
    const problems = await selectorProblems([deployment, service("web"), virtualService(["web", "web-canry"])]);
    assert.equal(problems.length, 1, problems.join("; "));
    assert.match(problems[0] ?? "", /VirtualService\/web: sends traffic to Service web-canry/);
  });

  it("reads Ingress backends, HTTPRoute backendRefs, Rollout Services and the nginx stable Ingress", () => {
    assert.deepEqual(referencesOf({ kind: "Ingress", spec: { rules: [{ http: { paths: [{ backend: { service: { name: "a" } } }] } }] } }), { services: ["a"], ingresses: [] });
    assert.deepEqual(referencesOf({ kind: "HTTPRoute", spec: { rules: [{ backendRefs: [{ name: "b" }, { name: "c", namespace: "other" }] }] } }), { services: ["b"], ingresses: [] });
    assert.deepEqual(
      referencesOf({ kind: "Rollout", spec: { strategy: { canary: { canaryService: "d", stableService: "e", trafficRouting: { nginx: { stableIngress: "f" } } } } } }),
      { services: ["d", "e"], ingresses: ["f"] },
    );
    // Fully qualified hosts (other namespaces, external) are not this base's business.
    assert.deepEqual(referencesOf({ kind: "VirtualService", spec: { http: [{ route: [{ destination: { host: "api.other.svc.cluster.local" } }] }] } }), { services: [], ingresses: [] });
  });

  it("rejects an Argo nginx canary whose stable Ingress is missing", async () => {
    const rollout = file("rollout.yaml", {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      metadata: { name: "web" },
      spec: {
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "ghcr.io/acme/web:1.2.3" }] } },
        strategy: { canary: { canaryService: "web-canary", stableService: "web", trafficRouting: { nginx: { stableIngress: "web" } }, steps: [{ setWeight: 5 }] } },
      },
    });
    const problems = await selectorProblems([rollout, service("web"), service("web-canary")]);
    assert.deepEqual(problems, ["Rollout/web: needs Ingress web, which this base does not define"]);
  });
});
