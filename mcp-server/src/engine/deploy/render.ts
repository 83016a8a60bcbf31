import type { GeneratedFile } from "../core/types.ts";
import type { TemplateEngine } from "../templating/render.ts";
import { argoAnalysis, type Color, type DeploySettings, ISTIO_NAMESPACE } from "./model.ts";
import { NAME_LABEL, objectNames, overlayDir } from "./names.ts";
import { buildPlan, type RolloutPlan } from "./plan.ts";
import { metricQueries, RATE_WINDOW } from "./queries.ts";
import { engineCommand, runbookContext } from "./runbook.ts";
import { allowedRoutesNote, crossNamespaceGateway } from "./gateway.ts";
import { shellWord } from "../templating/quote.ts";
import { COLOR_PATH, IMAGE_PATH, type ReleasePatch, type TreeState } from "./state.ts";

/** Namespaces every cluster creates itself. */
const CLUSTER_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

/** The in-cluster Prometheus the AnalysisTemplate asks when none was given (kube-prometheus-stack's default service). */
export const DEFAULT_IN_CLUSTER_PROMETHEUS = "http://prometheus-operated.monitoring.svc:9090";

export interface RenderedDeploy {
  files: GeneratedFile[];
  plan: RolloutPlan;
  warnings: string[];
  nextSteps: string[];
}

interface Workload {
  file: string;
  name: string;
  selector: Record<string, string>;
  image: string;
  fixedReplicas: boolean;
  replicas: number;
}

/** The JSON patches that set one environment's release (images, live colour) on the shared base. */
export function releasePatches(settings: DeploySettings, state: TreeState, image: string, namespace: string): ReleasePatch[] {
  const n = objectNames(settings.app);
  if (settings.target === "argo-rollouts") {
    const patches: ReleasePatch[] = [{ kind: "Rollout", name: n.rollout, path: IMAGE_PATH, value: state.image ?? image }];
    // The Gateway API plugin looks the HTTPRoute up in the namespace its config names (kustomize cannot see it).
    if (settings.strategy === "canary" && settings.traffic === "gateway-api") {
      patches.push({ kind: "Rollout", name: n.rollout, path: "/spec/strategy/canary/trafficRouting/plugins/argoproj-labs~1gatewayAPI/namespace", value: namespace });
    }
    return patches;
  }
  if (settings.strategy === "blue-green") {
    const active: Color = state.activeColor ?? "blue";
    return [
      { kind: "Deployment", name: n.color("blue"), path: IMAGE_PATH, value: state.images.blue ?? image },
      { kind: "Deployment", name: n.color("green"), path: IMAGE_PATH, value: state.images.green ?? image },
      { kind: "Service", name: n.service, path: COLOR_PATH, value: active },
      { kind: "Service", name: n.preview, path: COLOR_PATH, value: active === "blue" ? "green" : "blue" },
    ];
  }
  if (settings.strategy === "canary") {
    return [
      { kind: "Deployment", name: n.stable, path: IMAGE_PATH, value: state.stableImage ?? image },
      { kind: "Deployment", name: n.canary, path: IMAGE_PATH, value: state.canaryImage ?? image },
    ];
  }
  return [{ kind: "Deployment", name: n.deployment, path: IMAGE_PATH, value: state.image ?? image }];
}

/**
 * Renders the kustomize tree `deploy/<app>/{base,overlays/<env>}` and the runbook for one strategy/target/traffic.
 * The base is shared; each overlay carries its environment's release state (`states[env]`) as patches.
 */
