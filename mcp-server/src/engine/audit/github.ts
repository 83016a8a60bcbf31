import type { Node, YAMLMap } from "yaml";
import { PINNED_ACTIONS, type PinnedAction } from "../pipeline/pinned-actions.ts";
import { imageProblem, looksLikeSecret } from "./common.ts";
import { type AuditedFile, type Finding, finding, type TextEdit } from "./model.ts";
import {
  asMap, entries, isMap, isScalar, lineStart, pairOf, type ParsedYaml, parseYaml, posOf, seqItems, startsLine, stringOf, valueOf,
} from "./yaml-util.ts";

/** Minutes written by the timeout fix: well above a normal CI job, far below GitHub's 360-minute default. */
export const FIX_TIMEOUT_MINUTES = 60;

/** Event fields an outside contributor controls (titles, bodies, branch names, commit messages, author names). */
const UNTRUSTED = [
  /^github\.event\.(issue|pull_request|discussion)\.(title|body)$/,
  /^github\.event\.(comment|review|review_comment)\.body$/,
  /^github\.event\.pages\[[^\]]*\]\.page_name$|^github\.event\.pages\.\*\.page_name$/,
  /^github\.event\.(commits\[[^\]]*\]|commits\.\*|head_commit)\.(message|author\.(email|name))$/,
  /^github\.event\.pull_request\.head\.(ref|label|repo\.default_branch)$/,
  /^github\.event\.workflow_run\.(head_branch|display_title|head_commit\.(message|author\.(email|name)))$/,
  /^github\.event\.release\.(name|body)$/,
  /^github\.head_ref$/,
];
const CONTEXT_PATH = /\b(github\.(?:event(?:\.[A-Za-z0-9_-]+|\[[^\]]*\]|\.\*)+|head_ref)|inputs\.[A-Za-z0-9_-]+)/g;

export interface Expression {
  /** The whole `${{ … }}` text. */
  raw: string;
  /** Inside of the braces, trimmed. */
  inner: string;
  /** Index in the string it was found in. */
  index: number;
  /** The untrusted context paths it reads. */
  untrusted: string[];
  /** True when only `inputs.*` is read (a caller's or dispatcher's value, lower risk than event data). */
  inputsOnly: boolean;
}

/** `${{ … }}` expressions in a string that read untrusted contexts. `safeInputs` are inputs typed boolean/number/choice. */
export function untrustedExpressions(text: string, safeInputs: Set<string>): Expression[] {
  const out: Expression[] = [];
  for (const m of text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    const inner = m[1]!.trim();
    const paths = [...inner.matchAll(CONTEXT_PATH)].map((p) => p[1]!);
    const event = paths.filter((p) => UNTRUSTED.some((re) => re.test(p)));
    const inputs = paths.filter((p) => p.startsWith("inputs.") && !safeInputs.has(p.slice("inputs.".length)));
    if (event.length + inputs.length === 0) continue;
    out.push({ raw: m[0], inner, index: m.index!, untrusted: [...event, ...inputs], inputsOnly: event.length === 0 });
  }
  return out;
}

/** Table entry for `owner/repo[/path]`, matched case-insensitively as GitHub does. */
function tableEntry(path: string): PinnedAction | undefined {
  const lower = path.toLowerCase();
  return Object.values(PINNED_ACTIONS).find((a) => a.uses.toLowerCase() === lower);
}

/**
 * The pinned commit for `ref` when the table's release is the tag the user names: the exact release, or the
 * major/minor tag that pointed at it when the table was verified. Anything else is a version change, not a pin.
 */
export function pinFor(path: string, ref: string): { entry: PinnedAction; sha: string; version: string } | undefined {
  const entry = tableEntry(path);
  if (!entry) return undefined;
  const version = entry.version;
  const tag = entry.tag ?? version;
  const bare = version.replace(/^v/, "");
  const [major, minor] = bare.split(".");
  const accepted = new Set([version, tag, `v${major}`, `v${major}.${minor}`]);
  if (entry.tag && !entry.tag.startsWith("v")) for (const t of [major!, `${major}.${minor}`]) accepted.add(t);
  return accepted.has(ref) ? { entry, sha: entry.sha, version } : undefined;
}

