#!/usr/bin/env node
// SCRIPTED STAND-IN FOR kubectl, used only by tests/deploy. It is not kubectl and talks to no cluster.
// The engine runs it because the tests set SENIOR_DEVOPS_KUBECTL to this file. It keeps a pretend cluster in the
// JSON file named by FAKE_KUBECTL_STATE and simulates, per image listed in `badImages`, the failure named by
// `failure`: "stall" (rollout status never finishes), "unhealthy" (port-forward reaches a server answering 503),
// "zero-pods" (the workload has no pods at all), "degraded" (Argo Rollout goes Degraded), "api-error" (apply fails).
import { readFileSync, writeFileSync, renameSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";

const statePath = process.env.FAKE_KUBECTL_STATE;
if (!statePath) {
  process.stderr.write("fake-kubectl: FAKE_KUBECTL_STATE is not set\n");
  process.exit(2);
}
const state = JSON.parse(readFileSync(statePath, "utf8"));
state.objects ??= {};
state.history ??= {};
state.calls ??= [];
const args = process.argv.slice(2);
state.calls.push(args);
let saved = false;
// Atomic replace, once per invocation: long-running commands (port-forward, a stalled watch) save before they block.
const save = () => {
  if (saved) return;
  saved = true;
  writeFileSync(`${statePath}.${process.pid}`, JSON.stringify(state, null, 2));
  renameSync(`${statePath}.${process.pid}`, statePath);
};
const out = (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
const fail = (text, code = 1) => {
  save();
  process.stderr.write(`${text}\n`);
  process.exit(code);
};
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ns = flag("-n") ?? "default";
const KINDS = { deployment: "Deployment", service: "Service", rollout: "Rollout", replicaset: "ReplicaSet", ingress: "Ingress", httproute: "HTTPRoute", virtualservice: "VirtualService", analysisrun: "AnalysisRun", gateway: "Gateway" };
const keyOf = (kind, namespace, name) => `${kind}/${namespace}/${name}`;
const isBad = (image) => (state.badImages ?? []).includes(image);
const imageOf = (o) => o?.spec?.template?.spec?.containers?.[0]?.image;
const hashOf = (image) => [...String(image)].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(16);

async function kustomize(dir) {
  const { parse, parseAllDocuments } = await import("yaml");
  const k = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8"));
  const objects = [];
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    if (statSync(path).isDirectory()) objects.push(...(await kustomize(path)));
    else for (const doc of parseAllDocuments(readFileSync(path, "utf8"))) {
      const o = doc.toJS();
      if (o) objects.push(o);
    }
  }
  // JSON6902 patches with a kind/name target (what the overlays use for their release state).
  for (const p of k.patches ?? []) {
    const target = objects.find((o) => o.kind === p.target?.kind && o.metadata?.name === p.target?.name);
    if (target && typeof p.patch === "string") jsonPatch(target, parse(p.patch));
  }
  if (k.namespace) for (const o of objects) if (o.kind !== "Namespace") (o.metadata ??= {}).namespace = k.namespace;
  return objects;
}

function rolloutPhase(o, previousImage) {
  const image = imageOf(o);
  if (isBad(image) && state.failure === "degraded") return { phase: "Degraded", message: "ProgressDeadlineExceeded: canary pods failing" };
  if (isBad(image) && state.failure === "stall") return { phase: "Progressing", message: "more replicas need to be updated" };
  if (o.spec?.strategy?.blueGreen && previousImage && previousImage !== image) return { phase: "Paused", message: "BlueGreenPause" };
  return { phase: "Healthy", message: "" };
}

function setRolloutStatus(o, previousImage) {
  const { phase, message } = rolloutPhase(o, previousImage);
  const image = imageOf(o);
  const zero = isBad(image) && state.failure === "zero-pods";
  o.spec.replicas ??= 3;
  if (zero) o.spec.replicas = 0;
  // The stand-in's "controller" observes every spec at once.
  (o.metadata ??= {}).generation = (o.metadata.generation ?? 0) + 1;
  o.status = { ...(o.status ?? {}), observedGeneration: String(o.metadata.generation), phase, message, replicas: o.spec.replicas, readyReplicas: zero ? 0 : o.spec.replicas, currentStepIndex: phase === "Healthy" ? (o.spec.strategy?.canary?.steps?.length ?? 0) : 0 };
  if (phase === "Healthy") o.status.stableRS = hashOf(image);
  else if (!o.status.stableRS && previousImage) o.status.stableRS = hashOf(previousImage);
  state.objects[keyOf("ReplicaSet", o.metadata.namespace, `${o.metadata.name}-${hashOf(image)}`)] = { kind: "ReplicaSet", metadata: { name: `${o.metadata.name}-${hashOf(image)}` }, spec: { template: o.spec.template } };
}

function deploymentView(o) {
  const image = imageOf(o);
  const desired = o.spec?.replicas ?? 3;
  const zero = isBad(image) && state.failure === "zero-pods";
  const spec = { ...o.spec, replicas: zero ? 0 : desired };
  const ready = zero ? 0 : spec.replicas;
  return { ...o, spec, status: { replicas: ready, updatedReplicas: ready, ...(ready > 0 ? { readyReplicas: ready, availableReplicas: ready } : {}) } };
}

function mergePatch(target, patch) {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (typeof v === "object" && !Array.isArray(v) && typeof target[k] === "object" && target[k] !== null) mergePatch(target[k], v);
    else target[k] = v;
  }
}

