import type { Analysis, Project } from "../analyze/types.ts";
import { InputError } from "../core/types.ts";
import { appNameOf, appSlug } from "../core/app-name.ts";

/**
 * A user-supplied value as it may be echoed in a message: quoted, with control characters and escape sequences
 * written as JSON escapes, so a rejected value can never drive the terminal that shows the error.
 */
export function shown(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A DNS-1123 label (app, environment, namespace, Gateway name…); the rejected value is echoed escaped. */
export function assertSafeSegment(value: string, what: string): string {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(value)) {
    throw new InputError(`${what} ${shown(value)} is not valid: use lowercase letters, digits and '-', starting and ending with a letter or digit (max 63)`);
  }
  return value;
}

export const STRATEGIES = ["rolling", "recreate", "blue-green", "canary"] as const;
export const TARGETS = ["kubernetes", "argo-rollouts"] as const;
export const TRAFFIC = ["replicas", "nginx", "gateway-api", "istio"] as const;
export const ANALYSIS = ["prometheus", "none"] as const;
export const ACTIONS = ["generate", "plan", "apply", "status", "promote", "rollback", "abort"] as const;
export type Strategy = (typeof STRATEGIES)[number];
export type Target = (typeof TARGETS)[number];
export type Traffic = (typeof TRAFFIC)[number];
export type Action = (typeof ACTIONS)[number];
export type Color = "blue" | "green";

/** The seeds' canary ladder: 5% → 25% → 50% → 100%. */
export const DEFAULT_CANARY_STEPS = [5, 25, 50, 100];
export const DEFAULT_ENVIRONMENTS = ["staging", "production"];
/** Where Istio's control plane (istiod) and its default ingress gateway run. */
export const ISTIO_NAMESPACE = "istio-system";

/** Everything the renderer and the executor need, after validation and defaults. */
export interface DeploySettings {
  app: string;
  image: string | undefined;
  port: number;
  strategy: Strategy;
  target: Target;
  traffic: Traffic;
  environments: string[];
  /** Namespace per environment. */
  namespaces: Record<string, string>;
  replicas: number;
  maxReplicas: number;
  healthPath: string;
  readinessPath: string;
  canarySteps: number[];
  pauseSeconds: number;
  /** The --ingress-host value as given (a host, a `{env}` pattern and/or env=host pairs), echoed verbatim. */
  ingressHost: string | undefined;
  /** The public host of each environment, resolved from ingressHost; distinct across environments. */
  hosts: Record<string, string>;
  /**
   * How the host is exposed: an HTTPRoute on the Gateway (the default), or an Ingress only when one was chosen
   * explicitly (--traffic nginx or --ingress-class; ingress-nginx is retired). Undefined: no public exposure.
   */
  exposure: "gateway-api" | "ingress" | undefined;
  ingressClass: string;
  /** --ingress-class was given (not the nginx default). */
  ingressClassGiven: boolean;
  ingressNamespace: string;
  /** Namespace Prometheus scrapes from (allowed in by a NetworkPolicy when metrics are used). */
  monitoringNamespace: string;
  gateway: { name: string; namespace?: string } | undefined;
  prometheusUrl: string | undefined;
  /** prometheus: metric analysis (Argo AnalysisTemplate, engine gate) with a ServiceMonitor; none: readiness and HTTP only. */
  analysis: (typeof ANALYSIS)[number];
  errorRateThreshold: number;
  latencyP99Seconds: number;
  timeoutSeconds: number;
  healthUrl: string | undefined;
}

/** An Argo Rollout that runs AnalysisRuns: a canary or blue-green with metric analysis (its AnalysisTemplate). */
export function argoAnalysis(s: Pick<DeploySettings, "target" | "strategy" | "analysis">): boolean {
  return s.target === "argo-rollouts" && (s.strategy === "canary" || s.strategy === "blue-green") && s.analysis !== "none";
}