/** Actions that need nothing beyond `contents: read` from GITHUB_TOKEN. */
const READ_ONLY_ACTIONS = /^(actions\/(checkout|setup-[a-z]+|cache(\/(restore|save))?|upload-artifact|download-artifact)|docker\/(setup-buildx-action|setup-qemu-action|metadata-action)|ruby\/setup-ruby|shivammathur\/setup-php|pnpm\/action-setup|oven-sh\/setup-bun|astral-sh\/setup-uv|Swatinem\/rust-cache|hashicorp\/setup-terraform|azure\/setup-kubectl|gradle\/actions\/setup-gradle|golangci\/golangci-lint-action|denoland\/setup-deno|dtolnay\/rust-toolchain|actions-rs\/toolchain|erlef\/setup-beam|haskell-actions\/setup|mlugg\/setup-zig)$/i;
/** A run script that uses the token or publishes something needs more than read. */
const WRITES_SOMETHING = /\bgit\s+push\b|\bgh\s+\w|GITHUB_TOKEN|github\.token|\bnpm\s+publish\b|\bdocker\s+push\b|\bgoreleaser\b|\bsemantic-release\b|\bchangeset\s+publish\b/;

interface StepInfo {
  map: YAMLMap;
  /** Job (or composite action) it belongs to. */
  job?: YAMLMap;
}

interface WorkflowContext {
  file: AuditedFile;
  parsed: ParsedYaml;
  findings: Finding[];
  edits: TextEdit[];
  safeInputs: Set<string>;
  triggers: Set<string>;
  /** Default shell from `defaults.run.shell` of the workflow. */
  defaultShell?: string;
}

/** Audits one GitHub workflow or composite action; returns findings and the edits that fix the fixable ones. */
export function auditGithub(file: AuditedFile): { findings: Finding[]; edits: TextEdit[]; parseErrors: string[] } {
  const parsed = parseYaml(file.content);
  if (parsed.errors.length > 0) return { findings: [], edits: [], parseErrors: parsed.errors };
  const root = asMap(parsed.docs[0]?.contents);
  if (!root) return { findings: [], edits: [], parseErrors: [] };
  const ctx: WorkflowContext = {
    file, parsed, findings: [], edits: [], safeInputs: new Set(), triggers: new Set(),
    defaultShell: stringOf(asMap(valueOf(asMap(valueOf(root, "defaults")), "run")), "shell"),
  };
  if (file.kind === "github-action") {
    const runs = asMap(valueOf(root, "runs"));
    const image = stringOf(runs, "image");
    if (image?.startsWith("docker://")) imageFinding(ctx, image.slice("docker://".length), valueOf(runs, "image"));
    for (const step of seqItems(valueOf(runs, "steps"))) if (isMap(step)) auditStep(ctx, { map: step });
    return { findings: ctx.findings, edits: ctx.edits, parseErrors: [] };
  }

  collectTriggers(ctx, valueOf(root, "on"));
  const jobsPair = pairOf(root, "jobs");
  const jobs = asMap(jobsPair?.value);
  const jobEntries = entries(jobs);

  // permissions
  const topPermissions = valueOf(root, "permissions");
  if (topPermissions) {
    overBroad(ctx, topPermissions, "workflow", jobEntries.length);
  }
  const jobsWithout = jobEntries.filter((j) => !valueOf(asMap(j.value), "permissions"));
  if (!topPermissions && jobsWithout.length > 0 && jobsPair) {
    const safe = jobsWithout.every((j) => readOnlySuffices(asMap(j.value)));
    const f = finding("GHA003", file.path, posOf(parsed, jobsPair.key as Node),
      `no workflow-level permissions and ${jobsWithout.length} job(s) without their own (${jobsWithout.map((j) => j.key).slice(0, 5).join(", ")}): GITHUB_TOKEN gets the repository default`,
      safe ? { fixable: true, fix: "Fix adds `permissions: contents: read` at the top (every job only reads the repository)." }
        : { fix: "Add `permissions: contents: read` at the top and the write scopes each job needs on that job (not fixed automatically: a job here uses the token or an action that may write)." });
    ctx.findings.push(f);
    if (safe) addTopPermissions(ctx, jobsPair.key as Node, jobs);
  }
  for (const j of jobEntries) {
    const p = valueOf(asMap(j.value), "permissions");
    if (p) overBroad(ctx, p, `job ${j.key}`, 1);
  }

  // concurrency
  const busy = ["push", "pull_request"].some((t) => ctx.triggers.has(t));
  if (busy && !valueOf(root, "concurrency") && !jobEntries.some((j) => valueOf(asMap(j.value), "concurrency"))) {
    ctx.findings.push(finding("GHA011", file.path, posOf(parsed, (pairOf(root, "on")?.key as Node) ?? root),
      "runs on push/pull_request without `concurrency`: superseded runs are not cancelled"));
  }

  for (const j of jobEntries) auditJob(ctx, j.key, j.keyNode, asMap(j.value));
  return { findings: ctx.findings, edits: ctx.edits, parseErrors: [] };
}

