import { z } from "zod";
import { analysisSchema } from "../analyze/types.ts";

/**
 * What a file is, which decides the validators the writer runs on it before anything is written.
 * See validate/index.ts for the kind → validators table.
 */
export const FILE_KINDS = [
  "github-workflow", "github-dependabot", "gitlab-ci", "circleci", "jenkinsfile",
  "yaml", "kubernetes", "kustomization", "dockerfile", "dockerignore",
  "terraform", "tfvars", "markdown", "json", "text", "shell", "helm-template",
] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/** One file a generator wants in the user's repository. Paths are relative to the target root, forward slashes. */
export interface GeneratedFile {
  path: string;
  content: string;
  kind: FileKind;
  /** Terraform files of one directory are validated together (references resolve across files); others alone. */
  group?: string;
}

export const FILE_ACTIONS = ["create", "update", "unchanged", "conflict", "skip"] as const;
export type FileAction = (typeof FILE_ACTIONS)[number];

export const fileResultSchema = z.object({
  path: z.string(),
  action: z.enum(FILE_ACTIONS),
  bytes: z.number().int(),
  diff: z.string().optional(),
  /** Lines added / removed by this change (from its diff), so a compact result still says how big each change is. */
  added: z.number().int().optional(),
  removed: z.number().int().optional(),
  reason: z.string().optional(),
});
export type FileResult = z.infer<typeof fileResultSchema>;

export const validationSchema = z.object({
  path: z.string(),
  validator: z.string(),
  ok: z.boolean(),
  /** True when the validator could not run here (missing binary); `messages` says why. Never counted as a pass. */
  skipped: z.boolean().optional(),
  messages: z.array(z.string()),
});
export type Validation = z.infer<typeof validationSchema>;

export const TOOL_NAMES = ["analyze-project", "pipeline-generator", "terraform-scaffolder", "deployment-manager", "devops-auditor"] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export const toolResultSchema = z.object({
  tool: z.enum(TOOL_NAMES),
  root: z.string(),
  dryRun: z.boolean(),
  /** "ok": done (or would be done, in a dry run); "conflict": user files differ and nothing was written;
   *  "invalid": a generated file failed validation and nothing was written; "failed": an action (e.g. apply) failed. */
  status: z.enum(["ok", "conflict", "invalid", "failed"]),
  analysis: analysisSchema.optional(),
  files: z.array(fileResultSchema),
  validations: z.array(validationSchema),
  warnings: z.array(z.string()),
  nextSteps: z.array(z.string()),
  /** devops-auditor: what it found, with file:line and the fix (see audit/model.ts). */
  findings: z.array(z.object({
    rule: z.string(), severity: z.enum(["error", "warning", "note"]), file: z.string(), line: z.number().int(), column: z.number().int(),
    message: z.string(), fix: z.string(), fixable: z.boolean().optional(),
  })).optional(),
  /** Capability-specific data (e.g. the rollout plan of deployment-manager). */
  details: z.record(z.string(), z.unknown()).optional(),
  /** What a compact result (the default for MCP and `--json`) left out, and how to ask for it: passing
   *  validations are counted per validator instead of listed; diffs are replaced by `added`/`removed` unless asked for. */
  omitted: z
    .object({
      passedValidations: z.record(z.string(), z.number().int()),
      diffs: z.number().int(),
      howToGet: z.string(),
    })
    .optional(),
});
export type ToolResult = z.infer<typeof toolResultSchema>;

/** Bad input: the adapters map it to exit code 2 (CLI) or an isError tool result (MCP). Nothing is written. */
export class InputError extends Error {
  override name = "InputError";
}

/** Progress reporting shared by CLI (stderr) and MCP (progress notifications). */
export type Progress = (message: string) => void;

export interface RunContext {
  progress: Progress;
  /** Templates directory; defaults to the one shipped next to the bundle. */
  templatesDir?: string;
  signal?: AbortSignal;
}
