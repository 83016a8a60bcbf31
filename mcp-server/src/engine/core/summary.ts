import type { FileResult, ToolResult } from "./types.ts";

const VERB: Record<string, string> = { create: "create", update: "update", unchanged: "unchanged", conflict: "CONFLICT", skip: "skip" };

/** A summary shows this much of each conflict's diff (the user's edits decide what to do), and no more in total. */
const CONFLICT_EXCERPT_CHARS = 2_000;
const CONFLICT_BUDGET_CHARS = 12_000;

/** Lines added and removed by a unified diff (headers excluded). */
export function diffStat(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff.split("\n")) {
    if (line.startsWith("+++ ") || line.startsWith("--- ")) continue;
    if (line.startsWith("+")) added += 1;
    else if (line.startsWith("-")) removed += 1;
  }
  return { added, removed };
}

function excerpt(path: string, diff: string, limit: number): string {
  if (diff.length <= limit) return diff;
  const cut = diff.slice(0, limit);
  const kept = cut.slice(0, cut.lastIndexOf("\n") + 1);
  const rest = diff.slice(kept.length).split("\n").filter((l) => l.length > 0).length;
  return `${kept}… ${rest} more diff lines: call again with diffs: ${JSON.stringify([path])}\n`;
}

/**
 * The result a tool call returns and `--json` prints, small enough for a model's context: diffs are replaced by
 * their +/- line counts (except the files named in `diffs`, and an excerpt of each conflict) and passing
 * validations are counted per validator instead of listed; `diffs: ["*"]` returns everything. Failures, skipped
 * validators, warnings, next steps and details are always kept whole, and `omitted` says what was left out.
 */
export function compactResult(result: ToolResult, diffs: readonly string[]): ToolResult {
  const withStats = result.files.map((f): FileResult => (f.diff === undefined ? f : { ...f, ...diffStat(f.diff) }));
  if (diffs.includes("*")) return { ...result, files: withStats };

  const wanted = new Set(diffs);
  const unknown = diffs.filter((d) => d !== "*" && !result.files.some((f) => f.path === d));
  let omittedDiffs = 0;
  let budget = CONFLICT_BUDGET_CHARS;
  const files = withStats.map((f): FileResult => {
    if (f.diff === undefined || wanted.has(f.path)) return f;
    const { diff, ...rest } = f;
    if (f.action === "conflict" && budget > 0) {
      const shown = excerpt(f.path, diff, Math.min(CONFLICT_EXCERPT_CHARS, budget));
      budget -= shown.length;
      if (shown !== diff) omittedDiffs += 1;
      return { ...rest, diff: shown };
    }
    omittedDiffs += 1;
    return rest;
  });
  const passedValidations: Record<string, number> = {};
  const validations = result.validations.filter((v) => {
    if (!v.ok || v.skipped) return true;
    passedValidations[v.validator] = (passedValidations[v.validator] ?? 0) + 1;
    return false;
  });
  const warnings = unknown.length === 0 ? result.warnings : [...result.warnings, `diffs: no generated file ${unknown.join(", ")} in this result`];
  const compact: ToolResult = { ...result, files, validations, warnings };
  if (omittedDiffs === 0 && validations.length === result.validations.length) return compact;
  return {
    ...compact,
    omitted: {
      passedValidations,
      diffs: omittedDiffs,
      howToGet: 'Call again with the same arguments plus diffs: ["<path>", …] for those full diffs, or diffs: ["*"] for every diff and validation (a dry run writes nothing, so asking again is safe).',
    },
  };
}

const stat = (f: FileResult) => (f.added !== undefined ? ` (+${f.added} -${f.removed ?? 0})` : "");

/** The short human text that accompanies every structured result (MCP text content, CLI default output). */
export function summarise(result: ToolResult): string {
  const lines: string[] = [];
  const headline = {
    ok: result.dryRun ? "dry run: nothing written" : "done",
    conflict: "nothing written: conflicts with your files",
    invalid: "nothing written: generated files failed validation",
    failed: "failed",
  }[result.status];
  lines.push(`${result.tool} (${result.root}): ${headline}`);
  if (result.analysis) {
    const { projects, monorepo, services } = result.analysis;
    lines.push(`projects: ${projects.length}${monorepo ? ` (monorepo: ${monorepo})` : ""}; services: ${services.length}`);
    for (const p of projects) {
      const versions = Object.entries(p.versions).map(([k, v]) => `${k} ${v}`).join(", ");
      const commands = Object.entries(p.commands).filter(([, c]) => c).map(([k]) => k).join("/");
      lines.push(`  ${p.path}: ${p.language} · ${p.packageManager}${versions ? ` · ${versions}` : ""}${commands ? ` · ${commands}` : ""}`);
    }
  }
  if (result.findings) {
    lines.push(`findings: ${result.findings.length}${result.findings.length ? "" : " (nothing to report)"}`);
    for (const f of result.findings.slice(0, 50)) {
      lines.push(`  ${f.file}:${f.line}:${f.column} ${f.severity} ${f.rule}${f.fixable ? " (fixable)" : ""} ${f.message}`);
    }
    if (result.findings.length > 50) lines.push(`  … ${result.findings.length - 50} more in the structured result (--json)`);
  }
  for (const f of result.files) lines.push(`  ${VERB[f.action]} ${f.path}${stat(f)}${f.reason ? ` — ${f.reason}` : ""}`);
  const failed = result.validations.filter((v) => !v.ok);
  const skipped = result.validations.filter((v) => v.skipped);
  const omittedPasses = Object.values(result.omitted?.passedValidations ?? {}).reduce((a, b) => a + b, 0);
  const passed = result.validations.length - failed.length - skipped.length + omittedPasses;
  if (passed + failed.length + skipped.length > 0) {
    lines.push(`validations: ${passed} passed, ${failed.length} failed${skipped.length ? `, ${skipped.length} skipped` : ""}`);
  }
  for (const v of failed) lines.push(`  ${v.validator} ${v.path}: ${v.messages.join("; ")}`);
  const skips = new Map<string, number>();
  for (const v of skipped) skips.set(`${v.validator}: ${v.messages.join("; ")}`, (skips.get(`${v.validator}: ${v.messages.join("; ")}`) ?? 0) + 1);
  for (const [what, count] of skips) lines.push(`  skipped ${what} (${count} file${count === 1 ? "" : "s"})`);
  // Show what would change (dry run) or what blocks the write (conflict): the reader decides from the diff.
  for (const f of result.files) {
    if (f.diff && (result.dryRun || f.action === "conflict")) lines.push("", f.diff.trimEnd());
  }
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  if (result.nextSteps.length > 0) {
    lines.push("next steps:");
    for (const s of result.nextSteps) lines.push(`  - ${s}`);
  }
  if (result.omitted && result.omitted.diffs > 0) lines.push(`${result.omitted.diffs} diff(s) not shown. ${result.omitted.howToGet}`);
  return lines.join("\n");
}

/** CLI exit code for a result: 0 ok, 1 conflicts / failed validation / failed action. (2 = bad input, raised before.) */
export const exitCodeFor = (result: ToolResult): number => (result.status === "ok" ? 0 : 1);
