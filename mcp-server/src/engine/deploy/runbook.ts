import { type Argv, canaryReplicasFor, kubectlCommands, PREVIOUS_COLOR } from "./commands.ts";
import { argoAnalysis, type DeploySettings, ISTIO_NAMESPACE } from "./model.ts";
import { objectNames, overlayDir, servicesOf } from "./names.ts";
import type { RolloutPlan } from "./plan.ts";
import { allowedRoutesNote, crossNamespaceGateway } from "./gateway.ts";

interface Command {
  comment: string | null;
  argv: Argv | null;
}
interface Section {
  title: string;
  note: string | null;
  commands: (Argv | Command)[];
}
const comment = (text: string): Command => ({ comment: text, argv: null });
const normalise = (c: Argv | Command): Command => (Array.isArray(c) ? { comment: null, argv: c } : c);

const TITLES: Record<string, string> = {
  rolling: "rolling update",
  recreate: "recreate",
  "blue-green": "blue-green",
  canary: "canary",
  kubernetes: "Kubernetes",
  "argo-rollouts": "Argo Rollouts",
};

function sections(settings: DeploySettings, env: string, namespace: string): Section[] {
  const n = objectNames(settings.app);
  const k = kubectlCommands;
  const { strategy, target } = settings;
  const t = settings.timeoutSeconds;
  const out: Section[] = [];
  const overlay = overlayDir(settings.app, env);
  const overlayFile = `${overlay}/kustomization.yaml`;
  // The overlay holds the release (images, live colour) that `kubectl apply -k` sends: a change made by hand
  // that the overlay does not repeat is undone by the next apply. The engine writes it there itself.
  const engine = (action: string) => [comment(`with the engine (recommended): it also writes the release into ${overlayFile}`), engineCommand(settings, env, action)];
  const record = (what: string) => comment(`then record it in ${overlayFile} (${what}), or the next kubectl apply -k undoes it`);
  out.push({
    title: "Deploy",
    note: `The namespace is not part of the tree (\`kubectl delete -k\` must never delete a shared namespace): the first deploy creates it once with restricted Pod Security, as the first two commands do.${settings.traffic === "istio"
      ? ` With Istio the label also turns on sidecar injection (an existing namespace needs \`istio-injection=enabled\` too), and Istio must run with its CNI plugin: restricted Pod Security rejects the istio-init container (it needs NET_ADMIN and NET_RAW), so without istio-cni no pod starts. The NetworkPolicies let in sidecar callers from injected namespaces and let the sidecars reach istiod in ${ISTIO_NAMESPACE} (ports 15012, 15017).`
      : ""}`,
    commands: [
      comment(`first deploy only: create namespace ${namespace}`),
      k.createNamespace(namespace),
      k.labelNamespace(namespace, settings),
      comment("every deploy"),
      ["kubectl", "kustomize", overlay], k.diff(settings, env), k.applyDryRun(settings, env), k.apply(settings, env),
    ],
  });
  if (target === "argo-rollouts") {
    out.push({
      title: "Watch",
      note: "With the kubectl-argo-rollouts plugin use the first command; without it, read the Rollout's status.",
      commands: [
        ["kubectl", "argo", "rollouts", "get", "rollout", n.rollout, "-n", namespace, "--watch"],
        ["kubectl", "get", "rollout", n.rollout, "-n", namespace, "-o", "jsonpath={.status.phase} {.status.message} step={.status.currentStepIndex}{\"\\n\"}"],
        // The controller copies the Rollout's selector labels onto every AnalysisRun it creates.
        ...(argoAnalysis(settings) ? [["kubectl", "get", "analysisrun", "-n", namespace, "-l", k.podSelector(settings)]] : []),
      ],
    });
    if (strategy === "canary" || strategy === "blue-green") {
      out.push({
        title: "Promote",
        note: "Plugin first; the kubectl patch lines do the same without it (status subresource, kubectl >= 1.24).",
        commands: [
          comment("next step (plugin, then plain kubectl)"),
          k.argoPromote(settings, namespace, true),
          k.argoPromote(settings, namespace, false),
          comment("skip all remaining steps and analysis (plugin, then plain kubectl)"),
          k.argoPromote(settings, namespace, true, { full: true }),
          k.argoPromote(settings, namespace, false, { full: true }),
        ],
      });
    }
    out.push({
      title: "Abort and roll back",
      note: `Abort sends all traffic back to the stable version at once; then set the Rollout back to the stable image (undo with the plugin, or patch the image without it) so it does not retry. The overlay names the Rollout's image: set it back there too (the engine's rollback does), or the next \`kubectl apply -k\` starts the bad version again.`,
      commands: [
        ...engine("rollback"),
        comment("by hand, with the kubectl-argo-rollouts plugin"),
        k.argoAbort(settings, namespace, true),
        ["kubectl", "argo", "rollouts", "undo", n.rollout, "-n", namespace],
        comment("by hand, without the plugin: abort on the status subresource, then pin the stable image"),
        k.argoAbort(settings, namespace, false),
        k.argoSetImage(settings, namespace, "<stable-image>"),
        record(`the image patch of Rollout ${n.rollout}: <stable-image>`),
      ],
    });
  } else if (strategy === "blue-green") {
    out.push({
      title: "Watch",
      note: null,
      commands: [
        k.rolloutStatus(n.color("blue"), namespace, t),
        k.rolloutStatus(n.color("green"), namespace, t),
        ["kubectl", "get", "service", n.service, n.preview, "-n", namespace, "-o", "custom-columns=NAME:.metadata.name,COLOR:.spec.selector.color"],
      ],
    });
    // Promotion and rollback are the same switch: first the colour that takes the traffic is sized like the live
    // one (it sits at its HPA minimum) and waited for, then the live Service moves to it and the preview to the old one.
    const flip = (live: "blue" | "green", next: "blue" | "green") => [
      comment(`${live} is live → ${next}: size ${n.color(next)} like ${n.color(live)} (the replicas the next command prints), wait until it is ready, then switch`),
      ["kubectl", "get", "deployment", n.color(live), "-n", namespace, "-o", "jsonpath={.spec.replicas}"],
      ["kubectl", "scale", `deployment/${n.color(next)}`, "-n", namespace, `--replicas=<replicas of ${n.color(live)}>`],
      k.rolloutStatus(n.color(next), namespace, t),
      k.selectColor(settings, namespace, n.service, next, live),
      k.selectColor(settings, namespace, n.preview, live),
      record(`the color patch of Service ${n.service}: ${next}; of Service ${n.preview}: ${live}`),
    ];
    out.push({
      title: "Promote",
      note: `Switch the live Service ${n.service} to the idle colour after the preview (${n.preview}) passed its checks. The idle colour runs at its HPA minimum: size it like the live colour and wait for it before the switch (the engine does all of this, and writes the live colour into the overlay so the next \`kubectl apply -k\` keeps it).`,
      commands: [
        ...engine("promote"),
        comment("by hand: which colour is live?"),
        ["kubectl", "get", "service", n.service, "-n", namespace, "-o", "jsonpath={.spec.selector.color}"],
        ...flip("blue", "green"),
        ...flip("green", "blue"),
      ],
    });
    out.push({
      title: "Roll back",
      note: `Point ${n.service} back at the colour it served before (the previous version is still running there, possibly scaled down by its HPA: size it up first). Before a promotion, discard the staged colour instead (engine action abort).`,
      commands: [
        ...engine("rollback"),
        comment("by hand: which colour served before the last switch?"),
        ["kubectl", "get", "service", n.service, "-n", namespace, "-o", `jsonpath={.metadata.annotations.${PREVIOUS_COLOR}}`],
        ...flip("green", "blue"),
        ...flip("blue", "green"),
      ],
    });
  } else if (strategy === "canary") {
    out.push({
      title: "Watch",
      note: null,
      commands: [k.rolloutStatus(n.canary, namespace, t), k.rolloutStatus(n.stable, namespace, t), ["kubectl", "get", "deployment", n.stable, n.canary, "-n", namespace]],
    });
    out.push({
      title: "Promote",
      note: `Move the canary up the ladder (${settings.canarySteps.join(" → ")}%), then give ${n.stable} the new image and retire the canary. The engine's apply walks the ladder itself; its promote does the 100% step and writes ${n.stable}'s new image into the overlay.`,
      commands: [
        ...engine("promote"),
        ...settings.canarySteps.filter((w) => w < 100).flatMap((w) => {
          const pods = settings.traffic === "replicas" ? canaryReplicasFor(w, settings.replicas) : Math.max(1, Math.ceil((settings.replicas * w) / 100));
          return [
            comment(`${w}%: size the canary, wait for it, shift traffic; then watch errors and latency for ${settings.pauseSeconds}s`),
            k.scale(n.canary, namespace, pods),
            k.rolloutStatus(n.canary, namespace, t),
            ...(settings.traffic === "replicas" ? [] : k.canaryWeight(settings, namespace, w, settings.replicas)),
          ];
        }),
        comment("100%: the stable Deployment takes the new image, then the canary is retired"),
        k.setImage(n.stable, namespace, settings.image ?? "<new-image>"),
        k.rolloutStatus(n.stable, namespace, t),
        ...k.canaryWeight(settings, namespace, 0, settings.replicas),
        k.scale(n.canary, namespace, 0),
        record(`the image patch of Deployment ${n.stable}: ${settings.image ?? "<new-image>"}`),
      ],
    });
    out.push({
      title: "Roll back",
      note: "Take all traffic off the canary; the stable Deployment was never changed.",
      commands: [...k.canaryWeight(settings, namespace, 0, settings.replicas), k.scale(n.canary, namespace, 0)],
    });
  } else {
    out.push({ title: "Watch", note: null, commands: [k.rolloutStatus(n.deployment, namespace, t), ["kubectl", "rollout", "history", `deployment/${n.deployment}`, "-n", namespace]] });
    out.push({
      title: "Roll back",
      note: "Returns to the previous ReplicaSet (add --to-revision=N for an older one). The engine's rollback also writes the image it returned to into the overlay.",
      commands: [
        ...engine("rollback"),
        comment("by hand"),
        k.rolloutUndo(n.deployment, namespace),
        k.rolloutStatus(n.deployment, namespace, t),
        record(`the image patch of Deployment ${n.deployment}: the image now running`),
      ],
    });
  }
  const selector = k.podSelector(settings);
  const { live, candidate } = servicesOf(settings);
  out.push({
    title: "Diagnose",
    note: "Health check by hand: run the port-forward, then the curl command in a second terminal.",
    commands: [
      ["kubectl", "get", "pods", "-n", namespace, "-l", selector, "-o", "wide"],
      ["kubectl", "describe", "pods", "-n", namespace, "-l", selector],
      ["kubectl", "logs", "-n", namespace, "-l", selector, "--tail=100", "--all-containers"],
      ["kubectl", "get", "events", "-n", namespace, "--sort-by=.lastTimestamp"],
      ["kubectl", "top", "pods", "-n", namespace, "-l", selector],
      ["kubectl", "port-forward", "-n", namespace, `service/${candidate ?? live}`, "8080:80"],
      ["curl", "-fsS", "--max-time", "5", `http://127.0.0.1:8080${settings.healthPath}`],
    ],
  });
  return out;
}

