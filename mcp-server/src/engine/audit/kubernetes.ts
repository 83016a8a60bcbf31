import type { Node, YAMLMap } from "yaml";
import { imageProblem } from "./common.ts";
import { type AuditedFile, type Finding, finding } from "./model.ts";
import { asMap, entries, isScalar, type ParsedYaml, parseYaml, posOf, seqItems, stringOf, valueOf } from "./yaml-util.ts";

/** Where the pod spec sits in each workload kind. */
const POD_SPEC_PATH: Record<string, string[]> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"], StatefulSet: ["spec", "template", "spec"], DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"], Job: ["spec", "template", "spec"], Rollout: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};
const BATCH = new Set(["Job", "CronJob"]);

const isTrue = (node: Node | undefined) => isScalar(node) && node.value === true;
const isFalse = (node: Node | undefined) => isScalar(node) && node.value === false;

export function isKubernetesManifest(text: string): boolean {
  return /^apiVersion:\s*\S+/m.test(text) && /^kind:\s*\S+/m.test(text);
}

/** Kubernetes workloads: limits, probes, securityContext, privileged/host namespaces, hostPath, SA token, images. */
export function auditKubernetes(file: AuditedFile): { findings: Finding[]; parseErrors: string[] } {
  const parsed = parseYaml(file.content, true);
  if (parsed.errors.length > 0) return { findings: [], parseErrors: parsed.errors };
  const out: Finding[] = [];
  for (const doc of parsed.docs) {
    const root = asMap(doc.contents);
    const kind = stringOf(root, "kind");
    if (kind === "Kustomization" || (!kind && /(^|\/)kustomization\.ya?ml$/.test(file.path))) {
      kustomizeImages(parsed, file, root!, out);
      continue;
    }
    if (!kind || !POD_SPEC_PATH[kind]) continue;
    let spec: YAMLMap | undefined = root;
    for (const key of POD_SPEC_PATH[kind]!) spec = asMap(valueOf(spec, key));
    if (!spec) continue;
    const name = `${kind}/${stringOf(asMap(valueOf(root, "metadata")), "name") ?? "?"}`;
    auditPod(parsed, file, name, kind, root!, spec, out);
  }
  return { findings: out, parseErrors: [] };
}

/** kustomize `images:` overrides: a newTag of latest (or none, with no digest) decides what every workload runs. */
function kustomizeImages(parsed: ParsedYaml, file: AuditedFile, root: YAMLMap, out: Finding[]): void {
  for (const item of seqItems(valueOf(root, "images"))) {
    const map = asMap(item);
    const name = stringOf(map, "newName") ?? stringOf(map, "name");
    if (!name || stringOf(map, "digest")) continue;
    const tag = stringOf(map, "newTag");
    const problem = imageProblem(tag ? `${name}:${tag}` : name);
    if (problem && tag) {
      out.push(finding("K8S007", file.path, posOf(parsed, valueOf(map, "newTag")), `kustomize image override: ${problem.text}`, { severity: problem.level === "latest" ? "warning" : "note" }));
    }
    if (!tag && stringOf(map, "newName")) {
      out.push(finding("K8S007", file.path, posOf(parsed, valueOf(map, "newName")), `kustomize image override ${name} sets no newTag or digest`, { severity: "note" }));
    }
  }
}

function auditPod(parsed: ParsedYaml, file: AuditedFile, name: string, kind: string, root: YAMLMap, spec: YAMLMap, out: Finding[]): void {
  const podSecurity = asMap(valueOf(spec, "securityContext"));
  for (const key of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (isTrue(valueOf(spec, key))) out.push(finding("K8S004", file.path, posOf(parsed, valueOf(spec, key)), `${name}: ${key}: true`));
  }
  for (const volume of seqItems(valueOf(spec, "volumes"))) {
    const hostPath = valueOf(asMap(volume), "hostPath");
    if (hostPath) out.push(finding("K8S005", file.path, posOf(parsed, hostPath), `${name}: volume ${stringOf(asMap(volume), "name") ?? ""} mounts hostPath ${stringOf(asMap(hostPath), "path") ?? ""}`));
  }
  const sa = stringOf(spec, "serviceAccountName") ?? stringOf(spec, "serviceAccount");
  if (!isFalse(valueOf(spec, "automountServiceAccountToken")) && (!sa || sa === "default")) {
    out.push(finding("K8S006", file.path, posOf(parsed, valueOf(root, "kind")), `${name}: mounts the default service account's token`));
  }
  const containers = [
    ...seqItems(valueOf(spec, "containers")).map((c) => ({ c: asMap(c), init: false })),
    ...seqItems(valueOf(spec, "initContainers")).map((c) => ({ c: asMap(c), init: true })),
  ];
  for (const { c, init } of containers) {
    if (!c) continue;
    const cname = `${name} container ${stringOf(c, "name") ?? "?"}`;
    const where = posOf(parsed, valueOf(c, "name") ?? c);
    const image = valueOf(c, "image");
    if (isScalar(image)) {
      const problem = imageProblem(String(image.value));
      if (problem) out.push(finding("K8S007", file.path, posOf(parsed, image), `${cname}: ${problem.text}`, { severity: problem.level === "latest" ? "warning" : "note" }));
    }
    const resources = asMap(valueOf(c, "resources"));
    const limits = asMap(valueOf(resources, "limits"));
    const requests = asMap(valueOf(resources, "requests"));
    const missing = [!valueOf(limits, "memory") && "limits.memory", !valueOf(limits, "cpu") && "limits.cpu", !valueOf(requests, "memory") && "requests.memory", !valueOf(requests, "cpu") && "requests.cpu"].filter(Boolean);
    if (missing.length > 0) {
      out.push(finding("K8S001", file.path, where, `${cname}: no ${missing.join(", ")}`, { severity: !valueOf(limits, "memory") ? "warning" : "note" }));
    }
    if (!init && !BATCH.has(kind)) {
      const probes = ["readinessProbe", "livenessProbe"].filter((p) => !valueOf(c, p));
      if (probes.length > 0) out.push(finding("K8S002", file.path, where, `${cname}: no ${probes.join(" or ")}`));
    }
    const sc = asMap(valueOf(c, "securityContext"));
    if (isTrue(valueOf(sc, "privileged"))) out.push(finding("K8S004", file.path, posOf(parsed, valueOf(sc, "privileged")), `${cname}: privileged: true`));
    const weak: string[] = [];
    const nonRoot = isTrue(valueOf(sc, "runAsNonRoot")) || (!isFalse(valueOf(sc, "runAsNonRoot")) && isTrue(valueOf(podSecurity, "runAsNonRoot")))
      || Number(stringOf(sc, "runAsUser") ?? stringOf(podSecurity, "runAsUser") ?? 0) > 0;
    if (!nonRoot) weak.push("runAsNonRoot");
    if (!isFalse(valueOf(sc, "allowPrivilegeEscalation"))) weak.push("allowPrivilegeEscalation: false");
    if (!isTrue(valueOf(sc, "readOnlyRootFilesystem"))) weak.push("readOnlyRootFilesystem");
    const drop = seqItems(valueOf(asMap(valueOf(sc, "capabilities")), "drop")).map((d) => (isScalar(d) ? String(d.value).toUpperCase() : ""));
    if (!drop.includes("ALL")) weak.push("capabilities.drop: [ALL]");
    if (weak.length > 0) out.push(finding("K8S003", file.path, where, `${cname}: securityContext lacks ${weak.join(", ")}`));
  }
}

export { entries };
