import { z } from "zod";
import { commonInput, defineCapability } from "../core/capability.ts";
import type { GeneratedFile, Validation } from "../core/types.ts";
import { validateWithActionlint } from "../validate/actionlint.ts";
import { normaliseRelativePath } from "../writer/paths.ts";
import { resolveRoot, validateAndWrite } from "../writer/index.ts";
import { auditCircleci, auditGitlab, auditJenkins } from "./ci-platforms.ts";
import { tokenShapesIn } from "./common.ts";
import { discover } from "./discover.ts";
import { auditCompose, auditDockerfile } from "./docker.ts";
import { auditGithub } from "./github.ts";
import { auditKubernetes } from "./kubernetes.ts";
import { type AuditedFile, type Finding, finding, RULES, type RuleId, SCOPES, type Scope, type TextEdit } from "./model.ts";
import { toSarif } from "./sarif.ts";
import { auditTerraform } from "./terraform.ts";

export { findingSchema, SCOPES } from "./model.ts";

/**
 * Findings kept in the structured result (errors first), by count and by size, so a result on a large repository
 * stays well under the 40 KB a model can take; the SARIF file always has all of them.
 */
const MAX_FINDINGS_IN_RESULT = 100;
const MAX_FINDINGS_BYTES = 20_000;
const SEVERITY_ORDER = { error: 0, warning: 1, note: 2 } as const;