function collectTriggers(ctx: WorkflowContext, on: Node | undefined): void {
  if (isScalar(on)) ctx.triggers.add(String(on.value));
  for (const item of seqItems(on)) if (isScalar(item)) ctx.triggers.add(String(item.value));
  for (const e of entries(asMap(on))) {
    ctx.triggers.add(e.key);
    if (e.key === "workflow_dispatch" || e.key === "workflow_call") {
      for (const input of entries(asMap(valueOf(asMap(e.value), "inputs")))) {
        const type = stringOf(asMap(input.value), "type");
        if (type === "boolean" || type === "number" || type === "choice" || type === "environment") ctx.safeInputs.add(input.key);
      }
    }
  }
}

function overBroad(ctx: WorkflowContext, node: Node, where: string, jobCount: number): void {
  if (isScalar(node)) {
    if (String(node.value) === "write-all") {
      ctx.findings.push(finding("GHA004", ctx.file.path, posOf(ctx.parsed, node), `${where} grants write-all to GITHUB_TOKEN`));
    }
    return;
  }
  if (where !== "workflow" || jobCount < 2) return;
  const writes = entries(asMap(node)).filter((e) => isScalar(e.value) && String(e.value.value) === "write");
  if (writes.length > 0) {
    ctx.findings.push(finding("GHA004", ctx.file.path, posOf(ctx.parsed, writes[0]!.keyNode),
      `workflow-level permissions grant ${writes.map((w) => `${w.key}: write`).join(", ")} to all ${jobCount} jobs`));
  }
}

/** True when nothing in the job suggests it needs more than `contents: read`. */
function readOnlySuffices(job: YAMLMap | undefined): boolean {
  if (!job) return false;
  if (valueOf(job, "uses")) return false; // a reusable workflow decides its own needs
  for (const step of seqItems(valueOf(job, "steps"))) {
    const map = asMap(step);
    const uses = stringOf(map, "uses");
    if (uses && !uses.startsWith("./")) {
      const path = uses.split("@")[0]!;
      if (!READ_ONLY_ACTIONS.test(path)) return false;
    }
    if (uses?.startsWith("./")) return false;
    const run = stringOf(map, "run") ?? "";
    if (WRITES_SOMETHING.test(run)) return false;
    const text = JSON.stringify(map?.toJSON() ?? {});
    if (/GITHUB_TOKEN|github\.token/.test(text)) return false;
  }
  return true;
}

/** Indentation unit of a block mapping: the column of its first key. */
function childIndent(parsed: ParsedYaml, map: YAMLMap | undefined, fallback: number): number {
  const first = map?.items[0]?.key as Node | undefined;
  return first ? posOf(parsed, first).column - 1 : fallback;
}

