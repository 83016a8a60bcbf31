import type { Color, DeploySettings } from "./model.ts";
import { NAME_LABEL, objectNames, overlayDir } from "./names.ts";

/**
 * Every kubectl invocation the engine makes, as argument arrays (never a shell string). The runbook prints the
 * same arrays, shell-quoted, so a person can run by hand exactly what the engine runs.
 */
export type Argv = string[];
/** Annotation on the live Service naming the colour it served before the last switch. */
export const PREVIOUS_COLOR = "senior-devops/previous-color";
/** Annotation on the live Rollout naming the image of the release before the current one. */
export const PREVIOUS_IMAGE = "senior-devops/previous-image";
type S = Pick<DeploySettings, "app" | "strategy" | "target" | "traffic" | "replicas" | "timeoutSeconds">;

/** The labels the engine gives a namespace it creates for the app's first apply. */
export function createdNamespaceLabels(s: Pick<S, "traffic">): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
    // Istio injects the sidecars (restricted Pod Security then needs Istio's CNI plugin instead of istio-init).
    ...(s.traffic === "istio" ? { "istio-injection": "enabled" } : {}),
  };
}

export const kubectlCommands = {
  applyDryRun: (s: S, env: string): Argv => ["kubectl", "apply", "-k", overlayDir(s.app, env), "--dry-run=server"],
  apply: (s: S, env: string): Argv => ["kubectl", "apply", "-k", overlayDir(s.app, env)],
  diff: (s: S, env: string): Argv => ["kubectl", "diff", "-k", overlayDir(s.app, env)],
  rolloutStatus: (name: string, ns: string, timeoutSeconds: number): Argv =>
    ["kubectl", "rollout", "status", `deployment/${name}`, "-n", ns, `--timeout=${timeoutSeconds}s`],
  rolloutUndo: (name: string, ns: string): Argv => ["kubectl", "rollout", "undo", `deployment/${name}`, "-n", ns],
  getJson: (kind: string, name: string, ns: string): Argv => ["kubectl", "get", kind, name, "-n", ns, "-o", "json"],
  getNamespace: (ns: string): Argv => ["kubectl", "get", "namespace", ns, "-o", "name"],
  getNamespaceJson: (ns: string): Argv => ["kubectl", "get", "namespace", ns, "-o", "json"],
  daemonSetNames: (): Argv => ["kubectl", "get", "daemonsets", "--all-namespaces", "-o", "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}"],
  /**
   * A namespace the app's first apply needs (server-side dry run cannot create it): created once with restricted
   * Pod Security (and, with Istio, sidecar injection), and deliberately not part of the kustomize tree, so
   * `kubectl delete -k` never deletes a namespace that other apps may share.
   */
  createNamespace: (ns: string): Argv => ["kubectl", "create", "namespace", ns],
  labelNamespace: (ns: string, s: Pick<S, "traffic">): Argv =>
    ["kubectl", "label", "namespace", ns, ...Object.entries(createdNamespaceLabels(s)).map(([k, v]) => `${k}=${v}`)],
  /** Remembers on the live Rollout the image it ran before a new release, so a rollback after promotion has a target. */
  annotatePreviousImage: (s: S, ns: string, image: string): Argv =>
    ["kubectl", "annotate", "rollout", s.app, "-n", ns, `${PREVIOUS_IMAGE}=${image}`, "--overwrite"],
  /** Points a Service at one colour; on the live Service it also records the colour it leaves, for rollback. */
  selectColor: (s: S, ns: string, service: string, color: Color, previous?: Color): Argv =>
    ["kubectl", "patch", "service", service, "-n", ns, "--type", "merge", "-p",
      JSON.stringify(previous ? { metadata: { annotations: { [PREVIOUS_COLOR]: previous } }, spec: { selector: { color } } } : { spec: { selector: { color } } })],
  scale: (name: string, ns: string, replicas: number): Argv => ["kubectl", "scale", `deployment/${name}`, "-n", ns, `--replicas=${replicas}`],
  setImage: (name: string, ns: string, image: string): Argv => ["kubectl", "set", "image", `deployment/${name}`, `app=${image}`, "-n", ns],
  /** Commands that put `weight`% of traffic on the canary for the plain-Kubernetes canary. */
  canaryWeight: (s: S, ns: string, weight: number, stableReplicas: number): Argv[] => {
    const n = objectNames(s.app);
    switch (s.traffic) {
      case "nginx":
        return [["kubectl", "annotate", "ingress", n.canaryIngress, "-n", ns, `nginx.ingress.kubernetes.io/canary-weight=${weight}`, "--overwrite"]];
      case "gateway-api":
        return [["kubectl", "patch", "httproute", n.route, "-n", ns, "--type", "json", "-p", JSON.stringify([
          { op: "replace", path: "/spec/rules/0/backendRefs/0/weight", value: 100 - weight },
          { op: "replace", path: "/spec/rules/0/backendRefs/1/weight", value: weight },
        ])]];
      case "istio":
        return [["kubectl", "patch", "virtualservice", n.route, "-n", ns, "--type", "json", "-p", JSON.stringify([
          { op: "replace", path: "/spec/http/0/route/0/weight", value: 100 - weight },
          { op: "replace", path: "/spec/http/0/route/1/weight", value: weight },
        ])]];
      default:
        return [kubectlCommands.scale(n.canary, ns, canaryReplicasFor(weight, stableReplicas))];
    }
  },
  /**
   * Without the plugin this is what `kubectl argo rollouts promote` sends: clear the pause conditions on the
   * status subresource (moving to the next canary step when one is given), or set promoteFull.
   */
  argoPromote: (s: S, ns: string, plugin: boolean, opts: { full?: boolean; nextStepIndex?: number } = {}): Argv =>
    plugin
      ? ["kubectl", "argo", "rollouts", "promote", s.app, "-n", ns, ...(opts.full ? ["--full"] : [])]
      : ["kubectl", "patch", "rollout", s.app, "-n", ns, "--type", "merge", "--subresource", "status", "-p",
          JSON.stringify({ status: opts.full ? { promoteFull: true } : { pauseConditions: null, ...(opts.nextStepIndex !== undefined ? { currentStepIndex: opts.nextStepIndex } : {}) } })],
  argoUnpause: (s: S, ns: string): Argv => ["kubectl", "patch", "rollout", s.app, "-n", ns, "--type", "merge", "-p", JSON.stringify({ spec: { paused: false } })],
  argoAbort: (s: S, ns: string, plugin: boolean): Argv =>
    plugin
      ? ["kubectl", "argo", "rollouts", "abort", s.app, "-n", ns]
      : ["kubectl", "patch", "rollout", s.app, "-n", ns, "--type", "merge", "--subresource", "status", "-p", JSON.stringify({ status: { abort: true } })],
  argoSetImage: (s: S, ns: string, image: string): Argv =>
    ["kubectl", "patch", "rollout", s.app, "-n", ns, "--type", "json", "-p", JSON.stringify([{ op: "replace", path: "/spec/template/spec/containers/0/image", value: image }])],
  portForward: (service: string, ns: string): Argv => ["kubectl", "port-forward", "-n", ns, `service/${service}`, ":80"],
  podSelector: (s: S): string => `${NAME_LABEL}=${s.app}`,
};

/** Canary pods next to `stable` stable pods so the canary gets about `weight`% of a replicas-split Service. */
export function canaryReplicasFor(weight: number, stable: number): number {
  if (weight <= 0) return 0;
  if (weight >= 100) return stable;
  return Math.max(1, Math.round((stable * weight) / (100 - weight)));
}