/**
 * An image reference with an explicit tag or digest; `:latest` and untagged references are refused, because a
 * rollout (and a rollback) must name exactly one build.
 */
export function assertImage(image: string): string {
  const re = /^(?<name>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+(?=\/))?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;
  // A registry host may carry uppercase or dots; normalise the check to the reference grammar above.
  const match = re.exec(image);
  if (!match || !match.groups) {
    throw new InputError(`image ${shown(image)} is not a valid image reference (expected registry/name:tag or registry/name@sha256:<64 hex>)`);
  }
  const { tag, digest } = match.groups;
  if (!tag && !digest) throw new InputError(`image ${shown(image)} has no tag or digest: name the exact build, e.g. ${image}:1.2.3 or ${image}@sha256:…`);
  if (tag === "latest" && !digest) throw new InputError(`image ${shown(image)} uses :latest, which cannot be rolled back to; use a version tag or a digest`);
  return image;
}

/** 1..100, strictly increasing, ending at 100. */
export function assertCanarySteps(steps: number[]): number[] {
  if (steps.length === 0) throw new InputError("canarySteps: give at least one weight, ending at 100 (e.g. 5,25,50,100)");
  let previous = 0;
  for (const step of steps) {
    if (!Number.isInteger(step) || step < 1 || step > 100) throw new InputError(`canarySteps: ${step} is not an integer between 1 and 100`);
    if (step <= previous) throw new InputError(`canarySteps: weights must be strictly increasing (${steps.join(",")})`);
    previous = step;
  }
  if (previous !== 100) throw new InputError(`canarySteps: the last weight must be 100 (got ${steps.join(",")})`);
  return steps;
}

export function assertHttpPath(path: string, what: string): string {
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(path)) throw new InputError(`${what} ${shown(path)} must be an absolute URL path like /healthz`);
  return path;
}

export function assertHost(host: string): string {
  if (!/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(host) || host.length > 253) {
    throw new InputError(`ingressHost ${shown(host)} is not a valid DNS name (lowercase, e.g. app.example.com)`);
  }
  return host;
}

const HOST_FORMS =
  "use a pattern with {env} (e.g. '{env}.shop.example.com') and/or env=host pairs, comma-separated (e.g. '{env}.shop.example.com,production=shop.example.com')";

/**
 * One public host per environment from --ingress-host: a literal host (one environment only), a pattern with
 * `{env}`, and/or `env=host` pairs for environments whose host differs. Hosts must differ across environments: a
 * duplicate host is refused by the ingress admission webhook, and with Gateway API the oldest route wins, so staging
 * could serve production traffic. Pairs for environments outside this run are accepted (an action on one
 * environment is given the same value as generate).
 */
