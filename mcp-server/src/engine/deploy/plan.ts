import type { Color, DeploySettings } from "./model.ts";
import { objectNames, overlayDir } from "./names.ts";
import { metricQueries } from "./queries.ts";
import { otherColor, type TreeState } from "./state.ts";

export interface PlanStep {
  step: number;
  action: string;
  /** Share of traffic on the new version after this step (canary), or which colour is live (blue-green). */
  weight?: number;
  pauseSeconds?: number;
  gates: string[];
}

export interface RolloutPlan {
  app: string;
  strategy: DeploySettings["strategy"];
  target: DeploySettings["target"];
  traffic: DeploySettings["traffic"];
  /** False when the split follows pod counts (traffic "replicas"). */
  exactWeights: boolean;
  image: string | undefined;
  environments: { env: string; namespace: string; overlay: string }[];
  workloads: string[];
  services: { name: string; selects: string }[];
  steps: PlanStep[];
  healthGates: string[];
  rollbackTriggers: string[];
  timeoutSeconds: number;
  weights: number[];
  pauses: number[];
}

export function buildPlan(settings: DeploySettings, state: TreeState): RolloutPlan {
  const n = objectNames(settings.app);
  const { strategy, target, traffic } = settings;
  const steps: PlanStep[] = [];
  const push = (action: string, extra: Omit<PlanStep, "step" | "action" | "gates"> & { gates?: string[] } = {}) =>
    steps.push({ step: steps.length + 1, action, gates: extra.gates ?? [], ...(extra.weight !== undefined ? { weight: extra.weight } : {}), ...(extra.pauseSeconds !== undefined ? { pauseSeconds: extra.pauseSeconds } : {}) });
  const readyGate = "ready replicas > 0 and equal to desired";
  const httpGate = `HTTP GET ${settings.healthPath} answers 2xx (URL given or kubectl port-forward)`;
  const metricGates = settings.prometheusUrl
    ? metricQueries({ service: "<candidate>", baselineService: n.service, namespace: "<namespace>", errorRateThreshold: settings.errorRateThreshold, latencyP99Seconds: settings.latencyP99Seconds }).map((m) => `Prometheus: ${m.threshold}`)
    : [];
  const gates = [readyGate, httpGate, ...metricGates];
  const workloads: string[] = [];
  const services: RolloutPlan["services"] = [];
  const weights: number[] = [];
  const pauses: number[] = [];

  push("kubectl apply -k <overlay> --dry-run=server (the API server validates every object)");
  if (target === "kubernetes") {
    if (strategy === "rolling" || strategy === "recreate") {
      workloads.push(`Deployment/${n.deployment}`);
      services.push({ name: n.service, selects: "all pods of the app" });
      push(strategy === "rolling" ? "apply; rolling update with maxSurge 1, maxUnavailable 0" : "apply; Recreate stops every old pod, then starts the new ones (downtime while they start)");
      push(`watch kubectl rollout status deployment/${n.deployment}`, { gates });
      push("on failure: kubectl rollout undo and wait for the previous ReplicaSet");
    } else if (strategy === "blue-green") {
      const active: Color = state.activeColor ?? "blue";
      const idle = otherColor(active);
      workloads.push(`Deployment/${n.color("blue")}`, `Deployment/${n.color("green")}`);
      services.push({ name: n.service, selects: `color=${active} (live)` }, { name: n.preview, selects: `color=${idle} (idle)` });
      push(`apply; the new image rolls out on ${n.color(idle)} while ${n.color(active)} keeps serving`);
      push(`watch kubectl rollout status deployment/${n.color(idle)}; gate through the preview Service ${n.preview}`, { gates });
      push(`promote (action promote): switch Service ${n.service} selector to color=${idle}`, { weight: 100, gates });
      push(`on a failed gate after the switch: switch ${n.service} back to color=${active} (rollback is one selector change)`);
    } else {
      workloads.push(`Deployment/${n.stable}`, `Deployment/${n.canary}`);
      services.push(
        { name: n.service, selects: traffic === "replicas" ? "both tracks" : "track=stable" },
        { name: n.canaryService, selects: "track=canary" },
      );
      push(`apply; ${n.canary} gets the new image (0 replicas, weight 0 until the first step)`);
      for (const weight of settings.canarySteps) {
        if (weight === 100) break;
        weights.push(weight);
        pauses.push(settings.pauseSeconds);
        push(`set canary weight ${weight}% (${describeTraffic(settings)}), wait for ${n.canary} to be ready`, { weight, gates });
        push(`pause ${settings.pauseSeconds}s, then check the gates again`, { pauseSeconds: settings.pauseSeconds, gates });
      }
      weights.push(100);
      push(`promote: ${n.stable} gets the new image, rollout status; canary weight back to 0 and ${n.canary} scaled to 0`, { weight: 100, gates });
      push("on any failed gate: canary weight 0 and canary scaled to 0 (stable keeps serving)");
    }
  } else {
    workloads.push(`Rollout/${n.rollout}`);
    if (strategy === "blue-green") {
      services.push({ name: n.service, selects: "active ReplicaSet (controller adds rollouts-pod-template-hash)" }, { name: n.preview, selects: "preview ReplicaSet" });
      push("apply; Argo Rollouts starts the preview ReplicaSet behind the preview Service", { gates });
      push(`pre-promotion analysis ${n.analysis} (5 measurements, 1m apart after a 2m warm-up; the preview needs test traffic: with no requests the run is Inconclusive and the Rollout stays paused, never promoted)`);
      push("pause: autoPromotionEnabled false — waits for action promote", { gates });
      push("promote: the active Service switches to the new ReplicaSet; the old one is scaled down after 30s", { weight: 100 });
    } else if (strategy === "canary") {
      services.push({ name: n.service, selects: "stable ReplicaSet" });
      services.push({ name: n.canaryService, selects: "canary ReplicaSet" });
      push(`apply; background analysis ${n.analysis} runs from step 1, aborts the rollout on failure and pauses it when the canary has no traffic or metrics (Inconclusive)`);
      for (const weight of settings.canarySteps) {
        if (weight === 100) break;
        weights.push(weight);
        pauses.push(settings.pauseSeconds);
        push(`setWeight ${weight}`, { weight, gates });
        push(`pause ${settings.pauseSeconds}s`, { pauseSeconds: settings.pauseSeconds });
      }
      weights.push(100);
      push("after the last step the Rollout is fully promoted", { weight: 100, gates });
    } else {
      services.push({ name: n.service, selects: "all pods of the app" });
      push(strategy === "rolling" ? "apply; canary without steps = rolling update (maxSurge 1, maxUnavailable 0)" : "apply; maxSurge 0, maxUnavailable 100% = recreate", { gates });
    }
    push("on failure: abort (traffic back to stable) and roll the spec back to the stable image");
  }

  const triggers = [
    `rollout not complete within ${settings.timeoutSeconds}s`,
    "ready replicas 0 or fewer than desired (zero pods never pass)",
    `health check ${settings.healthPath} fails or is unreachable`,
    "kubectl/API error while applying",
  ];
  if (settings.prometheusUrl) {
    triggers.push(`error rate above ${settings.errorRateThreshold * 100}%`, "new version's error rate above 2x the baseline", `p99 latency above ${settings.latencyP99Seconds}s`);
  }
  if (target === "argo-rollouts" && strategy !== "rolling" && strategy !== "recreate") {
    triggers.push(`AnalysisRun of ${n.analysis} failed (a metric failed more than its failureLimit)`, "Rollout phase Degraded (e.g. progressDeadlineSeconds exceeded, progressDeadlineAbort)");
  }
  return {
    app: settings.app,
    strategy,
    target,
    traffic,
    exactWeights: traffic !== "replicas",
    image: settings.image,
    environments: settings.environments.map((env) => ({ env, namespace: settings.namespaces[env] ?? env, overlay: overlayDir(settings.app, env) })),
    workloads,
    services,
    steps,
    healthGates: gates,
    rollbackTriggers: triggers,
    timeoutSeconds: settings.timeoutSeconds,
    weights,
    pauses,
  };
}

function describeTraffic(settings: DeploySettings): string {
  switch (settings.traffic) {
    case "nginx":
      return "ingress-nginx canary-weight annotation";
    case "gateway-api":
      return "HTTPRoute backendRef weights";
    case "istio":
      return "VirtualService route weights";
    default:
      return "canary replicas relative to stable, approximate";
  }
}
