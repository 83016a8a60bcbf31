import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { listenersAdmitting } from "../../mcp-server/src/engine/deploy/gateway.ts";

// Which Gateway listeners admit an HTTPRoute from the app's namespace (Gateway API allowedRoutes semantics).
const gw = (...listeners: Record<string, unknown>[]) => ({ spec: { listeners } });
const labels = { "kubernetes.io/metadata.name": "staging", team: "shop" };

describe("Gateway listeners and allowedRoutes", () => {
  it("from: Same (also the default) admits only the Gateway's own namespace", () => {
    assert.deepEqual(listenersAdmitting(gw({ name: "http", protocol: "HTTP" }), "infra", "staging", labels).admitting, []);
    assert.deepEqual(listenersAdmitting(gw({ name: "http", protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } }), "infra", "staging", labels).admitting, []);
    assert.deepEqual(listenersAdmitting(gw({ name: "http", protocol: "HTTP" }), "staging", "staging", labels).admitting, ["http"]);
  });
  it("from: All admits every namespace; Selector admits the namespaces its labels match", () => {
    assert.deepEqual(listenersAdmitting(gw({ name: "https", protocol: "HTTPS", allowedRoutes: { namespaces: { from: "All" } } }), "infra", "staging", labels).admitting, ["https"]);
    const sel = (selector: unknown) => listenersAdmitting(gw({ name: "s", protocol: "HTTPS", allowedRoutes: { namespaces: { from: "Selector", selector } } }), "infra", "staging", labels).admitting;
    assert.deepEqual(sel({ matchLabels: { team: "shop" } }), ["s"]);
    assert.deepEqual(sel({ matchLabels: { team: "other" } }), []);
    assert.deepEqual(sel({ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["staging", "production"] }] }), ["s"]);
    assert.deepEqual(sel({ matchExpressions: [{ key: "team", operator: "DoesNotExist" }] }), []);
  });
  it("a listener that takes no HTTPRoutes does not count; one admitting listener is enough", () => {
    const tcp = { name: "tcp", protocol: "TCP", allowedRoutes: { namespaces: { from: "All" } } };
    const grpcOnly = { name: "grpc", protocol: "HTTPS", allowedRoutes: { namespaces: { from: "All" }, kinds: [{ kind: "GRPCRoute" }] } };
    const r = listenersAdmitting(gw(tcp, grpcOnly), "infra", "staging", labels);
    assert.deepEqual(r.admitting, []);
    assert.equal(r.refusals.length, 2);
    assert.deepEqual(listenersAdmitting(gw(tcp, { name: "web", protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }), "infra", "staging", labels).admitting, ["web"]);
    assert.deepEqual(listenersAdmitting({ spec: {} }, "infra", "staging", labels).refusals, ["the Gateway has no listeners"]);
  });
});
