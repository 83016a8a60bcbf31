import { z } from "zod";
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
  path: z.string().min(1).default(".").describe("Repository root to analyse / write into"),
  dryRun: z.boolean().default(false).describe("Plan and validate only; return diffs; write nothing"),
  force: z.boolean().default(false).describe("Overwrite files that differ from what would be generated (never implied)"),
};

export const commonCliOptions: CliOption[] = [
  { flags: "--dry-run", key: "dryRun", type: "bool", description: "plan and validate only; print diffs; write nothing" },
  { flags: "--force", key: "force", type: "bool", description: "overwrite files you have changed (shows the diff first in --dry-run)" },
];

export function defineCapability<Shape extends z.ZodRawShape>(capability: Capability<Shape>): Capability<Shape> {
  return capability;
}