/** Applies non-overlapping edits (offsets into the original); insertions at one offset keep their order. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.start - b.start || a.end - b.end || a.i - b.i);
  let out = "";
  let last = 0;
  for (const e of sorted) {
    if (e.start < last) throw new Error(`overlapping audit edits at offset ${e.start}`);
    out += text.slice(last, e.start) + e.text;
    last = e.end;
  }
  return out + text.slice(last);
}

const SECRET_RULE: Partial<Record<AuditedFile["kind"], RuleId>> = {
  "github-workflow": "GHA008", "github-action": "GHA008", "gitlab-ci": "GL002", circleci: "CC003", jenkinsfile: "JK003",
  dockerfile: "DF003", compose: "DC003",
};

interface FileAudit {
  findings: Finding[];
  edits: TextEdit[];
  parseErrors: string[];
}

async function auditFiles(files: AuditedFile[]): Promise<Map<string, FileAudit>> {
  const results = new Map<string, FileAudit>();
  const set = (path: string, r: Partial<FileAudit>) => results.set(path, { findings: r.findings ?? [], edits: r.edits ?? [], parseErrors: r.parseErrors ?? [] });
  for (const file of files) {
    switch (file.kind) {
      case "github-workflow":
      case "github-action": set(file.path, auditGithub(file)); break;
      case "gitlab-ci": set(file.path, auditGitlab(file)); break;
      case "circleci": set(file.path, auditCircleci(file)); break;
      case "jenkinsfile": set(file.path, auditJenkins(file)); break;
      case "dockerfile": set(file.path, await auditDockerfile(file)); break;
      case "compose": set(file.path, auditCompose(file)); break;
      case "kubernetes": set(file.path, auditKubernetes(file)); break;
      case "terraform": break;
    }
  }
  // a credential of a well-known shape anywhere (a command line, a URL), where no rule has reported one already
  for (const file of files) {
    const rule = SECRET_RULE[file.kind];
    const audit = results.get(file.path);
    if (!rule || !audit) continue;
    for (const hit of tokenShapesIn(file.content)) {
      if (audit.findings.some((f) => f.line === hit.line && RULES.get(f.rule)?.name.includes("secret"))) continue;
      audit.findings.push(finding(rule, file.path, hit, `a credential (${hit.shape}) is written in the file`));
    }
  }
  const tf = files.filter((f) => f.kind === "terraform");
  if (tf.length > 0) {
    const { findings, parseErrors } = await auditTerraform(tf);
    for (const f of tf) set(f.path, { findings: findings.filter((x) => x.file === f.path), parseErrors: parseErrors.filter((e) => e.path === f.path).map((e) => e.message) });
  }
  return results;
}

export const auditCapability = defineCapability({
  tool: "devops-auditor",
  title: "Audit and harden existing CI, containers and IaC",
  description:
    "Use to review, secure or pin the CI, Dockerfiles, manifests or Terraform a repository already has: findings with " +
    "file:line and fix, optional SARIF. With fix: pins known actions to SHAs, adds permissions and timeouts, moves " +
    "untrusted expressions into env, keeping formatting.",
  inputShape: {
    ...commonInput,
    fix: z.boolean().default(false).describe("Apply the safe mechanical fixes to your files (default: report only)"),
    sarif: z.string().min(1).max(300).optional().describe("Relative path to write a SARIF 2.1.0 report to, e.g. audit.sarif"),
    scope: z.array(z.enum(SCOPES)).min(1).optional().describe("What to audit; default all"),
  },
  // Writes only with fix (edits to your files) or sarif (a report file); additive, never deletes; same input, same result.
  annotations: { title: "Audit and harden existing CI, containers and IaC", readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  cli: {
    command: "audit",
    summary: "audit existing CI/CD, Dockerfiles, Kubernetes and Terraform; --fix hardens in place",
    options: [
      { flags: "--fix", key: "fix", type: "bool", description: "apply safe mechanical fixes in place (pin actions, permissions, timeouts, injection)" },
      { flags: "--sarif <file>", key: "sarif", description: "also write a SARIF 2.1.0 report to this relative path" },
      { flags: "--scope <list>", key: "scope", type: "list", description: `comma-separated: ${SCOPES.join(", ")}` },
    ],
  },
  async run(input, context) {
    const root = resolveRoot(input.path);
    const sarifPath = input.sarif !== undefined ? normaliseRelativePath(input.sarif) : undefined;
    const scopes = new Set<Scope>(input.scope ?? SCOPES);
    context.progress(`auditing ${root} (${[...scopes].join(", ")})`);
    const files = discover(root, scopes);
    const audits = await auditFiles(files);
    const warnings: string[] = [];
    const validations: Validation[] = [];
    for (const [path, a] of audits) {
      if (a.parseErrors.length > 0) {
        warnings.push(`${path} does not parse, so it was not audited: ${a.parseErrors[0]}`);
        validations.push({ path, validator: "parse", ok: false, messages: a.parseErrors.slice(0, 3) });
      }
    }
    const findings = [...audits.values()].flatMap((a) => a.findings)
      .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));

    // fixes: minimal text edits, re-parsed and re-audited before they go to the writer
    const edited: GeneratedFile[] = [];
    const originals: Record<string, string> = {};
    const fixedCounts: Record<string, number> = {};
    if (input.fix) {
      for (const file of files) {
        const a = audits.get(file.path);
        if (!a || a.edits.length === 0) continue;
        // inserted lines take the file's own line endings
        const eol = file.content.includes("\r\n") ? "\r\n" : "\n";
        const content = applyEdits(file.content, a.edits.map((e) => ({ ...e, text: e.text.replace(/\r?\n/g, eol) })));
        const again = auditGithub({ ...file, content });
        if (again.parseErrors.length > 0) {
          warnings.push(`fixes for ${file.path} were dropped: the edited file would not parse (${again.parseErrors[0]})`);
          continue;
        }
        if (file.kind === "github-workflow") {
          const before = await validateWithActionlint({ path: file.path, content: file.content, kind: "github-workflow" });
          const after = await validateWithActionlint({ path: file.path, content, kind: "github-workflow" });
          if (after.messages.length > before.messages.length) {
            warnings.push(`fixes for ${file.path} were dropped: actionlint found new problems after editing (${after.messages[0]})`);
            continue;
          }
          validations.push({ ...after, ok: after.messages.length <= before.messages.length, messages: after.messages.slice(0, 5) });
        }
        const left = again.findings.filter((f) => f.fixable).length;
        if (left > 0) warnings.push(`${file.path}: ${left} fixable finding(s) remain after one pass`);
        fixedCounts[file.path] = a.findings.filter((f) => f.fixable).length - left;
        edited.push({ path: file.path, content, kind: "yaml" });
        originals[file.path] = file.content;
      }
    }
    const outputs = [...edited];
    if (sarifPath) outputs.push({ path: sarifPath, content: toSarif(findings), kind: "json" });

    const counts = { error: 0, warning: 0, note: 0 };
    for (const f of findings) counts[f.severity] += 1;
    const fixable = findings.filter((f) => f.fixable).length;
    let budget = MAX_FINDINGS_BYTES;
    const shown = [...findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]).slice(0, MAX_FINDINGS_IN_RESULT)
      .filter((f) => (budget -= JSON.stringify(f).length) >= 0)
      .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
    if (shown.length < findings.length) {
      warnings.push(`showing ${shown.length} of ${findings.length} findings (errors first); ${sarifPath ? `all are in ${sarifPath}` : "pass sarif (--sarif <file>) to get all of them"}`);
    }
    const nextSteps: string[] = [];
    if (!input.fix && fixable > 0) nextSteps.push(`${fixable} finding(s) can be fixed in place: re-run with fix (--fix), with dryRun first to see the diffs`);
    if (findings.some((f) => f.rule === "GHA001" && !f.fixable)) nextSteps.push("actions outside the pinned table: pin them to the commit of the tag you use (e.g. `pinact run` or `ratchet pin`), then re-run the audit");
    if (counts.error > 0) nextSteps.push("review the error findings first: they are exploitable or leak credentials");
    if (sarifPath) nextSteps.push(`upload ${sarifPath} with github/codeql-action/upload-sarif to see the findings in code scanning`);

    const result = await validateAndWrite({
      tool: "devops-auditor", root, files: outputs, dryRun: input.dryRun, force: input.force,
      warnings, nextSteps, userFiles: originals, progress: context.progress,
      details: {
        audited: files.length,
        scopes: [...scopes],
        counts: { ...counts, fixable },
        ...(input.fix ? { fixed: fixedCounts } : {}),
      },
    });
    return { ...result, validations: [...validations, ...result.validations], findings: shown };
  },
});