function jsonPatch(target, ops) {
  for (const op of ops) {
    if (op.op !== "replace" && op.op !== "add") fail(`fake-kubectl: unsupported json patch op ${op.op}`);
    const parts = op.path.split("/").slice(1);
    let at = target;
    for (const p of parts.slice(0, -1)) {
      at = at?.[p];
      if (at === undefined) fail(`The request is invalid: the server rejected our request due to an error in our request: path ${op.path} not found`);
    }
    const last = parts[parts.length - 1];
    // RFC 6902 add: sets an object member, or inserts into an array.
    if (op.op === "add" && Array.isArray(at)) at.splice(last === "-" ? at.length : Number(last), 0, op.value);
    else at[last] = op.value;
  }
}

const [verb, ...rest] = args;
switch (verb) {
  case "version":
    if (!args.includes("-o")) {
      out("Client Version: v1.32.0-fake");
      break;
    }
    // The server part: "unreachable" is an API server that never answers (the caller's timeout ends it).
    if (state.failure === "unreachable") {
      save();
      setInterval(() => undefined, 1000);
      break;
    }
    out(JSON.stringify({ clientVersion: { gitVersion: "v1.32.0-fake" }, serverVersion: { gitVersion: "v1.32.0-fake" } }));
    break;
  case "config":
    if (!state.context) fail("error: current-context is not set");
    out(rest[0] === "view" ? `${state.context}\nhttps://fake-cluster.invalid:6443` : state.context);
    break;
  case "argo":
    if (!state.argoPlugin) fail(`error: unknown command "argo" for "kubectl"`);
    out("kubectl-argo-rollouts: v1.7.2-fake");
    break;
  case "kustomize": {
    // Offline build of the overlay (the stand-in's own small kustomize: resources, namespace).
    const dir = rest[0];
    if (!dir || !existsSync(join(dir, "kustomization.yaml"))) fail(`error: unable to find one of 'kustomization.yaml' in directory '${dir}'`);
    const { stringify } = await import("yaml");
    out((await kustomize(dir)).map((o) => stringify(o)).join("---\n"));
    break;
  }
  case "apply":
  case "diff": {
    const dir = flag("-k");
    if (!dir || !existsSync(join(dir, "kustomization.yaml"))) fail(`error: must build at directory: not a valid directory: ${dir}`);
    if (state.failure === "api-error") fail('Error from server (InternalError): error when creating "deploy": Internal error occurred: etcdserver: request timed out');
    const objects = await kustomize(dir);
    if (verb === "diff") {
      out(objects.map((o) => `diff -u -N /tmp/LIVE/${o.kind}.${o.metadata.name} /tmp/MERGED/${o.kind}.${o.metadata.name}\n+  name: ${o.metadata.name}`).join("\n"));
      save();
      process.exit(1);
    }
    const dry = args.includes("--dry-run=server");
    for (const o of objects) {
      const key = keyOf(o.kind, o.metadata.namespace ?? ns, o.metadata.name);
      const previous = state.objects[key];
      if (!dry) {
        if (o.kind === "Deployment" || o.kind === "Rollout") {
          const before = imageOf(previous);
          if (before && before !== imageOf(o)) (state.history[key] ??= []).push(before);
          if (o.kind === "Rollout") setRolloutStatus(o, before);
          if (o.kind === "Deployment" && previous && o.spec.replicas === undefined) o.spec.replicas = previous.spec.replicas;
        }
        state.objects[key] = o;
      }
      out(`${o.kind.toLowerCase()}/${o.metadata.name} ${previous ? "configured" : "created"}${dry ? " (server dry run)" : ""}`);
    }
    break;
  }
  case "rollout": {
    const [sub, ref] = rest;
    const name = ref.replace(/^deployment\//, "");
    const key = keyOf("Deployment", ns, name);
    const o = state.objects[key];
    if (!o) fail(`Error from server (NotFound): deployments.apps "${name}" not found`);
    if (sub === "status") {
      if (isBad(imageOf(o)) && state.failure === "stall") {
        save();
        setInterval(() => undefined, 1000); // a rollout that never completes; the caller's timeout must end it
        break;
      }
      out(`deployment "${name}" successfully rolled out`);
    } else if (sub === "undo") {
      const previous = (state.history[key] ?? []).pop();
      if (!previous) fail(`error: no rollout history found for deployment "${name}"`);
      o.spec.template.spec.containers[0].image = previous;
      out(`deployment.apps/${name} rolled back`);
    } else fail(`fake-kubectl: unsupported rollout ${sub}`);
    break;
  }
  case "get": {
    const [kindArg, name] = rest;
    if (kindArg === "daemonsets" && args.includes("--all-namespaces")) {
      // `daemonSets` (namespace/name list) when the scenario has them; a cluster without the list refuses to answer.
      if (!state.daemonSets) fail('Error from server (Forbidden): daemonsets.apps is forbidden: cannot list resource "daemonsets" at the cluster scope');
      out(state.daemonSets.map((d) => `${d}\n`).join(""));
      break;
    }
    if (kindArg === "namespace") {
      // With a `namespaces` map (name → labels) only those exist; without it every namespace does.
      if (state.namespaces && !(name in state.namespaces)) fail(`Error from server (NotFound): namespaces "${name}" not found`);
      out(JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: state.namespaces?.[name] ?? {} } }));
      break;
    }
    const kind = KINDS[kindArg];
    if (!kind) fail(`fake-kubectl: unsupported kind ${kindArg}`);
    const o = state.objects[keyOf(kind, ns, name)];
    if (!o) fail(`Error from server (NotFound): ${kindArg}s "${name}" not found`);
    out(JSON.stringify(kind === "Deployment" ? deploymentView(o) : o));
    break;
  }
  case "patch": {
    const [kindArg, name] = rest;
    const kind = KINDS[kindArg];
    const o = state.objects[keyOf(kind, ns, name)];
    if (!o) fail(`Error from server (NotFound): ${kindArg}s "${name}" not found`);
    const patch = JSON.parse(flag("-p"));
    const before = imageOf(o);
    if (flag("--type") === "json") jsonPatch(o, patch);
    else if (flag("--subresource") === "status") {
      o.status ??= {};
      mergePatch(o.status, patch.status ?? {});
      if (o.status.abort) {
        o.status.phase = "Degraded";
        o.status.message = "RolloutAborted: Rollout aborted update to revision";
      } else if (o.status.promoteFull || "pauseConditions" in (patch.status ?? {})) {
        if (!isBad(imageOf(o)) || state.failure === "unhealthy" || state.failure === "zero-pods") {
          o.status.phase = "Healthy";
          o.status.stableRS = hashOf(imageOf(o));
        }
      }
    } else mergePatch(o, patch);
    if (kind === "Rollout" && flag("--type") === "json" && imageOf(o) !== before) {
      delete o.status.abort;
      setRolloutStatus(o, before);
    }
    out(`${kindArg}/${name} patched`);
    break;
  }
  case "scale": {
    const name = rest[0].replace(/^deployment\//, "");
    const o = state.objects[keyOf("Deployment", ns, name)];
    if (!o) fail(`Error from server (NotFound): deployments.apps "${name}" not found`);
    o.spec.replicas = Number((args.find((a) => a.startsWith("--replicas=")) ?? "").split("=")[1]);
    out(`deployment.apps/${name} scaled`);
    break;
  }
  case "set": {
    const name = rest[1].replace(/^deployment\//, "");
    const o = state.objects[keyOf("Deployment", ns, name)];
    const key = keyOf("Deployment", ns, name);
    const image = rest[2].split("=")[1];
    (state.history[key] ??= []).push(imageOf(o));
    o.spec.template.spec.containers[0].image = image;
    out(`deployment.apps/${name} image updated`);
    break;
  }
  case "annotate": {
    const [kindArg, name, pair] = rest;
    const o = state.objects[keyOf(KINDS[kindArg], ns, name)];
    if (!o) fail(`Error from server (NotFound): ${kindArg} "${name}" not found`);
    const [k, v] = pair.split("=");
    (o.metadata.annotations ??= {})[k] = v;
    out(`${kindArg}/${name} annotated`);
    break;
  }
  case "create": {
    const [kindArg, name] = rest;
    if (kindArg !== "namespace") fail(`fake-kubectl: unsupported create ${kindArg}`);
    state.namespaces ??= {};
    if (name in state.namespaces) fail(`Error from server (AlreadyExists): namespaces "${name}" already exists`);
    state.namespaces[name] = {};
    out(`namespace/${name} created`);
    break;
  }
  case "label": {
    const [kindArg, name, ...pairs] = rest;
    if (kindArg !== "namespace") fail(`fake-kubectl: unsupported label ${kindArg}`);
    const labels = state.namespaces?.[name];
    if (!labels) fail(`Error from server (NotFound): namespaces "${name}" not found`);
    for (const pair of pairs) {
      const [k, v] = pair.split("=");
      labels[k] = v;
    }
    out(`namespace/${name} labeled`);
    break;
  }
  case "port-forward": {
    const target = args.find((a) => a.startsWith("service/"));
    const service = state.objects[keyOf("Service", ns, target.slice("service/".length))];
    if (!service) fail(`Error from server (NotFound): services "${target}" not found`);
    const selector = service.spec.selector ?? {};
    const backends = Object.entries(state.objects)
      .filter(([key]) => key.startsWith("Deployment/") || key.startsWith("Rollout/"))
      .map(([, o]) => (o.kind === "Deployment" ? deploymentView(o) : o))
      .filter((o) => o.metadata.namespace === ns && Object.entries(selector).every(([k, v]) => o.spec.template.metadata.labels?.[k] === v))
      .filter((o) => (o.spec.replicas ?? 3) > 0 && (o.status?.readyReplicas ?? 0) > 0);
    if (backends.length === 0) fail(`error: unable to forward port because pod is not running. Current status=Pending`);
    const unhealthy = state.failure === "unhealthy" && backends.some((o) => isBad(imageOf(o)));
    const port = unhealthy ? state.unhealthyPort : state.healthyPort;
    save();
    out(`Forwarding from 127.0.0.1:${port} -> 8080\nForwarding from [::1]:${port} -> 8080`);
    setInterval(() => undefined, 1000); // like kubectl: runs until killed
    break;
  }
  default:
    fail(`fake-kubectl: unsupported command ${args.join(" ")}`);
}
save();
