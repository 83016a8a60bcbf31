import type { Node } from "yaml";
import { imageProblem, looksLikeSecret } from "./common.ts";
import { type AuditedFile, type Finding, finding, type RuleId } from "./model.ts";
import { asMap, entries, isScalar, type ParsedYaml, parseYaml, posOf, seqItems, stringOf, valueOf } from "./yaml-util.ts";

const GITLAB_GLOBAL = new Set(["stages", "variables", "default", "include", "workflow", "image", "services", "before_script", "after_script", "cache", "pages"]);

function imageRule(rule: RuleId, file: AuditedFile, parsed: ParsedYaml, node: Node | undefined, out: Finding[]): void {
  const value = isScalar(node) ? String(node.value) : stringOf(asMap(node), "name") ?? stringOf(asMap(node), "image");
  if (!value) return;
  const problem = imageProblem(value);
  if (problem) out.push(finding(rule, file.path, posOf(parsed, node), problem.text, { severity: problem.level === "latest" ? "warning" : "note" }));
}

function secretVariables(rule: RuleId, file: AuditedFile, parsed: ParsedYaml, node: Node | undefined, out: Finding[]): void {
  for (const e of entries(asMap(node))) {
    const value = isScalar(e.value) ? e.value.value : stringOf(asMap(e.value), "value");
    if (typeof value === "string" && looksLikeSecret(e.key, value)) {
      out.push(finding(rule, file.path, posOf(parsed, e.keyNode), `variable ${e.key} holds a literal credential`));
    }
  }
}

/** .gitlab-ci.yml: unpinned images, plain-text secrets in variables, includes without a fixed ref. */
export function auditGitlab(file: AuditedFile): { findings: Finding[]; parseErrors: string[] } {
  const parsed = parseYaml(file.content);
  if (parsed.errors.length > 0) return { findings: [], parseErrors: parsed.errors };
  const root = asMap(parsed.docs[0]?.contents);
  const out: Finding[] = [];
  const jobLike = (map: ReturnType<typeof asMap>) => {
    imageRule("GL001", file, parsed, valueOf(map, "image"), out);
    for (const s of seqItems(valueOf(map, "services"))) imageRule("GL001", file, parsed, s, out);
    secretVariables("GL002", file, parsed, valueOf(map, "variables"), out);
  };
  jobLike(root);
  jobLike(asMap(valueOf(root, "default")));
  for (const e of entries(root)) if (!GITLAB_GLOBAL.has(e.key)) jobLike(asMap(e.value));
  const include = valueOf(root, "include");
  const includes = seqItems(include).length > 0 ? seqItems(include) : include ? [include] : [];
  for (const inc of includes) {
    const map = asMap(inc);
    const remote = valueOf(map, "remote") ?? (isScalar(inc) && /^https?:/.test(String(inc.value)) ? inc : undefined);
    if (remote) out.push(finding("GL003", file.path, posOf(parsed, remote), "include from a remote URL runs whatever that URL serves"));
    const project = valueOf(map, "project");
    if (project && !valueOf(map, "ref")) out.push(finding("GL003", file.path, posOf(parsed, project), `include from project ${stringOf(map, "project")} has no ref (follows its default branch)`));
    const component = valueOf(map, "component");
    const componentRef = isScalar(component) ? String(component.value) : "";
    if (component && /@(~latest|main|master)$|^[^@]*$/.test(componentRef)) {
      out.push(finding("GL003", file.path, posOf(parsed, component), `component ${componentRef} is not pinned to a version`));
    }
  }
  return { findings: out, parseErrors: [] };
}

/** .circleci/config.yml: unpinned images, volatile orbs, plain-text secrets. */
export function auditCircleci(file: AuditedFile): { findings: Finding[]; parseErrors: string[] } {
  const parsed = parseYaml(file.content);
  if (parsed.errors.length > 0) return { findings: [], parseErrors: parsed.errors };
  const root = asMap(parsed.docs[0]?.contents);
  const out: Finding[] = [];
  for (const orb of entries(asMap(valueOf(root, "orbs")))) {
    if (!isScalar(orb.value)) continue;
    const ref = String(orb.value.value);
    const version = ref.split("@")[1];
    if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
      out.push(finding("CC002", file.path, posOf(parsed, orb.value), `orb ${ref} is ${version ? `at ${version}, not an exact x.y.z` : "not versioned"}`));
    }
  }
  for (const section of ["executors", "jobs"]) {
    for (const unit of entries(asMap(valueOf(root, section)))) {
      const map = asMap(unit.value);
      for (const d of seqItems(valueOf(map, "docker"))) {
        imageRule("CC001", file, parsed, valueOf(asMap(d), "image"), out);
        secretVariables("CC003", file, parsed, valueOf(asMap(d), "environment"), out);
      }
      secretVariables("CC003", file, parsed, valueOf(map, "environment"), out);
    }
  }
  return { findings: out, parseErrors: [] };
}

/** Position of a character offset in plain text. */
function textPos(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

/** Jenkinsfile (declarative or scripted Groovy): images, timeouts, plain-text secrets, Groovy interpolation in sh. */
export function auditJenkins(file: AuditedFile): { findings: Finding[] } {
  const text = file.content;
  const out: Finding[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " ")).replace(/(^|[^:])\/\/.*$/gm, (m, p) => p + " ".repeat(m.length - p.length));
  for (const m of code.matchAll(/\b(?:image|docker(?:\.image\()?)\s*\(?\s*(['"])([^'"\n]+)\1/g)) {
    const problem = imageProblem(m[2]!);
    if (problem) out.push(finding("JK001", file.path, textPos(text, m.index!), problem.text, { severity: problem.level === "latest" ? "warning" : "note" }));
  }
  if (/^\s*pipeline\s*\{/m.test(code) && !/\btimeout\s*\(/.test(code)) {
    const at = code.search(/^\s*pipeline\s*\{/m);
    out.push(finding("JK002", file.path, textPos(text, at + (code.slice(at).search(/\S/))), "declarative pipeline without a timeout"));
  }
  for (const m of code.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(['"])([^'"\n]*)\2\s*$/gm)) {
    if (looksLikeSecret(m[1]!, m[3]!)) out.push(finding("JK003", file.path, textPos(text, m.index! + m[0].indexOf(m[1]!)), `${m[1]} is assigned a literal credential`));
  }
  const credentialVars = new Set<string>();
  for (const m of code.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*credentials\(/gm)) credentialVars.add(m[1]!);
  for (const m of code.matchAll(/\b(?:variable|usernameVariable|passwordVariable|keyFileVariable|tokenVariable)\s*:\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]/g)) credentialVars.add(m[1]!);
  for (const m of code.matchAll(/\b(sh|bat|powershell)\s*\(?\s*(?:script\s*:\s*)?("""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*")/g)) {
    const body = m[2]!;
    const params = /\$\{?\s*params\.[A-Za-z_]/.test(body);
    const secret = [...credentialVars].find((v) => new RegExp(`\\$\\{\\s*(env\\.)?${v}\\s*\\}|(?<!\\\\)\\$(env\\.)?${v}\\b`).test(body));
    if (params || secret) {
      out.push(finding("JK004", file.path, textPos(text, m.index!), `${m[1]} "…" interpolates ${params ? "build parameters" : `credential ${secret}`} with Groovy before the shell runs`));
    }
  }
  return { findings: out };
}
