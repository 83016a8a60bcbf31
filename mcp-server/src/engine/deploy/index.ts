import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { analyzeRepository } from "../analyze/index.ts";
import type { Analysis } from "../analyze/types.ts";
import { commonInput, defineCapability } from "../core/capability.ts";
import { type FileResult, type GeneratedFile, InputError, type ToolResult, type Validation } from "../core/types.ts";
import { templateEngine } from "../templating/render.ts";
import "../validate/deploy-selectors.ts";
import { resolveRoot, validateAndWrite, type WriteRequest } from "../writer/index.ts";
import { kubectlCommands } from "./commands.ts";
import { execute, type ExecReport } from "./execute.ts";
import { checkGatewayAdmits } from "./gateway.ts";
import { checkIstioCni } from "./istio.ts";
import { detectKubectl, runKubectl } from "./kubectl.ts";
import { materialise, validateOverlays } from "./kustomize.ts";
import { chartDir, renderHelmChart, validateChart } from "./helm.ts";
import { ACTIONS, ANALYSIS, DEFAULT_CANARY_STEPS, resolveSettings, STRATEGIES, TARGETS, TRAFFIC, type DeploySettings } from "./model.ts";
import { type RenderedDeploy, renderDeploy } from "./render.ts";
import { overlayDir } from "./names.ts";
import { nextState, readTreeState, type TreeState } from "./state.ts";

export { renderDeploy } from "./render.ts";
export { resolveSettings } from "./model.ts";

const MUTATING = new Set(["apply", "promote", "rollback", "abort"]);
const FORMATS = ["kustomize", "helm"] as const;

const canaryStepsSchema = z
  .array(z.coerce.number().int().min(1).max(100))
  .superRefine((steps, ctx) => {
    for (let i = 1; i < steps.length; i++) {
      if ((steps[i] ?? 0) <= (steps[i - 1] ?? 0)) ctx.addIssue({ code: "custom", message: `weights must be strictly increasing (${steps.join(",")})` });
    }
    if (steps.length === 0 || steps[steps.length - 1] !== 100) ctx.addIssue({ code: "custom", message: `the last weight must be 100 (got ${steps.join(",")})` });
  });

