import { z } from "zod";
import { assertWritableRoot } from "./root-guard.ts";
import { compactResult } from "./summary.ts";
import type { RunContext, ToolName, ToolResult } from "./types.ts";

/** How one CLI flag maps onto one input field. The CLI adapter turns these into commander options. */
export interface CliOption {
  /** commander flag spec, e.g. "--platform <platform>" or "--dry-run". */
  flags: string;
  /** Input field it sets. */
  key: string;
  description: string;
  /** "list": comma-separated → string[]; "int": integer; "bool": presence flag; default: string. */
  type?: "list" | "int" | "bool";
}

export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/**
 * One engine capability. The MCP tool and the CLI subcommand are generated from this object; neither adds
 * behaviour of its own.
 */
export interface Capability<Shape extends z.ZodRawShape = z.ZodRawShape> {
  tool: ToolName;
  title: string;
  /** For MCP clients and `--help`: what it does, what it writes. */
  description: string;
  inputShape: Shape;
  annotations: ToolAnnotations;
  cli: { command: string; summary: string; options: CliOption[] };
  run(input: z.infer<z.ZodObject<Shape>>, context: RunContext): Promise<ToolResult>;
}

/** Options every capability takes. */
export const commonInput = {
  path: z.string().min(1).default(".").describe("Repository root"),
  dryRun: z.boolean().default(false).describe("Plan and validate; write nothing"),
  force: z.boolean().default(false).describe("Overwrite files the user changed"),
  diffs: z.array(z.string().min(1).max(500)).max(500).optional().describe('Full diffs to include ("*": all)'),
  allowAnyRoot: z.boolean().optional().describe("Allow /, ~ or a non-project dir"),
};

/** How much of its result a tool call returns (the capability's own run ignores it). */
export type ResultShape = { diffs?: string[]; allowAnyRoot?: boolean; path?: string };

/**
 * Runs a capability for an adapter: `full` is everything the engine found (the CLI shows it to people),
 * `result` is what a tool call returns and `--json` prints (compact unless `diffs: ["*"]`).
 */
export async function runCapability(capability: Capability, input: Record<string, unknown>, context: RunContext): Promise<{ full: ToolResult; result: ToolResult }> {
  const shape = input as ResultShape;
  // Writing tools refuse /, home and system directories and non-project roots unless the user insists.
  if (!capability.annotations.readOnlyHint && typeof shape.path === "string") assertWritableRoot(shape.path, shape.allowAnyRoot === true);
  const full = await capability.run(input as never, context);
  // "*" keeps everything and adds each file's +/- line counts, which the CLI shows people too.
  return { full: compactResult(full, ["*"]), result: compactResult(full, shape.diffs ?? []) };
}

export const commonCliOptions: CliOption[] = [
  { flags: "--dry-run", key: "dryRun", type: "bool", description: "plan and validate only; print diffs; write nothing" },
  { flags: "--force", key: "force", type: "bool", description: "overwrite files you have changed (shows the diff first in --dry-run)" },
  { flags: "--allow-any-root", key: "allowAnyRoot", type: "bool", description: "write even into /, a home directory or a directory with no project in it" },
  { flags: "--diffs <paths>", key: "diffs", type: "list", description: "with --json: files whose full diff to include, comma-separated ('*': every diff and validation)" },
];

export function defineCapability<Shape extends z.ZodRawShape>(capability: Capability<Shape>): Capability<Shape> {
  return capability;
}
