// The shipped bundle as tests use it: mcp-server/dist + templates copied once per test process to a directory with
// no node_modules above it (as `/plugin install` leaves it), and its tools called through the bundle's own
// `callTool` (dist/mcp-tools.js). Generation tests go through here, never through the TypeScript sources, so a
// bundling bug (a lazily imported CommonJS export, a missing wasm file) fails a test instead of a user.
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
export const FIXTURES = join(REPO, "tests", "fixtures");

let shipped: string | undefined;
/** Root of the shipped copy (created on first use, removed when the process exits). */
export function shippedRoot(): string {
  if (!shipped) {
    const dir = mkdtempSync(join(tmpdir(), "sd-shipped-"));
    for (const entry of ["mcp-server/dist", "templates", "package.json"]) cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    shipped = dir;
  }
  return shipped;
}

type CallTool = (name: string, args: Record<string, unknown>, context: { progress: (m: string) => void }) => Promise<{ isError?: boolean; structuredContent?: Record<string, unknown>; content: { text?: string }[] }>;
let tools: Promise<{ callTool: CallTool }> | undefined;

export interface ShippedResult {
  files: { path: string; action: string; bytes?: number; diff?: string }[];
  validations: { path: string; validator: string; ok: boolean; messages: string[] }[];
  warnings: string[];
  nextSteps: string[];
  analysis?: { projects: Record<string, unknown>[] } & Record<string, unknown>;
  [k: string]: unknown;
}

/** Calls a tool of the shipped bundle; an isError result throws with its text (so tests see the message). */
export async function callShipped(name: string, args: Record<string, unknown>): Promise<ShippedResult> {
  tools ??= import(pathToFileURL(join(shippedRoot(), "mcp-server", "dist", "mcp-tools.js")).href) as Promise<{ callTool: CallTool }>;
  const { callTool } = await tools;
  const r = await callTool(name, args, { progress: () => undefined });
  if (r.isError || !r.structuredContent) throw new ShippedError(r.content.map((c) => c.text ?? "").join("\n"));
  return r.structuredContent as ShippedResult;
}

export class ShippedError extends Error {}

/**
 * Generates a pipeline with the shipped bundle into `dir` (a private copy of a project) and returns the result with
 * the content of every file it wrote.
 */
export async function generateShipped(dir: string, args: Record<string, unknown>): Promise<ShippedResult & { written: { path: string; content: string }[] }> {
  const result = await callShipped("pipeline-generator", { path: dir, ...args });
  const written = result.files.filter((f) => f.action === "create" || f.action === "update" || f.action === "unchanged").map((f) => ({ path: f.path, content: readFileSync(join(dir, f.path), "utf8") }));
  return { ...result, written };
}