/** `senior-devops deploy …` with every flag that shapes this tree, for one environment and action. */
export function engineCommand(settings: DeploySettings, env: string, action: string): Argv {
  const argv: Argv = ["senior-devops", "deploy", ".", "--app", settings.app, "--strategy", settings.strategy, "--target", settings.target, "--port", String(settings.port)];
  if (settings.strategy === "canary") {
    argv.push("--traffic", settings.traffic, "--canary-steps", settings.canarySteps.join(","), "--pause-seconds", String(settings.pauseSeconds));
  }
  if (settings.ingressHost) argv.push("--ingress-host", settings.ingressHost);
  // An explicit Ingress (legacy) must be asked for again, or the engine would expose through the Gateway.
  if (settings.exposure === "ingress" && (settings.ingressClassGiven || !(settings.strategy === "canary" && settings.traffic === "nginx"))) {
    argv.push("--ingress-class", settings.ingressClass);
  }
  if (settings.gateway) argv.push("--gateway", settings.gateway.namespace ? `${settings.gateway.namespace}/${settings.gateway.name}` : settings.gateway.name);
  // Always explicit: without it a re-run derives the path from the source again, which may have changed.
  argv.push("--health-path", settings.healthPath);
  if (settings.readinessPath !== settings.healthPath) argv.push("--readiness-path", settings.readinessPath);
  if (settings.prometheusUrl) argv.push("--prometheus-url", settings.prometheusUrl);
  if (settings.analysis === "none") argv.push("--analysis", "none");
  argv.push("--image", settings.image ?? "<image>", "--env", env, "--action", action);
  return argv;
}

