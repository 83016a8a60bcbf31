import { type Argv, canaryReplicasFor, kubectlCommands as k, PREVIOUS_COLOR, PREVIOUS_IMAGE } from "./commands.ts";
import { type GateResult, httpHealthCheck, metricGate, sleep, withPortForward } from "./health.ts";
import { type KubectlEnvironment, kubectlError, type RunResult, runKubectl } from "./kubectl.ts";
import type { Action, Color, DeploySettings } from "./model.ts";
import { objectNames } from "./names.ts";
import { metricQueries } from "./queries.ts";
import { otherColor, type TreeState } from "./state.ts";

export interface ExecStep {
  command?: string;
  ok: boolean;
  detail: string;
}

export interface ExecReport {
  action: Action;
  environment: string;
  namespace: string;
  context?: string;
  outcome: "succeeded" | "failed" | "rolled-back" | "dry-run";
  rolledBack: boolean;
  steps: ExecStep[];
  gates: GateResult[];
  summary: string;
  status?: Record<string, unknown>;
}

export interface ExecOptions {
  settings: DeploySettings;
  env: string;
  kube: KubectlEnvironment;
  state: TreeState;
  dryRun: boolean;
  progress: (message: string) => void;
  signal?: AbortSignal;
  /** Re-renders and writes the tree for a new release state (blue-green switch, canary promotion). */
  writeTree: (state: TreeState) => Promise<{ ok: boolean; detail: string }>;
  /** Directory the relative overlay paths resolve from (the repository root). */
  cwd: string;
  /** Where the server-side dry run of apply builds the overlay from (a temp copy of the new tree). */
  dryRunCwd?: string;
  /** Writes the new tree into the repository; apply calls it only after the server accepted the dry run. */
  commitTree?: () => Promise<{ ok: boolean; detail: string }>;
  /** Poll interval for Argo Rollouts status (tests shorten it). */
  pollMs?: number;
}

class Failure extends Error {}