function addTopPermissions(ctx: WorkflowContext, jobsKey: Node, jobs: YAMLMap | undefined): void {
  const start = jobsKey.range![0];
  if (!startsLine(ctx.parsed.text, start) || start !== lineStart(ctx.parsed.text, start)) return;
  const unit = Math.max(childIndent(ctx.parsed, jobs, 2), 1);
  const before = ctx.parsed.text.slice(0, start);
  const blankBefore = /\n[ \t]*\n$/.test(before) || before === "";
  const text = `permissions:\n${" ".repeat(unit)}contents: read\n${blankBefore ? "\n" : ""}`;
  ctx.edits.push({ start, end: start, text });
}

function auditJob(ctx: WorkflowContext, name: string, keyNode: Node, job: YAMLMap | undefined): void {
  if (!job) return;
  const { file, parsed } = ctx;
  const isReusableCall = Boolean(valueOf(job, "uses"));
  const reusable = stringOf(job, "uses");
  if (reusable && !reusable.startsWith("./")) usesFinding(ctx, reusable, valueOf(job, "uses")!);

  if (!isReusableCall && !valueOf(job, "timeout-minutes")) {
    const steps = pairOf(job, "steps");
    const anchor = steps?.key as Node | undefined;
    const fixable = Boolean(anchor && startsLine(parsed.text, anchor.range![0]) && isMap(job) && !job.flow);
    ctx.findings.push(finding("GHA010", file.path, posOf(parsed, keyNode), `job ${name} has no timeout-minutes (default 360)`,
      fixable ? { fixable: true, fix: `Fix adds \`timeout-minutes: ${FIX_TIMEOUT_MINUTES}\`; lower it to a bound a little above the job's normal duration.` } : {}));
    if (fixable && anchor) {
      const keyLine = lineStart(parsed.text, anchor.range![0]);
      const indent = anchor.range![0] - keyLine;
      // keep a blank line that separates `steps:` from the job's settings below the new line
      let at = keyLine;
      while (at > 0 && /^[ \t]*\r?$/.test(parsed.text.slice(lineStart(parsed.text, at - 1), at - 1))) at = lineStart(parsed.text, at - 1);
      ctx.edits.push({ start: at, end: at, text: `${" ".repeat(indent)}timeout-minutes: ${FIX_TIMEOUT_MINUTES}\n` });
    }
  }

  const container = valueOf(job, "container");
  const containerImage = isScalar(container) ? container : valueOf(asMap(container), "image");
  if (isScalar(containerImage)) imageFinding(ctx, String(containerImage.value), containerImage);
  for (const service of entries(asMap(valueOf(job, "services")))) {
    const image = valueOf(asMap(service.value), "image");
    if (isScalar(image)) imageFinding(ctx, String(image.value), image);
  }
  envSecrets(ctx, asMap(valueOf(job, "env")));
  for (const step of seqItems(valueOf(job, "steps"))) if (isMap(step)) auditStep(ctx, { map: step, job });
}

function imageFinding(ctx: WorkflowContext, reference: string, node: Node | undefined): void {
  const problem = imageProblem(reference);
  if (!problem) return;
  ctx.findings.push(finding("GHA002", ctx.file.path, posOf(ctx.parsed, node), problem.text,
    { severity: problem.level === "latest" ? "warning" : "note" }));
}

function envSecrets(ctx: WorkflowContext, env: YAMLMap | undefined): void {
  for (const e of entries(env)) {
    if (isScalar(e.value) && typeof e.value.value === "string" && looksLikeSecret(e.key, e.value.value)) {
      ctx.findings.push(finding("GHA008", ctx.file.path, posOf(ctx.parsed, e.keyNode), `env ${e.key} holds a literal credential`));
    }
  }
}