export function runbookContext(settings: DeploySettings, plan: RolloutPlan, resources: string[]): object {
  return {
    app: settings.app,
    strategy: settings.strategy,
    target: settings.target,
    strategyTitle: TITLES[settings.strategy],
    targetTitle: TITLES[settings.target],
    image: settings.image,
    port: settings.port,
    healthPath: settings.healthPath,
    readinessPath: settings.readinessPath,
    resources,
    gatewayNote: (() => {
      const namespaces = settings.environments.map((env) => settings.namespaces[env] ?? env);
      const remote = namespaces.map((ns) => crossNamespaceGateway(settings, ns)).find((g) => g !== undefined);
      return remote ? allowedRoutesNote(remote, namespaces) : null;
    })(),
    engineCommand: engineCommand(settings, settings.environments[0] ?? "staging", "apply"),
    envs: settings.environments.map((env) => {
      const namespace = settings.namespaces[env] ?? env;
      return { env, namespace, host: settings.hosts[env] ?? null, sections: sections(settings, env, namespace).map((x) => ({ ...x, commands: x.commands.map(normalise) })) };
    }),
    planLines: plan.steps.map((s) => `${s.step}. ${s.action}${s.gates.length > 0 ? ` — gates: ${s.gates.join("; ")}` : ""}`),
    triggers: plan.rollbackTriggers,
  };
}