/** Drives kubectl for apply/status/promote/rollback/abort and returns a report; never throws for a failed rollout. */
export async function execute(action: Action, o: ExecOptions): Promise<ExecReport> {
  const { settings, env } = o;
  const namespace = settings.namespaces[env] ?? env;
  const report: ExecReport = { action, environment: env, namespace, context: o.kube.context, outcome: "succeeded", rolledBack: false, steps: [], gates: [], summary: "" };
  const n = objectNames(settings.app);
  const timeoutMs = settings.timeoutSeconds * 1000;

  // Each kubectl call is bounded by --timeout-seconds (a watch gets its own --timeout plus a margin).
  const run = async (argv: Argv, what: string, opts: { timeoutMs?: number; allowFail?: boolean; cwd?: string } = {}): Promise<RunResult> => {
    o.progress(what);
    const limit = opts.timeoutMs ?? timeoutMs;
    const result = await runKubectl(argv, { timeoutMs: limit, signal: o.signal, cwd: opts.cwd ?? o.cwd });
    const detail = result.timedOut
      ? `timed out after ${Math.round(limit / 1000)}s`
      : (result.code === 0 ? result.stdout : result.stderr || result.stdout).trim().split("\n").slice(-5).join("\n");
    report.steps.push({ command: argv.join(" "), ok: result.code === 0 && !result.timedOut, detail });
    if ((result.code !== 0 || result.timedOut) && !opts.allowFail) throw new Failure(`${what}: ${detail || `exit ${result.code}`}`);
    return result;
  };
  const note = (detail: string, ok = true) => {
    o.progress(detail);
    report.steps.push({ ok, detail });
  };
  const getJson = async (kind: string, name: string): Promise<Record<string, any> | undefined> => {
    const r = await run(k.getJson(kind, name, namespace), `reading ${kind}/${name}`, { allowFail: true });
    // Only NotFound means "absent"; anything else (no answer, TLS, RBAC) is reported as what it is.
    if (r.code !== 0) {
      if (!r.timedOut && /\(NotFound\)|not found/.test(r.stderr)) return undefined;
      throw new Failure(`cannot read ${kind}/${name} in ${namespace}: ${kubectlError(r, timeoutMs)}`);
    }
    try {
      return JSON.parse(r.stdout) as Record<string, any>;
    } catch {
      return undefined;
    }
  };
  /** kubectl rollout status with the timeout on both kubectl and the process (a hung watch is a stall). */
  const waitRollout = (name: string) =>
    run(k.rolloutStatus(name, namespace, settings.timeoutSeconds), `waiting for deployment/${name} to roll out (timeout ${settings.timeoutSeconds}s)`, { timeoutMs: timeoutMs + 5000 });

  /** Ready replicas > 0 and == desired, HTTP health through the service, then the optional Prometheus gate. */
  const gate = async (workload: { kind: "deployment" | "rollout"; name: string }, service: string, metrics: { service: string; baseline: string; compare: boolean } | undefined) => {
    const results: GateResult[] = [];
    // Deployments: spec.replicas (defaulted by the API server). Rollouts: every pod the controller runs
    // (status.replicas counts stable, canary and preview ReplicaSets), since HPA-managed specs may omit replicas.
    // A Rollout reports a phase (e.g. the blue-green pause) before every new pod is ready: wait, bounded.
    const deadline = Date.now() + timeoutMs;
    let object: Record<string, any> | undefined;
    let desired = 0;
    let ready = 0;
    for (;;) {
      object = await getJson(workload.kind, workload.name);
      desired = Number(workload.kind === "rollout" ? (object?.status?.replicas ?? object?.spec?.replicas ?? 0) : (object?.spec?.replicas ?? 0));
      ready = Number(object?.status?.readyReplicas ?? 0);
      // A blue-green Rollout waiting for promotion counts only the active pods as ready: judge the preview's.
      const preview = object?.status?.blueGreen?.previewSelector;
      if (workload.kind === "rollout" && preview && preview !== object?.status?.blueGreen?.activeSelector) {
        const rs = await getJson("replicaset", `${workload.name}-${preview}`);
        desired = Number(rs?.spec?.replicas ?? 0);
        ready = Number(rs?.status?.readyReplicas ?? 0);
      }
      if (workload.kind !== "rollout" || (ready > 0 && ready === desired) || Date.now() > deadline) break;
      await sleep(o.pollMs ?? 5000, o.signal);
    }
    const replicas = { gate: "ready-replicas", ok: ready > 0 && ready === desired, detail: `${workload.kind}/${workload.name}: ${ready}/${desired} ready${ready === 0 ? " (zero ready pods never passes)" : ""}` };
    results.push(replicas);
    o.progress(`health gate: ${replicas.detail}`);
    if (replicas.ok) {
      const path = settings.healthPath;
      const http = settings.healthUrl
        ? await httpHealthCheck(`${settings.healthUrl}${path}`, { signal: o.signal })
        : await withPortForward(service, namespace, (base) => httpHealthCheck(`${base}${path}`, { signal: o.signal }), { timeoutMs: 20_000, signal: o.signal });
      results.push(http as GateResult);
      o.progress(`health gate: ${(http as GateResult).detail}`);
      if ((http as GateResult).ok && settings.prometheusUrl && metrics) {
        const queries = metricQueries({ service: metrics.service, baselineService: metrics.baseline, namespace, errorRateThreshold: settings.errorRateThreshold, latencyP99Seconds: settings.latencyP99Seconds })
          .filter((q) => metrics.compare || q.name !== "error-rate-vs-baseline");
        const metricResults = await metricGate(settings.prometheusUrl, queries, o.signal);
        for (const m of metricResults) o.progress(`metric gate: ${m.detail}`);
        results.push(...metricResults);
      }
    }
    report.gates.push(...results);
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) throw new Failure(`health gate failed: ${failed.map((f) => f.detail).join("; ")}`);
  };

  const rollback = async (why: string, steps: () => Promise<void>) => {
    note(`rolling back: ${why}`, false);
    try {
      await steps();
      report.rolledBack = true;
      report.outcome = "rolled-back";
      report.summary = `${action} failed and was rolled back: ${why}`;
    } catch (error) {
      report.outcome = "failed";
      report.summary = `${action} failed (${why}) and the rollback failed too: ${(error as Error).message}; follow the runbook`;
    }
  };

  const isArgo = settings.target === "argo-rollouts";
  const stableImageOfRollout = async (): Promise<string | undefined> => {
    const rollout = await getJson("rollout", n.rollout);
    const hash = rollout?.status?.stableRS;
    if (!hash) return undefined;
    const rs = await getJson("replicaset", `${n.rollout}-${hash}`);
    return rs?.spec?.template?.spec?.containers?.[0]?.image;
  };
  /** Image the Rollout ran before this apply, read from the cluster first: the fallback target of a revert. */
  let imageBefore: string | undefined;
  const argoAbortAndRevert = async () => {
    const live = await getJson("rollout", n.rollout);
    // A fully promoted Rollout has nothing in flight to abort: it is set back to the remembered image instead.
    const promoted = live?.status?.stableRS !== undefined && live?.status?.stableRS === live?.status?.currentPodHash;
    if (!promoted) await run(k.argoAbort(settings, namespace, o.kube.argoPlugin), "aborting the rollout (traffic back to stable)");
    const rollout = promoted ? live : await getJson("rollout", n.rollout);
    const current = rollout?.spec?.template?.spec?.containers?.[0]?.image;
    const stable = await stableImageOfRollout();
    // If the controller already marked the new ReplicaSet stable (e.g. it had zero pods to wait for), go back to
    // the image that ran before this apply.
    const remembered = rollout?.metadata?.annotations?.[PREVIOUS_IMAGE];
    const target = stable && stable !== current ? stable : imageBefore && imageBefore !== current ? imageBefore : remembered && remembered !== current ? remembered : undefined;
    if (!target) {
      note("no earlier image known (first release): the Rollout stays aborted", false);
      return undefined;
    }
    await run(k.argoSetImage(settings, namespace, target), `setting the Rollout back to ${target}`);
    // The tree must name what runs, or the next apply would bring the reverted image back.
    const written = await o.writeTree({ images: {}, image: target });
    note(written.detail, written.ok);
    return target;
  };
  /** Polls the Rollout until it reaches one of `want` phases; Degraded or an abort fails; time is bounded. */
  const watchRollout = async (want: string[], extraSeconds = 0) => {
    const deadline = Date.now() + timeoutMs + extraSeconds * 1000;
    let last = "";
    for (;;) {
      const rollout = await getJson("rollout", n.rollout);
      // A status the controller wrote before it saw the current spec describes the old pods: wait for it.
      const observed = String(rollout?.status?.observedGeneration ?? "");
      const current = String(rollout?.metadata?.generation ?? "");
      const phase = observed !== "" && observed === current ? String(rollout?.status?.phase ?? "Unknown") : "Progressing (controller has not observed the new spec yet)";
      const message = String(rollout?.status?.message ?? "");
      const line = `rollout ${n.rollout}: ${phase}${message ? ` (${message})` : ""} step ${rollout?.status?.currentStepIndex ?? "-"}`;
      if (line !== last) o.progress(line);
      last = line;
      if (rollout?.status?.abort === true || phase === "Degraded") throw new Failure(`rollout is ${phase}${message ? `: ${message}` : ""}`);
      if (want.includes(phase)) return phase;
      if (Date.now() > deadline) throw new Failure(`rollout did not reach ${want.join("/")} within ${settings.timeoutSeconds + extraSeconds}s (last: ${phase})`);
      await sleep(o.pollMs ?? 5000, o.signal);
    }
  };

  /** The canary's current share of traffic as the cluster has it (replicas: the pod ratio, approximate). */
  const canaryWeightNow = async (): Promise<number | undefined> => {
    switch (settings.traffic) {
      case "nginx": {
        const ingress = await getJson("ingress", n.canaryIngress);
        const weight = ingress?.metadata?.annotations?.["nginx.ingress.kubernetes.io/canary-weight"];
        return weight === undefined ? undefined : Number(weight);
      }
      case "gateway-api":
        return (await getJson("httproute", n.route))?.spec?.rules?.[0]?.backendRefs?.[1]?.weight;
      case "istio":
        return (await getJson("virtualservice", n.route))?.spec?.http?.[0]?.route?.[1]?.weight;
      default: {
        const stable = Number((await getJson("deployment", n.stable))?.status?.readyReplicas ?? 0);
        const canary = Number((await getJson("deployment", n.canary))?.status?.readyReplicas ?? 0);
        return stable + canary === 0 ? undefined : Math.round((100 * canary) / (stable + canary));
      }
    }
  };
  const canaryMetrics = { service: n.canaryService, baseline: n.service, compare: true };
  const liveMetrics = { service: n.service, baseline: n.service, compare: false };

  const promoteCanary = async () => {
    const image = settings.image ?? o.state.canaryImage;
    if (!image) throw new Failure("no canary image to promote (generate or apply with --image first)");
    const written = await o.writeTree({ images: {}, stableImage: image, canaryImage: image });
    note(written.detail, written.ok);
    if (!written.ok) throw new Failure(written.detail);
    await run(k.apply(settings, env), `applying: ${n.stable} gets ${image}`);
    await waitRollout(n.stable);
    await gate({ kind: "deployment", name: n.stable }, n.service, liveMetrics);
    for (const argv of k.canaryWeight(settings, namespace, 0, settings.replicas)) await run(argv, "canary traffic back to 0");
    await run(k.scale(n.canary, namespace, 0), `scaling ${n.canary} to 0`);
  };
  const retireCanary = async () => {
    for (const argv of k.canaryWeight(settings, namespace, 0, settings.replicas)) await run(argv, "canary traffic to 0");
    await run(k.scale(n.canary, namespace, 0), `scaling ${n.canary} to 0`);
  };
  const switchColor = async (to: Color, from: Color) => {
    const images = o.state.images;
    const written = await o.writeTree({ activeColor: to, images });
    note(written.detail, written.ok);
    if (!written.ok) throw new Failure(written.detail);
    await run(k.selectColor(settings, namespace, n.service, to, from), `switching ${n.service} to color=${to}`);
    await run(k.selectColor(settings, namespace, n.preview, otherColor(to)), `pointing ${n.preview} at color=${otherColor(to)}`);
  };
  /**
   * The idle colour sits at its HPA minimum (or was scaled down after it last served): before it takes all the
   * traffic it is brought to the live colour's current size and waited for (its HPA takes over from there).
   */
  const sizeLikeLive = async (idle: Record<string, any>, to: Color, from: Color) => {
    const liveSize = Number((await getJson("deployment", n.color(from)))?.spec?.replicas ?? 0);
    if (liveSize > Number(idle.spec?.replicas ?? 0)) {
      await run(k.scale(n.color(to), namespace, liveSize), `scaling ${n.color(to)} to ${liveSize} (the live colour's size) before the switch`);
    }
    await waitRollout(n.color(to));
  };
  const liveColor = async (): Promise<Color | undefined> => {
    const svc = await getJson("service", n.service);
    const color = svc?.spec?.selector?.color;
    return color === "blue" || color === "green" ? color : o.state.activeColor;
  };

  /** Does the namespace exist? With `create`, a missing one is created with restricted Pod Security. */
  const ensureNamespace = async (create: boolean): Promise<boolean> => {
    const r = await run(k.getNamespace(namespace), `checking namespace ${namespace}`, { allowFail: true });
    if (r.code === 0) return true;
    if (r.timedOut || !/\(NotFound\)|not found/.test(r.stderr)) throw new Failure(`cannot read namespace ${namespace}: ${kubectlError(r, timeoutMs)}`);
    if (!create) return false;
    await run(k.createNamespace(namespace), `creating namespace ${namespace} (first deploy)`);
    await run(k.labelNamespace(namespace, settings), `namespace ${namespace}: restricted Pod Security${settings.traffic === "istio" ? ", Istio sidecar injection" : ""}`);
    return true;
  };
  const dryRunApply = () => run(k.applyDryRun(settings, env), "server-side dry run (kubectl apply --dry-run=server)", { ...(o.dryRunCwd ? { cwd: o.dryRunCwd } : {}) });

  if (o.dryRun && action !== "status") {
    if (action === "apply") {
      try {
        if (!(await ensureNamespace(false))) {
          report.outcome = "dry-run";
          report.summary = `namespace ${namespace} does not exist yet: a real apply creates it first (restricted Pod Security); the server cannot dry-run objects in a missing namespace, so only the kustomize build was checked`;
          return report;
        }
        await dryRunApply();
        report.outcome = "dry-run";
        report.summary = "server-side dry run passed; nothing was applied (dry run)";
      } catch (error) {
        report.outcome = "failed";
        report.summary = (error as Error).message;
      }
    } else {
      report.outcome = "dry-run";
      report.summary = `dry run: ${action} would run the commands listed in the runbook for ${settings.strategy} on ${settings.target}; nothing was changed`;
    }
    return report;
  }

  try {
    switch (action) {
      case "apply": {
        await ensureNamespace(true);
        await dryRunApply();
        if (o.commitTree) {
          const written = await o.commitTree();
          note(written.detail, written.ok);
          if (!written.ok) throw new Failure(`${written.detail}; nothing was applied`);
        }
        if (isArgo) {
          const before = await getJson("rollout", n.rollout);
          imageBefore = before?.spec?.template?.spec?.containers?.[0]?.image;
          await run(k.apply(settings, env), "applying the overlay");
          // Kept on the live object so a rollback in a later action (after promote) knows where to go back to.
          if (imageBefore && imageBefore !== settings.image) await run(k.annotatePreviousImage(settings, namespace, imageBefore), `remembering ${imageBefore} for rollback`);
          try {
            const want = settings.strategy === "blue-green" ? ["Paused", "Healthy"] : ["Healthy"];
            // A canary spends its pauses on the way: the timeout applies on top of them.
            const pauses = settings.strategy === "canary" ? settings.canarySteps.filter((w) => w < 100).length * settings.pauseSeconds : 0;
            if (pauses > 0) note(`watching the Rollout through ${pauses}s of canary pauses plus ${settings.timeoutSeconds}s`);
            const phase = await watchRollout(want, pauses);
            const service = settings.strategy === "blue-green" && phase === "Paused" ? n.preview : n.service;
            await gate({ kind: "rollout", name: n.rollout }, service, settings.strategy === "blue-green" && phase === "Paused" ? { service: n.preview, baseline: n.service, compare: false } : liveMetrics);
            report.summary = phase === "Paused" ? `new version is up on ${n.preview} and passed its gates; run action promote to switch traffic` : `rollout ${n.rollout} is Healthy and passed its gates`;
          } catch (error) {
            await rollback((error as Error).message, argoAbortAndRevert);
          }
        } else if (settings.strategy === "rolling" || settings.strategy === "recreate") {
          await run(k.apply(settings, env), "applying the overlay");
          try {
            await waitRollout(n.deployment);
            await gate({ kind: "deployment", name: n.deployment }, n.service, liveMetrics);
            report.summary = `deployment/${n.deployment} rolled out and passed its gates`;
          } catch (error) {
            await rollback((error as Error).message, async () => {
              await run(k.rolloutUndo(n.deployment, namespace), `kubectl rollout undo deployment/${n.deployment}`);
              await waitRollout(n.deployment);
            });
          }
        } else if (settings.strategy === "blue-green") {
          const live = (await liveColor()) ?? "blue";
          const idle = otherColor(live);
          await run(k.apply(settings, env), `applying the overlay (new version on ${n.color(idle)}, ${n.service} stays on ${live})`);
          try {
            await waitRollout(n.color(idle));
            await gate({ kind: "deployment", name: n.color(idle) }, n.preview, { service: n.preview, baseline: n.service, compare: false });
            report.summary = `${n.color(idle)} is ready behind ${n.preview} and passed its gates; ${n.service} still serves ${live}. Run action promote to switch.`;
          } catch (error) {
            await rollback((error as Error).message, async () => {
              await run(k.rolloutUndo(n.color(idle), namespace), `kubectl rollout undo deployment/${n.color(idle)} (live traffic never left ${live})`);
            });
          }
        } else {
          const stableBefore = await getJson("deployment", n.stable);
          await run(k.apply(settings, env), "applying the overlay");
          if (!stableBefore) {
            note(`first release: ${n.stable} is created with the new image; no canary against an empty baseline`);
            try {
              await waitRollout(n.stable);
              await gate({ kind: "deployment", name: n.stable }, n.service, liveMetrics);
              report.summary = `first release of ${n.stable} is live and passed its gates`;
            } catch (error) {
              report.outcome = "failed";
              report.summary = `first release failed (nothing older to roll back to): ${(error as Error).message}`;
            }
            break;
          }
          const stableImage = stableBefore.spec?.template?.spec?.containers?.[0]?.image;
          if (stableImage === settings.image) {
            note(`${n.stable} already runs ${stableImage}: configuration applied, no canary needed`);
            try {
              await waitRollout(n.stable);
              await gate({ kind: "deployment", name: n.stable }, n.service, liveMetrics);
              report.summary = `${n.stable} already runs ${stableImage}; configuration applied and gates passed`;
            } catch (error) {
              report.outcome = "failed";
              report.summary = `configuration applied but ${n.stable} failed its gates: ${(error as Error).message}`;
            }
            break;
          }
          const stableReplicas = Number(stableBefore.spec?.replicas ?? settings.replicas) || settings.replicas;
          try {
            for (const weight of settings.canarySteps) {
              if (weight === 100) break;
              const pods = settings.traffic === "replicas" ? canaryReplicasFor(weight, stableReplicas) : Math.max(1, Math.ceil((stableReplicas * weight) / 100));
              await run(k.scale(n.canary, namespace, pods), `canary ${weight}%: ${pods} pod(s) on ${n.canary}`);
              await waitRollout(n.canary);
              await gate({ kind: "deployment", name: n.canary }, n.canaryService, undefined);
              for (const argv of k.canaryWeight(settings, namespace, weight, stableReplicas)) {
                if (settings.traffic !== "replicas") await run(argv, `canary weight ${weight}%`);
              }
              if (settings.pauseSeconds > 0) {
                note(`pausing ${settings.pauseSeconds}s at ${weight}%`);
                await sleep(settings.pauseSeconds * 1000, o.signal);
              }
              await gate({ kind: "deployment", name: n.canary }, n.canaryService, canaryMetrics);
            }
            await promoteCanary();
            report.summary = `canary passed every step (${settings.canarySteps.join(" → ")}%) and ${n.stable} now runs it`;
          } catch (error) {
            await rollback((error as Error).message, retireCanary);
          }
        }
        break;
      }
      case "status": {
        const status: Record<string, unknown> = {};
        if (isArgo) {
          const rollout = await getJson("rollout", n.rollout);
          if (!rollout) throw new Failure(`rollout/${n.rollout} not found in ${namespace}`);
          Object.assign(status, { phase: rollout.status?.phase, message: rollout.status?.message, step: rollout.status?.currentStepIndex, stableRS: rollout.status?.stableRS, ready: rollout.status?.readyReplicas ?? 0, desired: rollout.spec?.replicas, image: rollout.spec?.template?.spec?.containers?.[0]?.image, aborted: rollout.status?.abort === true });
        } else {
          const names = settings.strategy === "blue-green" ? [n.color("blue"), n.color("green")] : settings.strategy === "canary" ? [n.stable, n.canary] : [n.deployment];
          const deployments: Record<string, unknown>[] = [];
          for (const name of names) {
            const d = await getJson("deployment", name);
            deployments.push(d ? { name, image: d.spec?.template?.spec?.containers?.[0]?.image, desired: d.spec?.replicas ?? 0, ready: d.status?.readyReplicas ?? 0, updated: d.status?.updatedReplicas ?? 0 } : { name, missing: true });
          }
          status.deployments = deployments;
          if (settings.strategy === "blue-green") status.liveColor = await liveColor();
          if (settings.strategy === "canary") status.canaryWeight = await canaryWeightNow();
          if (deployments.some((d) => d.missing)) throw new Failure(`not deployed in ${namespace}: ${deployments.filter((d) => d.missing).map((d) => d.name).join(", ")}`);
        }
        report.status = status;
        report.summary = `status of ${settings.app} in ${namespace}`;
        break;
      }
      case "promote": {
        if (settings.strategy === "rolling" || settings.strategy === "recreate") {
          report.summary = `nothing to promote: a ${settings.strategy} update is live as soon as it rolls out`;
          break;
        }
        if (isArgo) {
          const rollout = await getJson("rollout", n.rollout);
          if (!rollout) throw new Failure(`rollout/${n.rollout} not found in ${namespace}`);
          if (rollout.spec?.paused === true) await run(k.argoUnpause(settings, namespace), "unpausing the Rollout spec");
          // Like `kubectl argo rollouts promote`: a paused Rollout only gets its pause conditions cleared (the
          // controller then finishes the pause step itself); only an unpaused canary mid-step moves to the next
          // step index. Doing both skips a step.
          const current = rollout.status?.currentStepIndex;
          const paused = Array.isArray(rollout.status?.pauseConditions) && rollout.status.pauseConditions.length > 0;
          const stepCount = Array.isArray(rollout.spec?.strategy?.canary?.steps) ? rollout.spec.strategy.canary.steps.length : 0;
          const next = settings.strategy === "canary" && !paused && typeof current === "number" ? Math.min(current + 1, stepCount) : undefined;
          await run(k.argoPromote(settings, namespace, o.kube.argoPlugin, next !== undefined ? { nextStepIndex: next } : {}), "promoting the Rollout");
          try {
            // A canary promoted one step still walks its remaining pauses before it is Healthy.
            const pauses = settings.strategy === "canary" ? settings.canarySteps.filter((w) => w < 100).length * settings.pauseSeconds : 0;
            await watchRollout(["Healthy"], pauses);
            await gate({ kind: "rollout", name: n.rollout }, n.service, liveMetrics);
            report.summary = `rollout ${n.rollout} promoted and Healthy`;
          } catch (error) {
            await rollback((error as Error).message, argoAbortAndRevert);
          }
        } else if (settings.strategy === "blue-green") {
          const live = (await liveColor()) ?? "blue";
          const next = otherColor(live);
          const candidate = await getJson("deployment", n.color(next));
          const ready = Number(candidate?.status?.readyReplicas ?? 0);
          if (!candidate || ready === 0) throw new Failure(`${n.color(next)} has no ready pods; refusing to switch traffic to it`);
          await sizeLikeLive(candidate, next, live);
          await switchColor(next, live);
          try {
            await gate({ kind: "deployment", name: n.color(next) }, n.service, liveMetrics);
            report.summary = `${n.service} now serves ${next}; ${live} stays up for an instant rollback`;
          } catch (error) {
            await rollback((error as Error).message, () => switchColor(live, next));
          }
        } else {
          try {
            await promoteCanary();
            report.summary = `${n.stable} now runs the canary's image; canary retired`;
          } catch (error) {
            await rollback((error as Error).message, retireCanary);
          }
        }
        break;
      }
      case "rollback":
      case "abort": {
        if (isArgo) {
          if (action === "abort") await run(k.argoAbort(settings, namespace, o.kube.argoPlugin), "aborting the rollout (traffic back to stable)");
          else if ((await argoAbortAndRevert()) === undefined) throw new Failure("no earlier image is known for this Rollout: nothing to roll back to");
          else await watchRollout(["Healthy"]);
        } else if (settings.strategy === "blue-green") {
          const svc = await getJson("service", n.service);
          const live = (await liveColor()) ?? "blue";
          const idle = otherColor(live);
          if (action === "abort") {
            // Before promotion: discard what was staged on the idle colour; live traffic is not touched.
            await run(k.rolloutUndo(n.color(idle), namespace), `discarding the staged version on ${n.color(idle)} (live stays ${live})`);
            await waitRollout(n.color(idle));
          } else {
            const previous = svc?.metadata?.annotations?.[PREVIOUS_COLOR];
            if (previous !== "blue" && previous !== "green") throw new Failure(`no promotion recorded on service/${n.service} (annotation ${PREVIOUS_COLOR}); nothing to roll back to — use action abort to discard a staged version`);
            if (previous === live) throw new Failure(`service/${n.service} already serves ${live}, the colour recorded before the last switch`);
            const target = await getJson("deployment", n.color(previous));
            if (!target || Number(target.status?.readyReplicas ?? 0) === 0) throw new Failure(`${n.color(previous)} has no ready pods to roll back to`);
            await sizeLikeLive(target, previous, live);
            await switchColor(previous, live);
            await gate({ kind: "deployment", name: n.color(previous) }, n.service, undefined);
          }
        } else if (settings.strategy === "canary") {
          await retireCanary();
        } else {
          await run(k.rolloutUndo(n.deployment, namespace), `kubectl rollout undo deployment/${n.deployment}`);
          await waitRollout(n.deployment);
          // The overlay must name what now runs, or the next apply would bring the undone version back.
          const image = (await getJson("deployment", n.deployment))?.spec?.template?.spec?.containers?.[0]?.image;
          if (typeof image === "string") {
            const written = await o.writeTree({ images: {}, image });
            note(written.detail, written.ok);
          }
        }
        report.summary = `${action} done for ${settings.app} in ${namespace}`;
        break;
      }
      default:
        throw new Failure(`action ${action} is not an execution action`);
    }
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    report.outcome = "failed";
    report.summary = error.message;
  }
  if (report.outcome === "succeeded" && !report.summary) report.summary = `${action} succeeded`;
  return report;
}
