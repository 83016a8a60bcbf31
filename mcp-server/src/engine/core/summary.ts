import type { ToolResult } from "./types.ts";

const VERB: Record<string, string> = { create: "create", update: "update", unchanged: "unchanged", conflict: "CONFLICT", skip: "skip" };

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
  for (const f of result.files) lines.push(`  ${VERB[f.action]} ${f.path}${f.reason ? ` — ${f.reason}` : ""}`);
  const failed = result.validations.filter((v) => !v.ok);
  const skipped = result.validations.filter((v) => v.skipped);
  if (result.validations.length > 0) {
    lines.push(`validations: ${result.validations.length - failed.length - skipped.length} passed, ${failed.length} failed${skipped.length ? `, ${skipped.length} skipped` : ""}`);
  }
  for (const v of failed) lines.push(`  ${v.validator} ${v.path}: ${v.messages.join("; ")}`);
  // Show what would change (dry run) or what blocks the write (conflict): the reader decides from the diff.
  for (const f of result.files) {
    if (f.diff && (result.dryRun || f.action === "conflict")) lines.push("", f.diff.trimEnd());
  }
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  if (result.nextSteps.length > 0) {
    lines.push("next steps:");
    for (const s of result.nextSteps) lines.push(`  - ${s}`);
  }
  return lines.join("\n");
}

/** CLI exit code for a result: 0 ok, 1 conflicts / failed validation / failed action. (2 = bad input, raised before.) */
export const exitCodeFor = (result: ToolResult): number => (result.status === "ok" ? 0 : 1);