export const deployCapability = defineCapability({
  tool: "deployment-manager",
  title: "Generate and run Kubernetes deployments",
  description:
    "Use to deploy a service to Kubernetes or run a release: writes a hardened kustomize tree or Helm chart deploy/<app> (rolling, recreate, " +
    "blue-green, canary; Argo Rollouts optional) and a RUNBOOK; apply/status/promote/rollback/abort run kubectl with health " +
    "gates and auto-rollback, on the cluster shown, with confirm.",
  inputShape: {
    ...commonInput,
    strategy: z.enum(STRATEGIES).default("rolling"),
    target: z.enum(TARGETS).default("kubernetes"),
    action: z.enum(ACTIONS).default("generate").describe("generate writes; plan previews; others run kubectl"),
    format: z.enum(FORMATS).default("kustomize").describe("helm: a chart (generate/plan)"),
    app: z.string().min(1).max(63).optional().describe("DNS-1123 label; default: the single service"),
    image: z.string().min(1).max(512).optional().describe("Tag or digest, not :latest; for generate/plan/apply"),
    port: z.number().int().min(1).max(65535).optional(),
    namespace: z.string().min(1).max(63).optional(),
    environments: z.array(z.string().min(1).max(63)).min(1).optional().describe("Default staging, production; actions take one"),
    replicas: z.number().int().min(1).max(1000).default(3).describe("HPA minReplicas"),
    healthPath: z.string().min(1).max(200).optional().describe("Probe and health-gate path (default: found in source)"),
    readinessPath: z.string().min(1).max(200).optional(),
    canarySteps: canaryStepsSchema.default(DEFAULT_CANARY_STEPS).describe("Weights in %, increasing, last 100"),
    pauseSeconds: z.number().int().min(0).max(86_400).default(600),
    traffic: z.enum(TRAFFIC).optional().describe("Canary traffic split"),
    ingressHost: z.string().min(1).max(1000).optional().describe("{env} pattern and/or env=host pairs"),
    ingressClass: z.string().min(1).max(253).optional().describe("Legacy Ingress, not HTTPRoute"),
    ingressNamespace: z.string().min(1).max(63).optional().describe("Ingress controller's, let in by NetworkPolicy"),
    monitoringNamespace: z.string().min(1).max(63).default("monitoring").describe("Prometheus's, let in by NetworkPolicy"),
    gateway: z.string().min(1).max(127).optional().describe("[namespace/]name; HTTPRoute parent"),
    prometheusUrl: z.string().min(1).max(500).optional().describe("Metric gate, AnalysisTemplate"),
    analysis: z.enum(ANALYSIS).default("prometheus").describe("none: no metric gates"),
    errorRateThreshold: z.number().gt(0).lt(1).default(0.05),
    latencyP99Seconds: z.number().positive().max(600).default(2),
    healthUrl: z.string().min(1).max(500).optional().describe("Instead of port-forward"),
    timeoutSeconds: z.number().int().min(1).max(86_400).default(600).describe("Per rollout wait; then roll back"),
    confirm: z.boolean().default(false).describe("Required for every live change (CLI --yes)"),
  },
  annotations: { title: "Generate and run Kubernetes deployments", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  cli: {
    command: "deploy",
    summary: "generate, plan and run rolling/recreate/blue-green/canary deployments (kubernetes, argo-rollouts)",
    options: [
      { flags: "--strategy <strategy>", key: "strategy", description: `release strategy: ${STRATEGIES.join(", ")}` },
      { flags: "--target <target>", key: "target", description: `${TARGETS.join(", ")}` },
      { flags: "--action <action>", key: "action", description: `${ACTIONS.join(", ")} (default generate)` },
      { flags: "--format <format>", key: "format", description: "kustomize (default) or helm: a chart deploy/<app>/chart with values-<env>.yaml (generate and plan)" },
      { flags: "--app <name>", key: "app", description: "app name (DNS-1123)" },
      { flags: "--image <ref>", key: "image", description: "image with tag or digest (:latest refused)" },
      { flags: "--port <n>", key: "port", type: "int", description: "container port" },
      { flags: "--namespace <ns>", key: "namespace", description: "namespace (single environment only)" },
      { flags: "--env <list>", key: "environments", type: "list", description: "environments, comma-separated (one overlay each)" },
      { flags: "--replicas <n>", key: "replicas", type: "int", description: "minimum replicas" },
      { flags: "--health-path <path>", key: "healthPath", description: "liveness/startup probe and health gate path (default: the route found in the source, else /healthz)" },
      { flags: "--readiness-path <path>", key: "readinessPath", description: "readiness probe path (default: health path)" },
      { flags: "--canary-steps <list>", key: "canarySteps", type: "list", description: "canary weights, e.g. 5,25,50,100" },
      { flags: "--pause-seconds <n>", key: "pauseSeconds", type: "int", description: "pause after each canary weight (default 600)" },
      { flags: "--traffic <how>", key: "traffic", description: `canary traffic split: ${TRAFFIC.join(", ")}` },
      { flags: "--ingress-host <hosts>", key: "ingressHost", description: "public host per environment: a {env} pattern and/or env=host pairs, comma-separated" },
      { flags: "--ingress-class <class>", key: "ingressClass", description: "expose through an Ingress of this class instead of a Gateway API HTTPRoute (legacy)" },
      { flags: "--ingress-namespace <ns>", key: "ingressNamespace", description: "ingress controller namespace for the NetworkPolicy" },
      { flags: "--monitoring-namespace <ns>", key: "monitoringNamespace", description: "namespace Prometheus scrapes from (default monitoring)" },
      { flags: "--gateway <ref>", key: "gateway", description: "Gateway API parent [namespace/]name of the HTTPRoute (needed with --ingress-host)" },
      { flags: "--prometheus-url <url>", key: "prometheusUrl", description: "Prometheus base URL for the metric gate" },
      { flags: "--analysis <mode>", key: "analysis", description: "prometheus (default) or none: no metric analysis" },
      { flags: "--health-url <url>", key: "healthUrl", description: "base URL for the HTTP health check (default: kubectl port-forward)" },
      { flags: "--timeout-seconds <n>", key: "timeoutSeconds", type: "int", description: "timeout per rollout wait (default 600)" },
      { flags: "--yes", key: "confirm", type: "bool", description: "confirm a live change to the cluster shown" },
    ],
  },
  async run(input, context) {
    const root = resolveRoot(input.path);
    const { action } = input;
    let analysis: Analysis | undefined;
    if (input.app === undefined || input.port === undefined || input.healthPath === undefined) {
      context.progress(`analysing ${root} for the app name, port and health route`);
      analysis = await analyzeRepository(root, { progress: context.progress });
    }
    const { settings, warnings } = resolveSettings({ ...input, canarySteps: input.canarySteps }, analysis);
    if (analysis) warnings.unshift(...analysis.warnings);
    const engine = templateEngine(context.templatesDir);

    const executes = action !== "generate" && action !== "plan";
    const env = settings.environments[0] ?? "staging";
    if (executes && input.format === "helm") {
      throw new InputError(`action ${action} runs on the kustomize tree; a chart is released with helm (see ${chartDir(settings.app)}/README.md): helm upgrade --install ${settings.app} ${chartDir(settings.app)} --namespace <ns> -f ${chartDir(settings.app)}/values-<env>.yaml`);
    }
    if (executes && settings.environments.length !== 1) {
      throw new InputError(`action ${action} works on one environment; pass --env with one of ${settings.environments.join(", ")}`);
    }

    // Release state is per environment: each overlay carries its own.
    const diskStates: Record<string, TreeState> = Object.fromEntries(settings.environments.map((e) => [e, readTreeState(root, settings.app, e)]));
    const diskState: TreeState = diskStates[env] ?? { images: {} };
    const render = (states: Record<string, TreeState>, image = settings.image) => renderDeploy({ ...settings, image } as DeploySettings, states, engine);

    if (action === "generate" || action === "plan") {
      const image = settings.image as string;
      const state: Record<string, TreeState> = Object.fromEntries(settings.environments.map((e) => [e, nextState(settings, image, diskStates[e] ?? { images: {} })]));
      const rendered = render(state);
      const chart = input.format === "helm" ? renderHelmChart(settings, state, rendered, engine) : undefined;
      context.progress(`rendered ${(chart ?? rendered.files).length} file(s) for ${settings.strategy} on ${settings.target}${chart ? " (helm chart)" : ""}`);
      const details: Record<string, unknown> = { plan: rendered.plan, state };
      const nextSteps = chart ? helmNextSteps(settings, rendered.nextSteps) : rendered.nextSteps;
      let refusals: string[] = [];
      if (action === "plan") {
        const diff = await kubectlDiff(settings, rendered.files, context.signal, context.progress);
        details.kubectlDiff = diff;
        refusals = diff.preflightRefusals ?? [];
        warnings.push(...(diff.preflightWarnings ?? []));
      }
      const stale = chart ? [] : staleFiles(root, settings.app, rendered.files);
      if (stale.length > 0) {
        warnings.push(`not part of this ${settings.strategy}/${settings.target} tree any more (kustomize no longer references them; delete them when you are done with the old setup): ${stale.join(", ")}`);
      }
      const checked = await writeChecked(settings, rendered, {
        tool: "deployment-manager",
        root,
        files: chart ?? rendered.files,
        dryRun: input.dryRun || action === "plan",
        force: input.force,
        warnings: [...warnings, ...rendered.warnings],
        nextSteps,
        ...(analysis ? { analysis } : {}),
        details,
        progress: context.progress,
      }, context.signal, chart ? () => validateChart(chart, settings.app, settings.environments.map((e) => ({ env: e, namespace: settings.namespaces[e] ?? e }))) : undefined);
      return refusals.length > 0 ? { ...checked, status: "failed", warnings: [...checked.warnings, ...refusals] } : checked;
    }

    // Execution actions.
    const files: FileResult[] = [];
    const validations: Validation[] = [];
    const result = (status: ToolResult["status"], report: ExecReport | undefined, extra: Record<string, unknown> = {}): ToolResult => ({
      tool: "deployment-manager",
      root,
      dryRun: input.dryRun,
      status,
      ...(analysis ? { analysis } : {}),
      files,
      validations,
      warnings,
      nextSteps: report && report.outcome !== "succeeded" && report.outcome !== "dry-run"
        ? [
            `see deploy/${settings.app}/RUNBOOK.md (Diagnose) for ${settings.app} in ${settings.namespaces[env] ?? env}`,
            ...(report.rolledBack && action === "apply" ? [`the cluster is back on the previous version, but deploy/${settings.app} still names ${settings.image}: fix the build and apply a new image`] : []),
          ]
        : [],
      details: { ...extra, ...(report ? { execution: report } : {}) },
    });

    const namespace = settings.namespaces[env] ?? env;
    let tempRoot: string | undefined;
    let state: TreeState = diskState;
    let commitTree: (() => Promise<{ ok: boolean; detail: string }>) | undefined;
    if (action === "apply") {
      // Checked, then built in a temp copy for the server-side dry run; the repository's tree is written only once
      // the cluster answered and accepted the dry run, so a failed start changes nothing on disk.
      state = nextState(settings, settings.image as string, diskState);
      const rendered = render({ [env]: state });
      const request: WriteRequest = {
        tool: "deployment-manager", root, files: rendered.files, dryRun: true, force: input.force,
        warnings: [], nextSteps: [], progress: context.progress,
      };
      const checked = await writeChecked(settings, rendered, request, context.signal);
      validations.push(...checked.validations);
      warnings.push(...rendered.warnings, ...checked.warnings);
      if (checked.status !== "ok") {
        files.push(...checked.files);
        return { ...result(checked.status, undefined, { plan: rendered.plan }), nextSteps: ["nothing was applied: resolve the file problems above (or re-run with force), then apply again"] };
      }
      tempRoot = materialise(rendered.files);
      if (input.dryRun) files.push(...checked.files);
      else {
        commitTree = async () => {
          const written = await validateAndWrite({ ...request, dryRun: false });
          files.push(...written.files);
          warnings.push(...written.warnings);
          return written.status === "ok"
            ? { ok: true, detail: `tree written (${written.files.filter((f) => f.action === "update" || f.action === "create").length} file(s) changed)` }
            : { ok: false, detail: `the tree could not be written (${written.status}): ${written.warnings.join("; ")}` };
        };
      }
    }

    try {
      const kube = await detectKubectl(context.signal, settings.timeoutSeconds * 1000);
      const target = { context: kube.context, server: kube.server, namespace };
      if (!kube.available) {
        const report: ExecReport = { action, environment: env, namespace, ...(kube.context ? { context: kube.context } : {}), outcome: "failed", rolledBack: false, steps: [], gates: [], summary: `cannot ${action}: ${kube.reason}${action === "apply" && !input.dryRun ? "; nothing was written or applied" : ""}` };
        context.progress(report.summary);
        return result("failed", report, { target });
      }
      if (action === "apply") {
        // An HTTPRoute the Gateway does not admit is accepted by the API server and then never served: refuse first.
        const gw = await checkGatewayAdmits(settings, namespace, context.signal);
        const cni = await checkIstioCni(settings, context.signal);
        warnings.push(...gw.warnings, ...cni.warnings);
        const refusal = gw.refusal ?? cni.refusal;
        if (refusal) {
          const report: ExecReport = { action, environment: env, namespace, ...(kube.context ? { context: kube.context } : {}), outcome: "failed", rolledBack: false, steps: [], gates: [], summary: `cannot apply: ${refusal}` };
          context.progress(report.summary);
          return result("failed", report, { target });
        }
      }
      // Every live change names the cluster it would change; nothing is assumed from environment names.
      if (MUTATING.has(action) && !input.dryRun && !input.confirm) {
        throw new InputError(
          `action ${action} would change namespace ${namespace} (environment ${env}) on the cluster of kubectl context ${kube.context} ` +
            `(API server ${kube.server ?? "unknown"}, ${kube.serverVersion}): check that this is the cluster you mean, then re-run with --yes ` +
            `(MCP: confirm: true); nothing was written`,
        );
      }
      context.progress(`kubectl context ${kube.context}${kube.argoPlugin ? " (kubectl-argo-rollouts plugin found)" : ""}`);
      const report = await execute(action, {
        settings,
        env,
        kube,
        state,
        dryRun: input.dryRun,
        progress: context.progress,
        ...(context.signal ? { signal: context.signal } : {}),
        cwd: root,
        ...(tempRoot ? { dryRunCwd: tempRoot } : {}),
        ...(commitTree ? { commitTree } : {}),
        pollMs: Number(process.env.SENIOR_DEVOPS_POLL_MS) || undefined,
        writeTree: async (next) => {
          const image = settings.image ?? next.image ?? next.canaryImage ?? (next.activeColor ? next.images[next.activeColor] : undefined) ?? diskState.canaryImage ?? diskState.image;
          if (!image) return { ok: false, detail: "no image known for the tree; run generate with --image first" };
          const rendered = render({ [env]: next }, image);
          const written = await writeChecked(settings, rendered, {
            tool: "deployment-manager", root, files: rendered.files, dryRun: input.dryRun, force: input.force, warnings: [], nextSteps: [], progress: context.progress,
          }, context.signal);
          for (const f of written.files) {
            const at = files.findIndex((x) => x.path === f.path);
            if (at >= 0) files[at] = f;
            else files.push(f);
          }
          validations.push(...written.validations);
          return written.status === "ok"
            ? { ok: true, detail: `tree updated (${written.files.filter((f) => f.action === "update" || f.action === "create").length} file(s) changed)` }
            : { ok: false, detail: `tree not updated (${written.status}): ${written.warnings.join("; ")}` };
        },
      });
      context.progress(report.summary);
      const failed = report.outcome === "failed" || report.outcome === "rolled-back";
      return result(failed ? "failed" : "ok", report, { target });
    } finally {
      if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
    }
  },
});

/**
 * validateAndWrite plus the kustomize check: every overlay must build and its output validate, else nothing is
 * written (status "invalid", with the file plan and diffs of the dry run).
 */
async function writeChecked(settings: DeploySettings, rendered: RenderedDeploy, request: WriteRequest, signal?: AbortSignal, chartChecks?: () => Promise<Validation[]>): Promise<ToolResult> {
  request.progress(`kubectl kustomize: building ${settings.environments.length} overlay(s)`);
  const overlays = await validateOverlays(rendered.files, settings.environments.map((env) => overlayDir(settings.app, env)), signal);
  if (chartChecks) {
    request.progress(`helm lint and helm template: ${settings.environments.length} environment(s)`);
    overlays.push(...(await chartChecks()));
  }
  const failed = overlays.filter((v) => !v.ok);
  if (failed.length > 0) {
    const planned = await validateAndWrite({ ...request, dryRun: true });
    return {
      ...planned,
      dryRun: request.dryRun,
      status: planned.status === "ok" ? "invalid" : planned.status,
      validations: [...planned.validations, ...overlays],
      warnings: [...planned.warnings, `nothing was written: ${failed.map((v) => `${v.validator} failed for ${v.path}`).join(", ")}`],
    };
  }
  const result = await validateAndWrite(request);
  return { ...result, validations: [...result.validations, ...overlays] };
}

/** With a chart, the kustomize review/plan/deploy steps become the helm ones; the others (TLS, policies) hold for both. */
function helmNextSteps(settings: DeploySettings, kustomizeSteps: string[]): string[] {
  const dir = chartDir(settings.app);
  const perEnv = settings.environments.map((env) => ({ env, ns: settings.namespaces[env] ?? env }));
  return [
    ...perEnv.map(({ env, ns }) => `review: helm template ${settings.app} ${dir} --namespace ${ns} -f ${dir}/values-${env}.yaml`),
    ...perEnv.map(({ env, ns }) => `install ${env}: helm upgrade --install ${settings.app} ${dir} --namespace ${ns} -f ${dir}/values-${env}.yaml --wait`),
    ...kustomizeSteps.filter((step) => !/^(review: kubectl kustomize|plan against the cluster:|deploy: )/.test(step)),
  ];
}

/** YAML files under deploy/<app>/base and its overlays that this render does not produce (left from another strategy). */
function staleFiles(root: string, app: string, files: GeneratedFile[]): string[] {
  const produced = new Set(files.map((f) => f.path));
  const out: string[] = [];
  const scan = (rel: string) => {
    const abs = join(root, ...rel.split("/"));
    if (!existsSync(abs)) return;
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (entry.isFile() && /\.ya?ml$/.test(entry.name) && !produced.has(path)) out.push(path);
    }
  };
  scan(`deploy/${app}/base`);
  for (const file of files) if (file.path.endsWith("/kustomization.yaml") && file.path.includes("/overlays/")) scan(file.path.slice(0, file.path.lastIndexOf("/")));
  return out.sort();
}

