import { createdNamespaceLabels, kubectlCommands } from "./commands.ts";
import { kubectlError, runKubectl } from "./kubectl.ts";
import type { DeploySettings } from "./model.ts";

/**
 * Gateway API: an HTTPRoute attaches to a Gateway listener only when the listener's `allowedRoutes` admits the
 * route's namespace. The default is `from: Same` (the Gateway's own namespace), so a shared Gateway in another
 * namespace silently ignores the app's routes unless its listeners say `All` or a `Selector` matching them.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** The Gateway the HTTPRoute attaches to, when it lives in another namespace than the app's in `namespace`. */
export function crossNamespaceGateway(settings: DeploySettings, namespace: string): { name: string; namespace: string } | undefined {
  const gw = settings.gateway;
  if (settings.exposure !== "gateway-api" || !gw?.namespace || gw.namespace === namespace) return undefined;
  return { name: gw.name, namespace: gw.namespace };
}

/** The sentence nextSteps and the RUNBOOK carry for a Gateway in another namespace. */
export function allowedRoutesNote(gateway: { name: string; namespace: string }, namespaces: string[]): string {
  return `the Gateway ${gateway.namespace}/${gateway.name} is in another namespace than the app: its listener must admit routes from namespace(s) ${namespaces.join(", ")} (allowedRoutes.namespaces.from: All, or Selector with labels that match them; the default Same admits only ${gateway.namespace}), or the HTTPRoute is never attached; live plan and apply check this`;
}

function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isObject(selector)) return true; // an empty selector selects every namespace
  const matchLabels = isObject(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of expressions) {
    if (!isObject(e) || typeof e.key !== "string") return false;
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(value as string)) return false;
        break;
      case "NotIn":
        if (has && values.includes(value as string)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Which listeners of `gateway` (a Gateway object as JSON) admit an HTTPRoute from `routeNamespace`, whose labels
 * are `labels`; with the reason each other listener refuses it.
 */
export function listenersAdmitting(gateway: unknown, gatewayNamespace: string, routeNamespace: string, labels: Record<string, string>): { admitting: string[]; refusals: string[] } {
  const spec = isObject(gateway) && isObject(gateway.spec) ? gateway.spec : {};
  const listeners = Array.isArray(spec.listeners) ? spec.listeners : [];
  const admitting: string[] = [];
  const refusals: string[] = [];
  for (const l of listeners) {
    if (!isObject(l)) continue;
    const name = typeof l.name === "string" ? l.name : "?";
    const allowed = isObject(l.allowedRoutes) ? l.allowedRoutes : {};
    const kinds = Array.isArray(allowed.kinds) ? allowed.kinds.filter(isObject) : undefined;
    const protocol = typeof l.protocol === "string" ? l.protocol : "";
    const takesHttpRoute = kinds && kinds.length > 0
      ? kinds.some((k) => k.kind === "HTTPRoute" && (k.group === undefined || k.group === "gateway.networking.k8s.io"))
      : protocol === "HTTP" || protocol === "HTTPS";
    if (!takesHttpRoute) {
      refusals.push(`listener ${name} does not take HTTPRoutes (${kinds && kinds.length > 0 ? "allowedRoutes.kinds" : `protocol ${protocol || "unset"}`})`);
      continue;
    }
    const namespaces = isObject(allowed.namespaces) ? allowed.namespaces : {};
    const from = typeof namespaces.from === "string" ? namespaces.from : "Same";
    if (from === "All" || (from === "Same" && routeNamespace === gatewayNamespace)) admitting.push(name);
    else if (from === "Selector" && selectorMatches(namespaces.selector, labels)) admitting.push(name);
    else refusals.push(`listener ${name} admits routes from ${from === "Selector" ? "namespaces matching its selector, which " + routeNamespace + " does not" : from === "Same" ? `its own namespace only (from: Same${namespaces.from === undefined ? ", the default" : ""})` : `"${from}"`}`);
  }
  if (listeners.length === 0) refusals.push("the Gateway has no listeners");
  return { admitting, refusals };
}

export interface GatewayCheck {
  /** Set when the Gateway was read and none of its listeners admits the app's namespace. */
  refusal?: string;
  warnings: string[];
}

/**
 * Reads the Gateway (`kubectl get gateway -n NS NAME -o json`) and the app namespace's labels, and tells whether
 * an HTTPRoute in `namespace` can attach. A Gateway that cannot be read is a warning, not a refusal.
 */
export async function checkGatewayAdmits(settings: DeploySettings, namespace: string, signal?: AbortSignal): Promise<GatewayCheck> {
  const gw = crossNamespaceGateway(settings, namespace);
  if (!gw) return { warnings: [] };
  const timeoutMs = 30_000;
  const read = await runKubectl(kubectlCommands.getJson("gateway", gw.name, gw.namespace), { timeoutMs, ...(signal ? { signal } : {}) });
  let gateway: unknown;
  try {
    gateway = read.code === 0 ? JSON.parse(read.stdout) : undefined;
  } catch {
    gateway = undefined;
  }
  if (gateway === undefined) {
    return { warnings: [`cannot read Gateway ${gw.namespace}/${gw.name} (${read.code === 0 ? "not JSON" : kubectlError(read, timeoutMs)}), so whether its listeners admit routes from namespace ${namespace} was not checked; ${allowedRoutesNote(gw, [namespace])}`] };
  }
  // Namespace labels for a Selector: a namespace the first apply creates gets its name label and the labels the engine gives it.
  let labels: Record<string, string> = { ...createdNamespaceLabels(settings), "kubernetes.io/metadata.name": namespace };
  const ns = await runKubectl(kubectlCommands.getNamespaceJson(namespace), { timeoutMs, ...(signal ? { signal } : {}) });
  if (ns.code === 0) {
    try {
      const meta = (JSON.parse(ns.stdout) as { metadata?: { labels?: Record<string, string> } }).metadata;
      labels = { ...(meta?.labels ?? {}), "kubernetes.io/metadata.name": namespace };
    } catch {
      // keep the labels the engine would create the namespace with
    }
  }
  const { admitting, refusals } = listenersAdmitting(gateway, gw.namespace, namespace, labels);
  if (admitting.length > 0) return { warnings: [] };
  return {
    refusal:
      `Gateway ${gw.namespace}/${gw.name} does not admit HTTPRoutes from namespace ${namespace}: ${refusals.join("; ")}. ` +
      `Nothing was changed. Let its listener admit the app's namespace (allowedRoutes.namespaces.from: All, or Selector with a label selector matching ${namespace}), ` +
      `or pass a Gateway that does`,
    warnings: [],
  };
}