function usesFinding(ctx: WorkflowContext, uses: string, node: Node): void {
  if (uses.startsWith("docker://")) {
    imageFinding(ctx, uses.slice("docker://".length), node);
    return;
  }
  const at = uses.lastIndexOf("@");
  if (at < 0) {
    ctx.findings.push(finding("GHA001", ctx.file.path, posOf(ctx.parsed, node), `${uses} has no ref at all`, { severity: "error" }));
    return;
  }
  const path = uses.slice(0, at);
  const ref = uses.slice(at + 1);
  if (/^[0-9a-f]{40}$/.test(ref)) return;
  const owner = path.split("/")[0]!.toLowerCase();
  const severity = owner === "actions" || owner === "github" ? "warning" : "error";
  const pin = pinFor(path, ref);
  if (pin && isScalar(node) && !isInFlowCollection(ctx.parsed, node)) {
    ctx.findings.push(finding("GHA001", ctx.file.path, posOf(ctx.parsed, node), `${uses} is pinned to a ${/^[0-9a-f]{7,39}$/.test(ref) ? "short sha" : "tag or branch"}, not a commit SHA`,
      { severity, fixable: true, fix: `Fix pins it to ${pin.sha} # ${pin.version} (the commit of ${ref} in the pinned table).` }));
    pinEdit(ctx, node, `${path}@${pin.sha}`, pin.version);
    return;
  }
  const known = tableEntry(path);
  const why = known
    ? `the pinned table knows ${known.version} only; moving ${ref} to it is an upgrade, not a pin`
    : "not in the pinned table, and the audit does not guess SHAs offline";
  ctx.findings.push(finding("GHA001", ctx.file.path, posOf(ctx.parsed, node), `${uses} is pinned to a tag or branch, not a commit SHA (${why})`,
    { severity, fix: `Pin to the full commit SHA of ${ref} (\`git ls-remote https://github.com/${path.split("/").slice(0, 2).join("/")} ${ref}\`) with a \`# ${ref}\` comment, or use a pinning tool such as pinact/ratchet.` }));
}