/** `kubectl diff -k` of every overlay against the cluster, when kubectl and a context are available. */
async function kubectlDiff(settings: DeploySettings, files: GeneratedFile[], signal: AbortSignal | undefined, progress: (m: string) => void) {
  const kube = await detectKubectl(signal);
  if (!kube.available) {
    progress(`kubectl diff skipped: ${kube.reason}`);
    return { available: false, reason: kube.reason };
  }
  // Routes a cross-namespace Gateway would not admit, an Istio mesh without its CNI plugin: reported instead of a
  // diff of something that cannot work.
  const preflightRefusals: string[] = [];
  const preflightWarnings: string[] = [];
  for (const env of settings.environments) {
    const check = await checkGatewayAdmits(settings, settings.namespaces[env] ?? env, signal);
    preflightWarnings.push(...check.warnings);
    if (check.refusal) preflightRefusals.push(`${env}: ${check.refusal}`);
  }
  const cni = await checkIstioCni(settings, signal);
  preflightWarnings.push(...cni.warnings);
  if (cni.refusal) preflightRefusals.push(cni.refusal);
  if (preflightRefusals.length > 0) return { available: true, context: kube.context, preflightRefusals, preflightWarnings };
  const dir = materialise(files);
  try {
    const diffs: Record<string, { exitCode: number; diff: string; error?: string }> = {};
    for (const env of settings.environments) {
      progress(`kubectl diff -k for ${env} (context ${kube.context})`);
      const r = await runKubectl(kubectlCommands.diff(settings, env), { timeoutMs: 120_000, cwd: dir, ...(signal ? { signal } : {}) });
      // kubectl diff: 0 = no differences, 1 = differences, >1 = error.
      diffs[env] = r.code <= 1 && !r.timedOut ? { exitCode: r.code, diff: r.stdout } : { exitCode: r.code, diff: r.stdout, error: r.timedOut ? "timed out" : r.stderr.trim() };
    }
    return { available: true, context: kube.context, diffs, preflightWarnings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
