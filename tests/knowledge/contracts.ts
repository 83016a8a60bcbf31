// The tool contracts the knowledge layer is checked against: the live input schemas of the shipped bundle
// (listTools() of mcp-server/dist/mcp-tools.js, copied away from node_modules the way a user gets it), the
// server's own input parser (callTool on a path that does not exist: the input is parsed with every refinement,
// then the run stops at "target path … does not exist" before anything is read or written), and the shipped
// CLI's --help. The audit tool is built on another branch; until the bundle lists it, its examples are
// checked against the contract it was specified with (auditContract below).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { isAbsolute, join, dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { CLI_BUNDLE, SERVER_BUNDLE } from "../integration/support.ts";

export const AUDIT_TOOL = "devops-auditor";
export const AUDIT_SCOPES = ["github-actions", "gitlab-ci", "jenkins", "circleci", "docker", "kubernetes", "terraform"] as const;

/** The input contract of the audit tool as specified (issue 13), used until the bundle ships the tool. */
export const auditContract = z
  .object({
    path: z.string().min(1).default("."),
    dryRun: z.boolean().default(false),
    force: z.boolean().default(false),
    fix: z.boolean().default(false),
    sarif: z
      .string()
      .min(1)
      .refine((p) => !isAbsolute(p) && !p.split(/[\\/]/).includes(".."), "sarif must be a relative path inside the repository")
      .optional(),
    scope: z.array(z.enum(AUDIT_SCOPES)).min(1).optional(),
  })
  .strict();
/** CLI flags of the audit contract: `senior-devops audit <path> [--fix] [--sarif <file>]` plus the common ones. */
export const AUDIT_CLI_FLAGS = ["--fix", "--sarif", "--scope", "--dry-run", "--force", "--json", "--quiet", "-q"];

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  default?: unknown;
  enum?: unknown[];
  [k: string]: unknown;
}

export interface LiveTool {
  name: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
}

interface ToolsModule {
  listTools(): LiveTool[];
  callTool(
    name: string,
    args: Record<string, unknown>,
    context: { progress: (m: string) => void },
  ): Promise<{ isError?: boolean; content: { type: string; text?: string }[] }>;
}

const toolsModule = (await import(pathToFileURL(join(dirname(SERVER_BUNDLE), "mcp-tools.js")).href)) as ToolsModule;
export const liveTools: LiveTool[] = toolsModule.listTools();
export const liveToolNames = liveTools.map((t) => t.name);
export const auditIsLive = liveToolNames.includes(AUDIT_TOOL);

/** Every tool the knowledge may name: the live ones plus the audit contract while it is not in the build. */
export const knownTools: string[] = auditIsLive ? liveToolNames : [...liveToolNames, AUDIT_TOOL];

const auditJsonSchema = z.toJSONSchema(auditContract, { io: "input" }) as JsonSchema;

export function inputSchema(tool: string): JsonSchema | undefined {
  const live = liveTools.find((t) => t.name === tool);
  if (live) return live.inputSchema;
  return tool === AUDIT_TOOL ? auditJsonSchema : undefined;
}

export function inputKeys(tool: string): string[] {
  return Object.keys(inputSchema(tool)?.properties ?? {});
}

/** Every property name anywhere in the result (output) schema, for prose that names result fields. */
export const resultKeys: Set<string> = (() => {
  const keys = new Set<string>();
  const walk = (s: unknown): void => {
    if (Array.isArray(s)) return s.forEach(walk);
    if (s === null || typeof s !== "object") return;
    const o = s as Record<string, unknown>;
    if (o.properties && typeof o.properties === "object") for (const k of Object.keys(o.properties)) keys.add(k);
    for (const v of Object.values(o)) walk(v);
  };
  for (const t of liveTools) walk(t.outputSchema);
  return keys;
})();

/** A directory that does not exist: the server parses the input, then stops before touching any file. */
export const NO_SUCH_ROOT = join(dirname(SERVER_BUNDLE), "..", "..", "no-such-repository-for-argument-checks");
if (existsSync(NO_SUCH_ROOT)) throw new Error(`${NO_SUCH_ROOT} must not exist`);

/** Minimal arguments a tool needs besides the one under test. */
const BASE: Record<string, Record<string, unknown>> = { "terraform-scaffolder": { provider: "aws" } };

/**
 * Does the server accept these arguments? Returns undefined when it does, else the server's message.
 * Uses the engine's real parser (with its refinements, e.g. canary weights ending at 100).
 */
export async function rejection(tool: string, args: Record<string, unknown>): Promise<string | undefined> {
  const full = { ...BASE[tool], ...args, path: NO_SUCH_ROOT };
  if (tool === AUDIT_TOOL && !auditIsLive) {
    const r = auditContract.safeParse(full);
    return r.success ? undefined : `invalid input for ${tool} (contract, tool not in this build): ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
  }
  const r = await toolsModule.callTool(tool, full, { progress: () => undefined });
  const text = r.content.map((c) => c.text ?? "").join("\n");
  // The adapter reports a failed input parse (schema and refinements) as "invalid input for <tool>"; anything
  // after that (the missing path, a combination the run refuses) means the arguments themselves were accepted.
  if (r.isError && /^(invalid input for|unknown tool)/.test(text)) return text.split("\n").slice(0, 3).join(" ");
  return undefined;
}

const helpCache = new Map<string, string | undefined>();
/** `senior-devops <command> --help` of the shipped CLI, or undefined when the command does not exist. */
export function cliHelp(command: string): string | undefined {
  if (!helpCache.has(command)) {
    const r = spawnSync(process.execPath, [CLI_BUNDLE, command, "--help"], { encoding: "utf8", timeout: 60_000 });
    const out = `${r.stdout}${r.stderr}`;
    helpCache.set(command, r.status === 0 && out.includes(`senior-devops ${command}`) ? out : undefined);
  }
  return helpCache.get(command);
}

/** Runs a concrete CLI example with its path replaced by NO_SUCH_ROOT; undefined when the CLI accepted it. */
export function cliRejection(command: string, rest: string[]): string | undefined {
  const r = spawnSync(process.execPath, [CLI_BUNDLE, command, NO_SUCH_ROOT, ...rest], { encoding: "utf8", timeout: 60_000 });
  const out = `${r.stdout}${r.stderr}`;
  // commander's option errors ("error: unknown option", "argument missing") and the engine's input parse
  // ("<command>: invalid input") are rejections; the missing path afterwards means the options were accepted
  if (/does not exist/.test(out) && !/invalid input|^error:/m.test(out)) return undefined;
  return `exit ${r.status}: ${out.trim().split("\n").slice(0, 2).join(" ")}`;
}

export { CLI_BUNDLE };
