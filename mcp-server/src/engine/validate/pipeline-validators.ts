import { parseDocument } from "yaml";
import type { GeneratedFile, Validation } from "../core/types.ts";
import { registerValidator } from "./index.ts";

/**
 * Cheap structural checks for the CI formats actionlint does not cover, so the writer refuses broken output
 * even where the test-only validators (gitlab-ci-local, the CircleCI parser, npm-groovy-lint) are absent.
 */

const GITLAB_GLOBAL = new Set(["default", "include", "stages", "variables", "workflow", "image", "services", "cache", "before_script", "after_script", "spec"]);
const GITLAB_JOB_KEYS = new Set([
  "after_script", "allow_failure", "artifacts", "before_script", "cache", "coverage", "dast_configuration", "dependencies", "environment",
  "extends", "hooks", "identity", "id_tokens", "image", "inherit", "interruptible", "manual_confirmation", "needs", "pages", "parallel", "release", "resource_group",
  "retry", "rules", "script", "secrets", "services", "stage", "tags", "timeout", "trigger", "variables", "when", "run",
]);

function toJs(content: string): { value: unknown; errors: string[] } {
  const doc = parseDocument(content, { uniqueKeys: true });
  return { value: doc.toJS(), errors: doc.errors.map((e) => e.message.split("\n")[0] ?? e.message) };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function validateGitlabStructure(file: GeneratedFile): Validation {
  const { value, errors } = toJs(file.content);
  const messages = [...errors];
  if (!isRecord(value)) messages.push("root must be a mapping");
  else {
    const stages = Array.isArray(value.stages) ? value.stages.map(String) : ["build", "test", "deploy"];
    const jobs = Object.entries(value).filter(([k]) => !GITLAB_GLOBAL.has(k));
    const names = new Set(jobs.map(([k]) => k));
    for (const [name, job] of jobs) {
      if (!isRecord(job)) { messages.push(`${name}: a job must be a mapping`); continue; }
      for (const key of Object.keys(job)) if (!GITLAB_JOB_KEYS.has(key)) messages.push(`${name}: unknown keyword ${key}`);
      if (name.startsWith(".")) continue;
      const base = typeof job.extends === "string" ? value[job.extends] : undefined;
      if (typeof job.extends === "string" && !names.has(job.extends)) messages.push(`${name}: extends unknown job ${job.extends}`);
      const merged = { ...(isRecord(base) ? base : {}), ...job };
      if (!("script" in merged) && !("trigger" in merged) && !("run" in merged)) messages.push(`${name}: has no script`);
      if (typeof merged.stage === "string" && !stages.includes(merged.stage) && merged.stage !== ".pre" && merged.stage !== ".post") {
        messages.push(`${name}: stage ${merged.stage} is not in stages`);
      }
      if (Array.isArray(merged.needs)) {
        for (const need of merged.needs) {
          const target = typeof need === "string" ? need : isRecord(need) ? need.job : undefined;
          if (typeof target === "string" && !names.has(target)) messages.push(`${name}: needs unknown job ${target}`);
        }
      }
      if (isRecord(merged.cache) && isRecord(merged.cache.key) && Array.isArray(merged.cache.key.files) && merged.cache.key.files.length > 2) {
        messages.push(`${name}: cache:key:files takes at most two files`);
      }
    }
  }
  return { path: file.path, validator: "gitlab-ci-structure", ok: messages.length === 0, messages };
}

export function validateCircleciStructure(file: GeneratedFile): Validation {
  const { value, errors } = toJs(file.content);
  const messages = [...errors];
  if (!isRecord(value)) messages.push("root must be a mapping");
  else {
    if (value.version !== 2.1) messages.push("version must be 2.1");
    if ("setup" in value && typeof value.setup !== "boolean") messages.push("setup must be true or false");
    const setup = value.setup === true;
    const orbs = isRecord(value.orbs) ? value.orbs : {};
    for (const [alias, ref] of Object.entries(orbs)) {
      if (typeof ref === "string" && !/^[a-z0-9-]+\/[a-z0-9-]+@\d+\.\d+\.\d+$/.test(ref)) messages.push(`orb ${alias}: ${ref} is not pinned to an exact version (namespace/name@X.Y.Z)`);
    }
    const executors = isRecord(value.executors) ? value.executors : {};
    const parameters = isRecord(value.parameters) ? value.parameters : {};
    const jobs = isRecord(value.jobs) ? value.jobs : {};
    if (!setup && Object.keys(jobs).length === 0) messages.push("no jobs");
    for (const [name, job] of Object.entries(jobs)) {
      if (!isRecord(job)) { messages.push(`job ${name}: must be a mapping`); continue; }
      if (!Array.isArray(job.steps) || job.steps.length === 0) messages.push(`job ${name}: has no steps`);
      if (!job.docker && !job.machine && !job.macos && !job.executor) messages.push(`job ${name}: has no executor`);
      if (typeof job.executor === "string" && !(job.executor in executors) && !job.executor.includes("/")) messages.push(`job ${name}: executor ${job.executor} is not defined`);
    }
    const workflows = isRecord(value.workflows) ? value.workflows : {};
    if (Object.keys(workflows).length === 0) messages.push("no workflows");
    for (const [wname, wf] of Object.entries(workflows)) {
      if (!isRecord(wf) || !Array.isArray(wf.jobs)) { messages.push(`workflow ${wname}: has no jobs`); continue; }
      for (const ref of JSON.stringify(wf.when ?? null).matchAll(/pipeline\.parameters\.([A-Za-z0-9_-]+)/g)) {
        if (!(ref[1]! in parameters)) messages.push(`workflow ${wname}: when uses undeclared pipeline parameter ${ref[1]}`);
      }
      const declared = new Set<string>();
      for (const entry of wf.jobs) {
        const [jobName, opts] = typeof entry === "string" ? [entry, {}] : isRecord(entry) ? Object.entries(entry)[0] ?? ["", {}] : ["", {}];
        const o = isRecord(opts) ? opts : {};
        declared.add(typeof o.name === "string" ? o.name : jobName);
        if (jobName.includes("/")) {
          const alias = jobName.split("/")[0]!;
          if (!(alias in orbs)) messages.push(`workflow ${wname}: job ${jobName} uses orb ${alias}, which is not imported under orbs`);
        } else if (o.type !== "approval" && !(jobName in jobs)) messages.push(`workflow ${wname}: job ${jobName} is not defined`);
        if (typeof o.executor === "string" && !(o.executor in executors) && !o.executor.includes("/")) messages.push(`workflow ${wname}: executor ${o.executor} is not defined`);
      }
      for (const entry of wf.jobs) {
        const opts = isRecord(entry) ? Object.values(entry)[0] : undefined;
        if (isRecord(opts) && Array.isArray(opts.requires)) {
          for (const r of opts.requires) if (!declared.has(String(r))) messages.push(`workflow ${wname}: requires unknown job ${String(r)}`);
        }
      }
    }
    if (setup && Object.keys(orbs).length === 0 && Object.keys(jobs).length === 0) messages.push("a setup config needs a job that continues the pipeline (e.g. the path-filtering orb's filter job)");
  }
  return { path: file.path, validator: "circleci-structure", ok: messages.length === 0, messages };
}

/** Braces, brackets and parentheses balance outside Groovy strings and comments; the root is `pipeline {`. */
export function validateJenkinsStructure(file: GeneratedFile): Validation {
  const messages: string[] = [];
  const text = file.content;
  const stack: { ch: string; line: number }[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n") { line++; continue; }
    if (c === "/" && text[i + 1] === "/") { while (i < text.length && text[i] !== "\n") i++; line++; continue; }
    if (c === "/" && text[i + 1] === "*") { const end = text.indexOf("*/", i + 2); if (end < 0) { messages.push(`${line}: unterminated comment`); break; } line += text.slice(i, end).split("\n").length - 1; i = end + 1; continue; }
    if (c === "'" || c === '"') {
      const triple = text.startsWith(c.repeat(3), i);
      const close = triple ? c.repeat(3) : c;
      let j = i + close.length;
      for (; j < text.length; j++) {
        if (text[j] === "\\") { j++; continue; }
        if (!triple && text[j] === "\n") break;
        if (text.startsWith(close, j)) break;
      }
      if (j >= text.length || (!triple && text[j] === "\n")) { messages.push(`${line}: unterminated string`); break; }
      line += text.slice(i, j).split("\n").length - 1;
      i = j + close.length - 1;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") stack.push({ ch: c, line });
    else if (c === ")" || c === "]" || c === "}") {
      const top = stack.pop();
      if (!top || top.ch !== pairs[c]) { messages.push(`${line}: unbalanced ${c}`); break; }
    }
  }
  for (const open of stack) messages.push(`${open.line}: ${open.ch} is never closed`);
  const code = text.replace(/^\s*\/\/.*$/gm, "").trimStart();
  if (!/^pipeline\s*\{/.test(code)) messages.push("the Jenkinsfile must start with a declarative `pipeline {` block");
  return { path: file.path, validator: "jenkinsfile-structure", ok: messages.length === 0, messages };
}

let registered = false;
/** Registers the pipeline validators once (the capability module imports this file). */
export function registerPipelineValidators(): void {
  if (registered) return;
  registered = true;
  registerValidator("gitlab-ci", validateGitlabStructure);
  registerValidator("circleci", validateCircleciStructure);
  registerValidator("jenkinsfile", validateJenkinsStructure);
}
registerPipelineValidators();

