import { parseAllDocuments } from "yaml";
import type { GeneratedFile, Validation } from "../core/types.ts";
import { registerGroupValidator } from "./index.ts";

type Labels = Record<string, string>;
interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: Record<string, unknown>;
}

/** True when every key/value of `selector` is among `labels` (Kubernetes equality-based matchLabels). */
export function selectorMatches(selector: Labels | undefined, labels: Labels | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

export function objectsOf(files: GeneratedFile[]): { file: string; object: K8sObject }[] {
  const out: { file: string; object: K8sObject }[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(file.content)) {
      if (!("toJS" in doc)) continue;
      const object = doc.toJS() as K8sObject | null;
      if (object && typeof object === "object") out.push({ file: file.path, object });
    }
  }
  return out;
}

const WORKLOADS = new Set(["Deployment", "Rollout", "StatefulSet"]);

/** Pod labels of each workload in a set of objects, by workload name. */
export function podLabelsOf(objects: K8sObject[]): { name: string; kind: string; labels: Labels }[] {
  return objects
    .filter((o) => WORKLOADS.has(o.kind ?? ""))
    .map((o) => ({
      name: o.metadata?.name ?? "?",
      kind: o.kind ?? "?",
      labels: ((o.spec?.template as { metadata?: { labels?: Labels } } | undefined)?.metadata?.labels ?? {}) as Labels,
    }));
}

/**
 * Names of the Services an object sends traffic to (Ingress backends, HTTPRoute backendRefs, VirtualService
 * destinations given as short in-namespace host names, a Rollout's Services), and of the Ingress an Argo nginx
 * canary needs. Each must exist in the same base, or traffic goes nowhere.
 */
export function referencesOf(object: K8sObject): { services: string[]; ingresses: string[] } {
  const spec = (object.spec ?? {}) as Record<string, any>;
  const services: string[] = [];
  const ingresses: string[] = [];
  if (object.kind === "Ingress") {
    for (const rule of spec.rules ?? []) for (const path of rule?.http?.paths ?? []) if (path?.backend?.service?.name) services.push(path.backend.service.name);
    if (spec.defaultBackend?.service?.name) services.push(spec.defaultBackend.service.name);
  } else if (object.kind === "HTTPRoute") {
    for (const rule of spec.rules ?? []) for (const ref of rule?.backendRefs ?? []) if ((ref?.kind ?? "Service") === "Service" && !ref?.namespace && ref?.name) services.push(ref.name);
  } else if (object.kind === "VirtualService") {
    for (const http of spec.http ?? []) for (const route of http?.route ?? []) {
      const host = route?.destination?.host;
      if (typeof host === "string" && !host.includes(".")) services.push(host);
    }
  } else if (object.kind === "Rollout") {
    const strategy = spec.strategy ?? {};
    for (const name of [strategy.canary?.canaryService, strategy.canary?.stableService, strategy.blueGreen?.activeService, strategy.blueGreen?.previewService]) if (name) services.push(name);
    if (strategy.canary?.trafficRouting?.nginx?.stableIngress) ingresses.push(strategy.canary.trafficRouting.nginx.stableIngress);
  }
  return { services, ingresses };
}

/**
 * Within one deploy base: every workload's selector matches its own pod template, and every Service,
 * PodDisruptionBudget and NetworkPolicy selects the pods of at least one workload there. A Service that
 * selects nothing is an outage that schema validation cannot see.
 */
async function validateSelectors(files: GeneratedFile[]): Promise<Validation[]> {
  const objects = objectsOf(files);
  const workloads = podLabelsOf(objects.map((o) => o.object));
  if (workloads.length === 0) return [];
  const problems = new Map<string, string[]>();
  const problem = (file: string, message: string) => problems.set(file, [...(problems.get(file) ?? []), message]);
  const named = (kind: string) => new Set(objects.filter((o) => o.object.kind === kind).map((o) => o.object.metadata?.name));
  const serviceNames = named("Service");
  const ingressNames = named("Ingress");
  for (const { file, object } of objects) {
    const name = `${object.kind}/${object.metadata?.name}`;
    const spec = object.spec ?? {};
    const refs = referencesOf(object);
    for (const service of refs.services) if (!serviceNames.has(service)) problem(file, `${name}: sends traffic to Service ${service}, which this base does not define`);
    for (const ingress of refs.ingresses) if (!ingressNames.has(ingress)) problem(file, `${name}: needs Ingress ${ingress}, which this base does not define`);
    if (WORKLOADS.has(object.kind ?? "")) {
      const selector = (spec.selector as { matchLabels?: Labels } | undefined)?.matchLabels;
      const labels = (spec.template as { metadata?: { labels?: Labels } } | undefined)?.metadata?.labels;
      if (!selectorMatches(selector, labels)) problem(file, `${name}: spec.selector.matchLabels does not match its pod template labels`);
      continue;
    }
    let selector: Labels | undefined;
    if (object.kind === "Service") selector = spec.selector as Labels | undefined;
    else if (object.kind === "PodDisruptionBudget") selector = (spec.selector as { matchLabels?: Labels } | undefined)?.matchLabels;
    else if (object.kind === "NetworkPolicy") selector = (spec.podSelector as { matchLabels?: Labels } | undefined)?.matchLabels;
    else continue;
    if (!workloads.some((w) => selectorMatches(selector, w.labels))) problem(file, `${name}: selector ${JSON.stringify(selector ?? {})} matches no pods of ${workloads.map((w) => `${w.kind}/${w.name}`).join(", ")}`);
  }
  return [...new Set(files.map((f) => f.path))].map((path) => ({ path, validator: "deploy-selectors", ok: !problems.has(path), messages: problems.get(path) ?? [] }));
}

registerGroupValidator("kubernetes", validateSelectors);
