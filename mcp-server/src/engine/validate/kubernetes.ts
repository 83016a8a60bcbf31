import { parseAllDocuments } from "yaml";
import type { GeneratedFile, Validation } from "../core/types.ts";

interface ModelClass {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each model takes its own object shape
  new (data: any): { validate(): void };
}
type Loader = () => Promise<ModelClass>;

/**
 * The object kinds we generate, each validated against its published schema. Loaded on demand so the
 * server's start-up never pays for the schemas.
 */
const MODELS: Record<string, Loader> = {
  "v1/Namespace": async () => (await import("kubernetes-models/v1/Namespace")).Namespace,
  "v1/Service": async () => (await import("kubernetes-models/v1/Service")).Service,
  "v1/ServiceAccount": async () => (await import("kubernetes-models/v1/ServiceAccount")).ServiceAccount,
  "v1/ConfigMap": async () => (await import("kubernetes-models/v1/ConfigMap")).ConfigMap,
  "apps/v1/Deployment": async () => (await import("kubernetes-models/apps/v1/Deployment")).Deployment,
  "apps/v1/StatefulSet": async () => (await import("kubernetes-models/apps/v1/StatefulSet")).StatefulSet,
  "policy/v1/PodDisruptionBudget": async () => (await import("kubernetes-models/policy/v1/PodDisruptionBudget")).PodDisruptionBudget,
  "autoscaling/v2/HorizontalPodAutoscaler": async () =>
    (await import("kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler")).HorizontalPodAutoscaler,
  "networking.k8s.io/v1/NetworkPolicy": async () => (await import("kubernetes-models/networking.k8s.io/v1/NetworkPolicy")).NetworkPolicy,
  "networking.k8s.io/v1/Ingress": async () => (await import("kubernetes-models/networking.k8s.io/v1/Ingress")).Ingress,
  "argoproj.io/v1alpha1/Rollout": async () => (await import("@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout")).Rollout,
  "argoproj.io/v1alpha1/AnalysisTemplate": async () =>
    (await import("@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate")).AnalysisTemplate,
  "gateway.networking.k8s.io/v1/HTTPRoute": async () =>
    (await import("@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute")).HTTPRoute,
  "networking.istio.io/v1/VirtualService": async () => (await import("@kubernetes-models/istio/networking.istio.io/v1/VirtualService")).VirtualService,
  "monitoring.coreos.com/v1/ServiceMonitor": async () =>
    (await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor")).ServiceMonitor,
  "networking.istio.io/v1/DestinationRule": async () => (await import("@kubernetes-models/istio/networking.istio.io/v1/DestinationRule")).DestinationRule,
};

export const KNOWN_KUBERNETES_KINDS = Object.keys(MODELS);

function describe(error: unknown): string[] {
  const details = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
  if (Array.isArray(details) && details.length > 0) return details.map((d) => `${d.instancePath || "/"} ${d.message ?? ""}`.trim());
  return [(error as Error).message];
}

/** Every document is a known Kubernetes/Argo Rollouts object that validates against its schema. */
export async function validateKubernetes(file: GeneratedFile): Promise<Validation> {
  const messages: string[] = [];
  const docs = parseAllDocuments(file.content);
  let index = 0;
  for (const doc of docs) {
    index++;
    if (!("toJS" in doc)) continue;
    const object = doc.toJS() as { apiVersion?: string; kind?: string } | null;
    if (object === null) continue;
    const key = `${object.apiVersion}/${object.kind}`;
    const load = MODELS[key];
    if (!load) {
      messages.push(`document ${index}: no schema known for ${key}`);
      continue;
    }
    const Model = await load();
    try {
      new Model(object).validate();
    } catch (error) {
      messages.push(...describe(error).map((m) => `document ${index} (${object.kind}): ${m}`));
    }
  }
  return { path: file.path, validator: "kubernetes-schema", ok: messages.length === 0, messages };
}