/** True when a node sits inside a flow collection (`{…}` / `[…]`), where a comment cannot follow it. */
function isInFlowCollection(parsed: ParsedYaml, node: Node): boolean {
  const start = node.range![0];
  const line = parsed.text.slice(lineStart(parsed.text, start), start);
  return /[{[]/.test(line.replace(/#.*$/, ""));
}

/** Replaces the scalar with the pinned reference and its line comment with `# vX.Y.Z` (keeping any other comment text). */
function pinEdit(ctx: WorkflowContext, node: Node, value: string, version: string): void {
  const text = ctx.parsed.text;
  const start = node.range![0];
  const valueEnd = node.range![1];
  let lineEnd = text.indexOf("\n", valueEnd);
  if (lineEnd < 0) lineEnd = text.length;
  const tail = text.slice(valueEnd, lineEnd).replace(/\r$/, "");
  const comment = /^\s*#\s?(.*)$/.exec(tail)?.[1]?.trim();
  const kept = comment && !/^v?\d+(\.\d+)*$/.test(comment) ? ` ${comment}` : "";
  const end = valueEnd + tail.length;
  ctx.edits.push({ start, end, text: `${value} # ${version}${kept}` });
}

function auditStep(ctx: WorkflowContext, step: StepInfo): void {
  const { file, parsed } = ctx;
  const map = step.map;
  const usesNode = valueOf(map, "uses");
  const uses = stringOf(map, "uses");
  if (uses && !uses.startsWith("./") && usesNode) usesFinding(ctx, uses, usesNode);
  const withMap = asMap(valueOf(map, "with"));
  const action = uses?.split("@")[0]?.toLowerCase();

  if (action === "actions/checkout") {
    const ref = valueOf(withMap, "ref");
    const refText = isScalar(ref) ? String(ref.value) : "";
    const privileged = ctx.triggers.has("pull_request_target") || ctx.triggers.has("workflow_run");
    if (privileged && /github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|refs\/pull\/|github\.event\.workflow_run\.head_(sha|branch)/.test(refText)) {
      ctx.findings.push(finding("GHA006", file.path, posOf(parsed, ref), `checks out ${refText} in a ${ctx.triggers.has("pull_request_target") ? "pull_request_target" : "workflow_run"} workflow`));
    }
    const persist = stringOf(withMap, "persist-credentials");
    if (persist !== "false") {
      ctx.findings.push(finding("GHA007", file.path, posOf(parsed, usesNode), "checkout keeps the token in .git/config (persist-credentials is not false)"));
    }
  }
  if (action === "actions/cache" || action === "actions/cache/restore") {
    const key = valueOf(withMap, "key");
    const keyText = isScalar(key) ? String(key.value) : "";
    if (key && !/hashFiles\(/.test(keyText)) {
      ctx.findings.push(finding("GHA012", file.path, posOf(parsed, key), `cache key \`${keyText.slice(0, 80)}\` does not hash any lockfile`));
    }
  }
  if (action === "actions/github-script") {
    const script = valueOf(withMap, "script");
    if (isScalar(script)) {
      for (const e of untrustedExpressions(String(script.value), ctx.safeInputs)) {
        ctx.findings.push(finding("GHA005", file.path, posOf(parsed, script), `github-script interpolates ${e.untrusted.join(", ")} into JavaScript`,
          { severity: e.inputsOnly ? "warning" : "error", fix: "Pass the value through `env:` and read `process.env.NAME` in the script." }));
      }
    }
  }
  envSecrets(ctx, asMap(valueOf(map, "env")));

  const runNode = valueOf(map, "run");
  if (!isScalar(runNode) || typeof runNode.value !== "string") return;
  const run = runNode.value;
  const secretEnv = new Set(entries(asMap(valueOf(map, "env"))).filter((e) => isScalar(e.value) && /\$\{\{\s*secrets\./.test(String(e.value.value))).map((e) => e.key));
  for (const line of run.split("\n")) {
    if (!/^\s*(echo|printf|cat)\b/.test(line)) continue;
    const direct = /\$\{\{\s*secrets\.(?!GITHUB_TOKEN\b)/.test(line);
    const viaEnv = [...secretEnv].some((name) => new RegExp(`\\$\\{?${name}\\b`).test(line) && !/>\s*\S/.test(line) && !/\|/.test(line));
    if (direct || viaEnv) {
      ctx.findings.push(finding("GHA009", file.path, posOf(parsed, runNode), `run prints a secret: \`${line.trim().slice(0, 80)}\``));
      break;
    }
  }
  const expressions = untrustedExpressions(run, ctx.safeInputs);
  if (expressions.length === 0) return;
  const fix = injectionFix(ctx, step, runNode, expressions);
  for (const e of expressions) {
    ctx.findings.push(finding("GHA005", file.path, posOf(parsed, runNode), `run interpolates ${e.untrusted.join(", ")} directly into the script`,
      { severity: e.inputsOnly ? "warning" : "error", ...(fix ? { fixable: true, fix: "Fix moves the expression into the step's `env:` and uses the shell variable." } : {}) }));
  }
}

function envName(inner: string): string {
  const path = /^[A-Za-z0-9_.\-*[\]'"]+$/.test(inner) ? inner : "";
  const parts = path.split(".").filter((p) => p && p !== "*" && !p.startsWith("["));
  const tail = path.startsWith("inputs.") ? ["input", ...parts.slice(1)] : path === "github.head_ref" ? ["head_ref"] : parts.slice(-2);
  // GITHUB_* and RUNNER_* are the runner's own variables: never shadow them
  const name = tail.join("_").toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_+|_+$/g, "").replace(/^(GITHUB|RUNNER)_/, "");
  return name && /^[A-Z]/.test(name) ? name : "UNTRUSTED_VALUE";
}

/** Moves untrusted expressions of a bash/sh `run:` into the step's `env:`; false when it cannot be done safely. */
function injectionFix(ctx: WorkflowContext, step: StepInfo, runNode: Node, expressions: Expression[]): boolean {
  const { parsed } = ctx;
  const text = parsed.text;
  const map = step.map;
  if (!isScalar(runNode) || runNode.type === "QUOTE_SINGLE" || map.flow) return false;
  const shell = stringOf(map, "shell") ?? stringOf(asMap(valueOf(asMap(valueOf(step.job, "defaults")), "run")), "shell") ?? ctx.defaultShell;
  const runsOn = JSON.stringify(step.job ? (valueOf(step.job, "runs-on") as Node | undefined)?.toJSON?.() ?? "" : "");
  if (shell ? !/^(bash|sh)\b/.test(shell) : /windows/i.test(runsOn)) return false;
  if (!step.job && !shell) return false; // composite actions must name their shell; without one, leave it
  if (/<<-?\s*['"]/.test(String(runNode.value))) return false; // quoted heredoc: no expansion inside

  // env names: reuse an existing entry with the same expression, else a fresh name
  const envPair = pairOf(map, "env");
  const envMap = asMap(envPair?.value);
  if (envPair && (!envMap || envMap.flow)) return false;
  const existing = new Map(entries(envMap).map((e) => [e.key, isScalar(e.value) ? String(e.value.value) : ""]));
  const added: { name: string; raw: string }[] = [];
  const nameFor = new Map<string, string>();
  for (const e of expressions) {
    const value = `\${{ ${e.inner} }}`;
    if (nameFor.has(e.inner)) continue;
    const reuse = [...existing].find(([, v]) => v.replace(/\s+/g, "") === value.replace(/\s+/g, ""));
    if (reuse) {
      nameFor.set(e.inner, reuse[0]);
      continue;
    }
    const base = envName(e.inner);
    let name = base;
    for (let i = 2; existing.has(name) || added.some((a) => a.name === name); i++) name = `${base}_${i}`;
    added.push({ name, raw: value });
    nameFor.set(e.inner, name);
  }

  // replace each occurrence inside the run scalar's source text
  const [start, end] = [runNode.range![0], runNode.range![1]];
  const source = text.slice(start, end);
  let replaced = "";
  let last = 0;
  for (const m of source.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    const inner = m[1]!.replace(/\s+/g, " ").trim();
    const name = [...nameFor].find(([k]) => k.replace(/\s+/g, " ") === inner)?.[1];
    if (!name) continue;
    const lineBefore = source.slice(source.lastIndexOf("\n", m.index!) + 1, m.index!);
    const inSingleQuotes = (lineBefore.replace(/"[^"]*"/g, "").split("'").length - 1) % 2 === 1;
    const end = m.index! + m[0].length;
    // inside '…' the shell expands nothing: close the quotes around the variable (and drop an empty '' after it)
    const closesRightAfter = inSingleQuotes && source[end] === "'";
    replaced += source.slice(last, m.index!) + (inSingleQuotes ? `'"\${${name}}"${closesRightAfter ? "" : "'"}` : `\${${name}}`);
    last = closesRightAfter ? end + 1 : end;
  }
  replaced += source.slice(last);
  if (replaced === source) return false;
  const edits: TextEdit[] = [{ start, end, text: replaced }];

  if (added.length > 0) {
    if (envMap && envMap.items.length > 0) {
      const first = envMap.items[0]!.key as Node;
      const at = lineStart(text, first.range![0]);
      if (!startsLine(text, first.range![0])) return false;
      const indent = first.range![0] - at;
      edits.push({ start: at, end: at, text: added.map((a) => `${" ".repeat(indent)}${a.name}: ${a.raw}\n`).join("") });
    } else if (envPair) {
      return false;
    } else {
      const anchor = map.items.map((p) => p.key as Node).find((k) => startsLine(text, k.range![0]));
      const stepIndent = posOf(parsed, map.items[0]!.key as Node).column - 1;
      const unit = 2;
      const block = (indent: number) => `${" ".repeat(indent)}env:\n${added.map((a) => `${" ".repeat(indent + unit)}${a.name}: ${a.raw}\n`).join("")}`;
      if (anchor) {
        const at = lineStart(text, anchor.range![0]);
        edits.push({ start: at, end: at, text: block(anchor.range![0] - at) });
      } else {
        // a one-key step (`- run: …`): append the env block on the line after the run value
        let after = text.indexOf("\n", Math.max(end - 1, start));
        if (after < 0) return false;
        after += 1;
        if (after < end) return false;
        edits.push({ start: after, end: after, text: block(stepIndent) });
      }
    }
  }
  ctx.edits.push(...edits);
  return true;
}