export function resolveHosts(raw: string, environments: string[]): { hosts: Record<string, string>; warnings: string[] } {
  const warnings: string[] = [];
  const pairs = new Map<string, string>();
  let fallback: string | undefined;
  for (const part of raw.split(",").map((p) => p.trim())) {
    if (part === "") throw new InputError(`ingressHost ${shown(raw)} has an empty entry; ${HOST_FORMS}`);
    const eq = part.indexOf("=");
    if (eq >= 0) {
      const env = assertSafeSegment(part.slice(0, eq).trim(), "environment in ingressHost");
      if (pairs.has(env)) throw new InputError(`ingressHost names environment ${env} twice`);
      pairs.set(env, assertHost(part.slice(eq + 1).trim()));
    } else {
      if (fallback !== undefined) throw new InputError(`ingressHost ${shown(raw)} has more than one entry without env=; ${HOST_FORMS}`);
      fallback = part;
    }
  }
  const hosts: Record<string, string> = {};
  const fromFallback: string[] = [];
  for (const env of environments) {
    const explicit = pairs.get(env);
    if (explicit !== undefined) hosts[env] = explicit;
    else if (fallback !== undefined) {
      hosts[env] = assertHost(fallback.split("{env}").join(env));
      fromFallback.push(env);
    } else throw new InputError(`ingressHost gives no host for environment ${env}: add ${env}=HOST or a {env} pattern`);
  }
  if (fallback !== undefined && !fallback.includes("{env}") && fromFallback.length > 1) {
    throw new InputError(
      `ingressHost ${shown(fallback)} would give environments ${fromFallback.join(", ")} the same host: a duplicate host is refused by the ingress ` +
        `admission webhook, and with Gateway API the oldest route wins, so staging could serve production traffic; ${HOST_FORMS}`,
    );
  }
  const seen = new Map<string, string>();
  for (const env of environments) {
    const host = hosts[env] as string;
    const other = seen.get(host);
    if (other !== undefined) throw new InputError(`ingressHost gives environments ${other} and ${env} the same host ${host}: hosts must differ across environments; ${HOST_FORMS}`);
    seen.set(host, env);
  }
  const unknown = [...pairs.keys()].filter((env) => !environments.includes(env));
  if (unknown.length > 0 && environments.length > 1) warnings.push(`ingressHost names environment(s) ${unknown.join(", ")}, which are not among ${environments.join(", ")}; those hosts are not used`);
  return { hosts, warnings };
}