export function renderDeploy(settings: DeploySettings, states: Record<string, TreeState>, engine: TemplateEngine): RenderedDeploy {
  const state: TreeState = states[settings.environments[0] ?? ""] ?? { images: {} };
  const { app, strategy, target, traffic } = settings;
  const image = settings.image;
  if (image === undefined) throw new Error("renderDeploy needs an image");
  const n = objectNames(app);
  const base = `deploy/${app}/base`;
  const labels = { [NAME_LABEL]: app };
  const nameSel = { [NAME_LABEL]: app };
  const files: GeneratedFile[] = [];
  const resources: string[] = [];
  const warnings: string[] = [];
  const nextSteps: string[] = [];
  const add = (file: string, template: string, context: object, kind: GeneratedFile["kind"] = "kubernetes") => {
    files.push({ path: `${base}/${file}`, content: engine.renderYaml(`deploy/base/${template}`, context), kind, group: base });
    resources.push(file);
  };
  const pod = (podLabels: Record<string, string>, podImage: string) => ({
    labels: podLabels,
    spreadLabels: podLabels,
    serviceAccount: n.serviceAccount,
    image: podImage,
    port: settings.port,
    healthPath: settings.healthPath,
    readinessPath: settings.readinessPath,
  });
  const progressDeadlineSeconds = Math.max(600, settings.timeoutSeconds);

  add("serviceaccount.yaml", "serviceaccount.yaml", { name: n.serviceAccount, labels });

  const service = (file: string, name: string, selector: Record<string, string>) => add(file, "service.yaml", { name, labels, selector, annotations: null });
  const hpa = (file: string, name: string, kind: string, apiVersion: string, targetName: string) =>
    add(file, "hpa.yaml", { name, labels, targetApiVersion: apiVersion, targetKind: kind, targetName, minReplicas: settings.replicas, maxReplicas: settings.maxReplicas });

  if (target === "kubernetes") {
    const workloads: Workload[] = [];
    if (strategy === "rolling" || strategy === "recreate") {
      workloads.push({ file: "deployment.yaml", name: n.deployment, selector: nameSel, image, fixedReplicas: false, replicas: settings.replicas });
    } else if (strategy === "blue-green") {
      for (const color of ["blue", "green"] as const) {
        workloads.push({ file: `deployment-${color}.yaml`, name: n.color(color), selector: { ...nameSel, color }, image, fixedReplicas: false, replicas: settings.replicas });
      }
    } else {
      workloads.push({ file: "deployment-stable.yaml", name: n.stable, selector: { ...nameSel, track: "stable" }, image, fixedReplicas: false, replicas: settings.replicas });
      workloads.push({ file: "deployment-canary.yaml", name: n.canary, selector: { ...nameSel, track: "canary" }, image, fixedReplicas: true, replicas: 0 });
    }
    for (const w of workloads) {
      add(w.file, "deployment.yaml", {
        name: w.name,
        labels,
        selector: w.selector,
        fixedReplicas: w.fixedReplicas,
        replicas: w.replicas,
        progressDeadlineSeconds,
        updateStrategy: strategy === "recreate" ? "Recreate" : "RollingUpdate",
        pod: pod(w.selector, w.image),
      });
    }
    if (strategy === "blue-green") {
      // The overlays select the live colour per environment; the base starts on blue.
      service("service.yaml", n.service, { ...nameSel, color: "blue" });
      service("service-preview.yaml", n.preview, { ...nameSel, color: "green" });
      hpa("hpa-blue.yaml", n.color("blue"), "Deployment", "apps/v1", n.color("blue"));
      hpa("hpa-green.yaml", n.color("green"), "Deployment", "apps/v1", n.color("green"));
    } else if (strategy === "canary") {
      // Every traffic router sends weights to two Services (Istio: host-level split), so the stable Service must
      // select only stable pods; only the replicas split needs one Service over both tracks.
      const stableOnly = traffic !== "replicas";
      service("service.yaml", n.service, stableOnly ? { ...nameSel, track: "stable" } : nameSel);
      service("service-canary.yaml", n.canaryService, { ...nameSel, track: "canary" });
      hpa("hpa.yaml", n.stable, "Deployment", "apps/v1", n.stable);
    } else {
      service("service.yaml", n.service, nameSel);
      hpa("hpa.yaml", n.hpa, "Deployment", "apps/v1", n.deployment);
    }
  } else {
    // Argo Rollouts: one Rollout; the controller owns the ReplicaSets and adds the pod-template-hash to the Services.
    const blueGreen = strategy === "blue-green" ? { activeService: n.service, previewService: n.preview } : undefined;
    const isCanary = strategy === "canary";
    let trafficRouting: Record<string, string> | undefined;
    if (isCanary && traffic === "nginx") trafficRouting = { kind: "nginx", ingress: n.ingress };
    // Istio host-level split: the VirtualService routes to the stable and canary Services, so the analysis can
    // tell the canary's metrics from the stable ones by Service (subset-level routing shares one Service).
    if (isCanary && traffic === "istio") trafficRouting = { kind: "istio", virtualService: n.route };
    if (isCanary && traffic === "gateway-api") trafficRouting = { kind: "gateway-api", httpRoute: n.route };
    const steps: ({ setWeight: number } | { pause: string })[] = [];
    if (isCanary) {
      for (const weight of settings.canarySteps) {
        if (weight === 100) break;
        steps.push({ setWeight: weight }, { pause: `${settings.pauseSeconds}s` });
      }
    }
    const withServices = isCanary;
    const canary = blueGreen
      ? undefined
      : {
          canaryService: withServices ? n.canaryService : null,
          // Without a traffic router the split is the pod ratio behind the app's Service, which must therefore
          // select both tracks: Argo would pin a stableService to the stable pods and send no user to the canary.
          stableService: withServices && traffic !== "replicas" ? n.service : null,
          maxSurge: strategy === "recreate" ? 0 : isCanary ? "25%" : 1,
          maxUnavailable: strategy === "recreate" ? "100%" : 0,
          trafficRouting: trafficRouting ?? null,
          steps,
          analysisService: withServices ? n.canaryService : n.service,
          baselineService: n.service,
        };
    add("rollout.yaml", "rollout.yaml", {
      name: n.rollout,
      labels,
      selector: nameSel,
      progressDeadlineSeconds,
      pod: pod(nameSel, image),
      blueGreen: blueGreen ?? null,
      canary: canary ?? null,
      analysisTemplate: settings.analysis === "none" ? null : n.analysis,
    });
    if (blueGreen) {
      service("service.yaml", n.service, nameSel);
      service("service-preview.yaml", n.preview, nameSel);
    } else if (withServices) {
      service("service.yaml", n.service, nameSel);
      service("service-canary.yaml", n.canaryService, nameSel);
    } else {
      service("service.yaml", n.service, nameSel);
    }
    if (isCanary && traffic === "replicas") {
      warnings.push("Argo Rollouts without traffic routing sets the canary weight by scaling ReplicaSets, so each weight is approximate");
    }
    if (isCanary && traffic === "gateway-api") {
      warnings.push("Argo Rollouts drives the HTTPRoute through the Gateway API traffic-router plugin (argoproj-labs/gatewayAPI); install it in the controller's configuration");
    }
    if (argoAnalysis(settings)) {
      const prometheusAddress = settings.prometheusUrl ?? DEFAULT_IN_CLUSTER_PROMETHEUS;
      if (!settings.prometheusUrl) {
        warnings.push(`the AnalysisTemplate queries ${DEFAULT_IN_CLUSTER_PROMETHEUS} (kube-prometheus-stack's service); pass --prometheus-url if your Prometheus lives elsewhere`);
      }
      const metrics = metricQueries({
        service: "{{args.service-name}}",
        baselineService: "{{args.baseline-service}}",
        namespace: "{{args.namespace}}",
        errorRateThreshold: settings.errorRateThreshold,
        latencyP99Seconds: settings.latencyP99Seconds,
      });
      add("analysistemplate.yaml", "analysistemplate.yaml", {
        name: n.analysis,
        labels,
        prometheusAddress,
        rateWindow: RATE_WINDOW,
        // Pre-promotion analysis must finish; background canary analysis runs until the rollout completes.
        count: blueGreen ? 5 : null,
        metrics: metrics.map((m) => ({ name: m.name, query: m.query, successCondition: m.successCondition, failureCondition: m.failureCondition, failureLimit: m.failureLimit })),
      });
    }
    hpa("hpa.yaml", n.hpa, "Rollout", "argoproj.io/v1alpha1", n.rollout);
  }

  const usesMetrics = argoAnalysis(settings) || (settings.analysis !== "none" && settings.prometheusUrl !== undefined);
  // The queries need the app's request metrics in Prometheus: scrape every Service of the app.
  if (usesMetrics) add("servicemonitor.yaml", "servicemonitor.yaml", { name: app, labels, selector: nameSel, metricsPath: "/metrics" });
  add("pdb.yaml", "pdb.yaml", { name: n.pdb, labels, selector: nameSel });
  // Istio: traffic also arrives through the mesh (the ingress gateway, sidecar callers), and each sidecar needs istiod.
  const mesh = traffic === "istio";
  const ingressNamespaces = mesh ? [...new Set([settings.ingressNamespace, ISTIO_NAMESPACE])] : [settings.ingressNamespace];
  add("networkpolicy.yaml", "networkpolicy.yaml", {
    labels,
    selector: nameSel,
    port: settings.port,
    ingressNamespaces,
    names: { deny: `${app}-default-deny`, allowIngress: `${app}-allow-ingress`, allowDns: `${app}-allow-dns`, allowMonitoring: `${app}-allow-monitoring`, allowMesh: `${app}-allow-mesh`, allowIstiod: `${app}-allow-istiod` },
    // Only when something reads the app's metrics: the engine's metric gate or an Argo AnalysisTemplate.
    monitoringNamespace: usesMetrics ? settings.monitoringNamespace : null,
    istio: mesh ? { namespace: ISTIO_NAMESPACE } : null,
  });

  // Traffic objects.
  // Each environment's host is added by its overlay (hostPatches), so the base is the same for every environment.
  const ingressContext = (name: string, serviceName: string, annotations: Record<string, string> | null) => ({
    name,
    labels,
    annotations,
    ingressClass: settings.ingressClass,
    service: serviceName,
  });
  const tlsSecret = `${app}-tls`;
  const hostTargets: { kind: "Ingress" | "HTTPRoute"; name: string }[] = [];
  const canaryStrategy = strategy === "canary";
  if (settings.exposure === "ingress") {
    add("ingress.yaml", "ingress.yaml", ingressContext(n.ingress, n.service, null));
    hostTargets.push({ kind: "Ingress", name: n.ingress });
    nextSteps.push(`TLS for ${Object.values(settings.hosts).join(", ")} comes from the Secret ${tlsSecret} in each environment's namespace: create it or let cert-manager issue it (annotate the Ingress with your ClusterIssuer)`);
  }
  if (canaryStrategy && traffic === "nginx" && target === "kubernetes") {
    add("ingress-canary.yaml", "ingress.yaml", ingressContext(n.canaryIngress, n.canaryService, {
      "nginx.ingress.kubernetes.io/canary": "true",
      "nginx.ingress.kubernetes.io/canary-weight": "0",
    }));
    hostTargets.push({ kind: "Ingress", name: n.canaryIngress });
  }
  if (settings.exposure === "gateway-api" && settings.gateway) {
    const parentRef = settings.gateway.namespace ? { name: settings.gateway.name, namespace: settings.gateway.namespace } : { name: settings.gateway.name };
    // A canary split by Gateway API weighs stable against canary; every other exposure has one backend: the live
    // Service (blue-green: the active one; a replicas or Istio canary: the Service the split works behind).
    const backends = canaryStrategy && traffic === "gateway-api"
      ? [{ name: n.service, weighted: true, weight: 100 }, { name: n.canaryService, weighted: true, weight: 0 }]
      : [{ name: n.service, weighted: false, weight: 1 }];
    add("httproute.yaml", "httproute.yaml", { name: n.route, labels, parentRef, hostsPerEnvironment: Boolean(settings.ingressHost), backends });
    if (settings.ingressHost) {
      hostTargets.push({ kind: "HTTPRoute", name: n.route });
      nextSteps.push(`TLS for ${Object.values(settings.hosts).join(", ")} terminates at the Gateway ${settings.gateway.namespace ? `${settings.gateway.namespace}/` : ""}${settings.gateway.name}: its HTTPS listener needs a certificate covering each host`);
    }
  }
  if (canaryStrategy && traffic === "istio") {
    add("virtualservice.yaml", "virtualservice.yaml", { name: n.route, labels, host: n.service, stableService: n.service, canaryService: n.canaryService, stableWeight: 100, canaryWeight: 0 });
    if (settings.ingressHost) warnings.push("with --traffic istio the weights apply to traffic inside the mesh; the HTTPRoute sends external traffic to the stable Service, so run the Gateway in the mesh (e.g. Istio's Gateway API implementation) for it to be split too");
  }

  files.push({ path: `${base}/kustomization.yaml`, content: engine.renderYaml("deploy/base/kustomization.yaml", { resources }), kind: "kustomization" });
  for (const env of settings.environments) {
    const dir = overlayDir(app, env);
    const namespace = settings.namespaces[env] ?? env;
    // Namespaces are not part of the tree: `kubectl delete -k` must never delete one that other apps share. The
    // engine's first apply creates a missing one with restricted Pod Security (the runbook shows the commands).
    if (CLUSTER_NAMESPACES.has(namespace)) {
      warnings.push(`${env}: namespace ${namespace} exists in every cluster and has no restricted Pod Security labels; a dedicated namespace is safer`);
    }
    const patches = releasePatches(settings, states[env] ?? { images: {} }, image, namespace).map((p) => ({
      kind: p.kind,
      name: p.name,
      ops: [{ op: "replace", path: p.path, value: p.value }],
    }));
    const host = settings.hosts[env];
    const hostPatches = host === undefined ? [] : hostTargets.map((t) => ({
      kind: t.kind,
      name: t.name,
      ops: t.kind === "HTTPRoute"
        ? [{ op: "add", path: "/spec/hostnames", value: [host] }]
        : [{ op: "add", path: "/spec/rules/0/host", value: host }, { op: "add", path: "/spec/tls", value: [{ hosts: [host], secretName: tlsSecret }] }],
    }));
    files.push({ path: `${dir}/kustomization.yaml`, content: engine.renderYaml("deploy/overlay/kustomization.yaml", { namespace, env, patches, hostPatches }), kind: "kustomization" });
  }

  const plan = buildPlan(settings, state);
  files.push({ path: `deploy/${app}/RUNBOOK.md`, content: engine.render("deploy/RUNBOOK.md", runbookContext(settings, plan, resources)), kind: "markdown" });
  nextSteps.push(
    ...settings.environments.map((env) => `review: kubectl kustomize ${overlayDir(app, env)}`),
    `plan against the cluster: ${engineCommand(settings, settings.environments[0] ?? "staging", "plan").map(shellWord).join(" ")}`,
    `deploy: ${engineCommand(settings, settings.environments[0] ?? "staging", "apply").map(shellWord).join(" ")}`,
  );
  if (usesMetrics) {
    nextSteps.push(`the metric gates read http_requests_total (with a status label) and http_request_duration_seconds_bucket from /metrics on the http port, scraped through the ServiceMonitor (servicemonitor.yaml, Prometheus Operator); without data the analysis is Inconclusive and the rollout waits for you — or pass --analysis none to gate on readiness and HTTP only`);
  }
  const remote = settings.environments.map((env) => crossNamespaceGateway(settings, settings.namespaces[env] ?? env)).find((g) => g !== undefined);
  if (remote) nextSteps.push(allowedRoutesNote(remote, settings.environments.map((env) => settings.namespaces[env] ?? env)));
  if (target === "argo-rollouts") nextSteps.push("Argo Rollouts must be installed in the cluster (the Rollout and AnalysisTemplate CRDs and controller)");
  const admitted = [...ingressNamespaces, ...(usesMetrics ? [settings.monitoringNamespace] : [])];
  nextSteps.push(mesh
    ? `NetworkPolicies admit traffic to ${app} from namespace(s) ${admitted.join(", ")} and from sidecars in namespaces labelled istio-injection=enabled or istio.io/rev: add ingress rules for callers outside the mesh`
    : `NetworkPolicies admit traffic to ${app} only from namespace(s) ${admitted.join(", ")}: add ingress rules for in-cluster callers (other apps) that call ${app} directly`);
  nextSteps.push(`NetworkPolicies deny all egress except DNS${mesh ? ` and istiod (${ISTIO_NAMESPACE}, ports 15012/15017)` : ""}: add egress rules for ${app}'s dependencies (databases, APIs) before going live`);
  if (mesh) nextSteps.push(`Istio must run with its CNI plugin: restricted Pod Security rejects the sidecar's istio-init container (NET_ADMIN, NET_RAW); namespaces need istio-injection=enabled (the engine sets it on namespaces it creates)`);
  return { files, plan, warnings, nextSteps };
}