export function assertHttpUrl(url: string, what: string): string {
  // The URL parser silently drops tabs and newlines; a value that needs that would be written verbatim into
  // YAML and the runbook, so anything outside printable ASCII is refused before parsing.
  if (!/^[\x21-\x7e]+$/.test(url)) throw new InputError(`${what} ${shown(url)} contains whitespace or control characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${what} ${shown(url)} is not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new InputError(`${what} ${shown(url)} must be http(s)`);
  return url.replace(/\/+$/, "");
}

export interface RawDeployInput {
  strategy: Strategy;
  target: Target;
  traffic?: Traffic;
  app?: string;
  image?: string;
  port?: number;
  namespace?: string;
  environments?: string[];
  replicas: number;
  healthPath?: string;
  readinessPath?: string;
  canarySteps: number[];
  pauseSeconds: number;
  ingressHost?: string;
  /** Undefined when not given: an explicit class (any) chooses an Ingress over the Gateway API default. */
  ingressClass?: string;
  ingressNamespace?: string;
  monitoringNamespace: string;
  gateway?: string;
  prometheusUrl?: string;
  analysis?: (typeof ANALYSIS)[number];
  errorRateThreshold: number;
  latencyP99Seconds: number;
  timeoutSeconds: number;
  healthUrl?: string;
  action: Action;
}

/** Picks the project/service the analysis offers for the app name and port, when it can tell. */
function fromAnalysis(analysis: Analysis | undefined): { name?: string; port?: number; why: string[]; project?: Project } {
  const why: string[] = [];
  if (!analysis) return { why };
  const services = analysis.services;
  const projects = analysis.projects;
  let name: string | undefined;
  let port: number | undefined;
  const single = services.length === 1 ? services[0] : undefined;
  const project = projects.length === 1 ? projects[0] : single ? projects.find((p) => p.path === single.context) : undefined;
  if (project) {
    name = appNameOf({ project, service: single });
    port = project.port ?? single?.ports[0];
    const source = name === appSlug(project.name || project.path) ? `the project in ${project.path}` : `the service in ${single!.source}`;
    why.push(`app name from ${source}, as the pipeline names its image${port !== undefined ? `, port from ${project.dockerfile ?? single?.source ?? "its framework default"}` : ""}`);
  } else if (single) {
    name = appNameOf({ service: single });
    port = single.ports[0];
    why.push(`app and port from the service in ${single.source}`);
  } else if (services.length > 1 || projects.length > 1) {
    const withPort = projects.filter((p) => p.port !== undefined);
    if (withPort.length === 1 && withPort[0]) port = withPort[0].port;
    why.push(`the repository has ${services.length} service(s) and ${projects.length} project(s); pass --app to choose one`);
  }
  return { name, port, why, project };
}

/** The health route of the project deployed as `app`, as the analysis read it from the source. */
function healthRouteOf(analysis: Analysis | undefined, app: string, guessed: Project | undefined): { path?: string; project?: Project } {
  if (!analysis) return {};
  const project = guessed ?? analysis.projects.find((p) => appSlug(p.name || p.path) === app)
    ?? analysis.projects.find((p) => analysis.services.some((s) => s.context === p.path && appSlug(s.name) === app));
  return { path: project?.healthPath, project };
}

export function resolveSettings(input: RawDeployInput, analysis: Analysis | undefined): { settings: DeploySettings; warnings: string[] } {
  const warnings: string[] = [];
  const guess = fromAnalysis(analysis);
  let app = input.app;
  if (app === undefined) {
    const derived = guess.name;
    if (!derived) throw new InputError(`cannot tell the app name from the repository (${guess.why.join("; ") || "no project found"}); pass --app NAME`);
    app = derived;
    warnings.push(`app name "${app}" derived from the repository (${guess.why.join("; ")})`);
  }
  assertSafeSegment(app, "app");
  if (app.length > 40) throw new InputError(`app ${shown(app)} is too long: keep it to 40 characters so derived names (${app}-preview, ${app}-default-deny…) stay valid`);

  const port = input.port ?? guess.port;
  if (port === undefined) throw new InputError("cannot tell the container port (no EXPOSE in a Dockerfile, no framework default); pass --port N");
  if (input.port === undefined) warnings.push(`container port ${port} taken from the repository analysis`);

  const image = input.image === undefined ? undefined : assertImage(input.image);
  if (image === undefined && (input.action === "generate" || input.action === "plan" || input.action === "apply")) {
    throw new InputError("image is required: pass --image registry/name:tag (or @sha256:digest); no image is ever invented and :latest is refused");
  }

  const environments = input.environments ?? DEFAULT_ENVIRONMENTS;
  if (environments.length === 0) throw new InputError("environments: give at least one environment");
  for (const env of environments) assertSafeSegment(env, "environment");
  if (new Set(environments).size !== environments.length) throw new InputError(`environments: duplicates in ${environments.join(",")}`);
  if (input.namespace !== undefined) {
    assertSafeSegment(input.namespace, "namespace");
    if (environments.length > 1) {
      throw new InputError(`one namespace cannot hold ${environments.length} environments of the same app; drop --namespace (each environment then gets a namespace named after it) or pass a single --env`);
    }
  }
  const namespaces = Object.fromEntries(environments.map((env) => [env, input.namespace ?? env]));

  const isCanary = input.strategy === "canary";
  if (input.ingressClass !== undefined && input.traffic === "gateway-api") {
    throw new InputError("--ingress-class asks for an Ingress, --traffic gateway-api for an HTTPRoute: pass one of the two");
  }
  const ingressHost = input.ingressHost;
  let hosts: Record<string, string> = {};
  if (ingressHost !== undefined) {
    const resolved = resolveHosts(ingressHost, environments);
    hosts = resolved.hosts;
    warnings.push(...resolved.warnings);
  }
  // Gateway API is the default exposure; an Ingress only when one was chosen explicitly.
  const ingressChosen = input.traffic === "nginx" || input.ingressClass !== undefined;
  const ingressClass = input.ingressClass ?? "nginx";
  const exposure: DeploySettings["exposure"] = ingressHost !== undefined
    ? (ingressChosen ? "ingress" : "gateway-api")
    : isCanary && input.traffic === "gateway-api" ? "gateway-api" : undefined;
  let traffic: Traffic = input.traffic ?? (isCanary && ingressHost !== undefined ? (exposure === "gateway-api" ? "gateway-api" : ingressClass === "nginx" ? "nginx" : "replicas") : "replicas");
  if (!isCanary && input.traffic !== undefined && input.traffic !== "replicas") {
    warnings.push(input.traffic === "nginx" && ingressHost !== undefined
      ? `--traffic nginx only shapes canary traffic; the ${input.strategy} strategy does not split traffic, so it only chooses an ingress-nginx Ingress for the host`
      : `--traffic ${input.traffic} only shapes canary traffic; the ${input.strategy} strategy does not split traffic, so it is ignored`);
    traffic = "replicas";
  }
  if (isCanary && input.traffic === "nginx" && !ingressHost) throw new InputError("--traffic nginx splits traffic on an Ingress: pass --ingress-host HOST");
  if (traffic === "nginx" || (exposure === "ingress" && ingressClass === "nginx")) {
    warnings.push("the community ingress-nginx controller was retired in March 2026 (no releases or security fixes): prefer Gateway API, the default exposure (drop --traffic nginx and --ingress-class, pass --gateway NAMESPACE/NAME)");
  }
  let gateway: DeploySettings["gateway"];
  if (input.gateway !== undefined) {
    const parts = input.gateway.split("/");
    if (parts.length > 2) throw new InputError(`gateway ${shown(input.gateway)} must be NAME or NAMESPACE/NAME`);
    const [first, second] = parts;
    const name = second ?? first ?? "";
    const namespace = second === undefined ? undefined : first;
    assertSafeSegment(name, "gateway name");
    if (namespace !== undefined) assertSafeSegment(namespace, "gateway namespace");
    gateway = namespace === undefined ? { name } : { name, namespace };
  }
  if (input.traffic === "gateway-api" && !gateway) throw new InputError("--traffic gateway-api attaches an HTTPRoute to a Gateway: pass --gateway [NAMESPACE/]NAME");
  if (exposure === "gateway-api" && !gateway) {
    throw new InputError(
      "--ingress-host is exposed through a Gateway API HTTPRoute by default (the community ingress-nginx controller was retired in March 2026): " +
        "pass --gateway [NAMESPACE/]NAME with the Gateway the route attaches to, or choose an Ingress explicitly with --ingress-class CLASS (legacy)",
    );
  }
  if (!/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(ingressClass)) throw new InputError(`ingressClass ${shown(ingressClass)} is not a valid class name`);
  // The NetworkPolicy admits the namespace whose pods carry the traffic in: ingress-nginx, Istio's ingress
  // gateway, or (Gateway API) the Gateway's namespace, where most implementations run its data plane.
  // A Gateway API canary is always exposed through the Gateway, so the exposure alone says where traffic enters.
  const viaGateway = exposure === "gateway-api";
  // Istio: traffic enters where the host is exposed (the Gateway's proxies, or the Ingress class's controller:
  // ingress-nginx unless the class is istio) and, with no host, through Istio's ingress gateway; the NetworkPolicies
  // admit the mesh (gateway, sidecar callers) on top of it.
  const entryNamespace = viaGateway ? (gateway?.namespace ?? "ingress-nginx") : traffic === "istio" && (exposure === undefined || ingressClass === "istio") ? ISTIO_NAMESPACE : "ingress-nginx";
  const ingressNamespace = input.ingressNamespace ?? entryNamespace;
  if (traffic === "istio") {
    const outsideMesh = ingressNamespace === ISTIO_NAMESPACE ? "" : `the proxies in ${ingressNamespace}, `;
    warnings.push(`--traffic istio: the pods get Istio sidecars (namespaces the engine creates are labelled istio-injection=enabled; label an existing one yourself). Restricted Pod Security rejects the istio-init container (NET_ADMIN, NET_RAW), so Istio must run with its CNI plugin (istio-cni); without it no pod starts`);
    warnings.push(`--traffic istio: the NetworkPolicies assume istiod and the Istio ingress gateway run in namespace ${ISTIO_NAMESPACE} (pass --ingress-namespace if traffic enters elsewhere, e.g. a gateway in istio-ingress) and admit sidecar callers from namespaces labelled istio-injection=enabled or istio.io/rev; callers outside the mesh (${outsideMesh}Prometheus) reach the pods only with PERMISSIVE mTLS, Istio's default`);
  }
  if (viaGateway && input.ingressNamespace === undefined) {
    warnings.push(gateway?.namespace
      ? `the NetworkPolicy admits traffic from namespace ${gateway.namespace} (the Gateway's); if your Gateway API implementation runs its proxies elsewhere (e.g. envoy-gateway-system), pass --ingress-namespace`
      : `the Gateway has no namespace, so the NetworkPolicy cannot tell where its proxies run and admits ${ingressNamespace}; pass --ingress-namespace with the namespace of your Gateway API implementation's proxies`);
  }
  assertSafeSegment(ingressNamespace, "ingressNamespace");
  assertSafeSegment(input.monitoringNamespace, "monitoringNamespace");

  const canarySteps = assertCanarySteps(input.canarySteps);
  if (traffic === "replicas" && input.strategy === "canary") {
    warnings.push(`--traffic replicas: the canary share follows the pod ratio, so weights ${canarySteps.join("/")}% are approximate (with ${input.replicas} replicas the smallest step is ${Math.round(100 / (input.replicas + 1))}%); use nginx, gateway-api or istio for exact weights`);
  }
  if (input.target === "argo-rollouts" && input.strategy === "recreate") {
    warnings.push("Argo Rollouts has no Recreate strategy: generated a canary with maxSurge 0 and maxUnavailable 100%, which stops every old pod before starting the new ones");
  }
  let healthInput = input.healthPath;
  if (healthInput === undefined) {
    const found = healthRouteOf(analysis, app, guess.project);
    healthInput = found.path ?? "/healthz";
    warnings.push(found.path
      ? `health path ${found.path} found in the source of ${found.project!.path}`
      : `no health route found in the source${found.project ? ` of ${found.project.path}` : ""}: probes and the health gate use /healthz, so the app must serve it (200) or pass --health-path`);
  }
  const healthPath = assertHttpPath(healthInput, "healthPath");
  const readinessPath = assertHttpPath(input.readinessPath ?? healthInput, "readinessPath");
  const prometheusUrl = input.prometheusUrl === undefined ? undefined : assertHttpUrl(input.prometheusUrl, "prometheusUrl");
  const analysisMode = input.analysis ?? "prometheus";
  if (analysisMode === "none" && prometheusUrl) throw new InputError("--analysis none turns metric checks off, --prometheus-url asks for them: pass one of the two");
  if (analysisMode === "none" && (input.strategy === "canary" || input.strategy === "blue-green")) {
    warnings.push("--analysis none: releases are gated only by ready pods and the HTTP health check, with no error-rate or latency analysis");
  }
  const healthUrl = input.healthUrl === undefined ? undefined : assertHttpUrl(input.healthUrl, "healthUrl");

  return {
    settings: {
      app,
      image,
      port,
      strategy: input.strategy,
      target: input.target,
      traffic,
      environments,
      namespaces,
      replicas: input.replicas,
      maxReplicas: Math.max(20, input.replicas * 2),
      healthPath,
      readinessPath,
      canarySteps,
      pauseSeconds: input.pauseSeconds,
      ingressHost,
      hosts,
      exposure,
      ingressClass,
      ingressClassGiven: input.ingressClass !== undefined,
      ingressNamespace,
      monitoringNamespace: input.monitoringNamespace,
      gateway,
      prometheusUrl,
      analysis: analysisMode,
      errorRateThreshold: input.errorRateThreshold,
      latencyP99Seconds: input.latencyP99Seconds,
      timeoutSeconds: input.timeoutSeconds,
      healthUrl,
    },
    warnings,
  };
}
