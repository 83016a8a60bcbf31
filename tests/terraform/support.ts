import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TestContext } from "node:test";
import type { GeneratedFile } from "../../mcp-server/src/engine/core/types.ts";

/** The terraform binary, when there is one; CI (CI=true) must have it, so there its absence is a failure. */
export function terraformBinary(): string | undefined {
  const probe = spawnSync("terraform", ["version", "-json"], { encoding: "utf8", timeout: 30_000 });
  if (probe.status === 0) return "terraform";
  if (process.env.CI === "true") throw new Error("terraform is not on PATH, and CI=true requires it for the fmt checks");
  return undefined;
}

export function loudSkip(t: TestContext, reason: string): void {
  console.warn(`\n*** SKIPPED: ${t.name}: ${reason} ***\n`);
  t.skip(reason);
}

/** Writes generated files under `root` exactly as the writer would place them. */
export function writeTree(root: string, files: GeneratedFile[]): void {
  for (const file of files) {
    const target = join(root, ...file.path.split("/"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
}

/** `terraform fmt -check -recursive` on a directory: the files it would rewrite (empty when all are canonical). */
export function fmtCheck(terraform: string, dir: string): string[] {
  try {
    execFileSync(terraform, ["fmt", "-check", "-recursive", "-list=true", "-no-color", dir], { encoding: "utf8", stdio: "pipe" });
    return [];
  } catch (error) {
    const out = String((error as { stdout?: string }).stdout ?? "");
    const listed = out.split("\n").filter(Boolean);
    return listed.length > 0 ? listed : [String((error as { stderr?: string }).stderr ?? error)];
  }
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export async function parseHcl(file: GeneratedFile): Promise<JsonObject> {
  const { parse } = await import("@cdktf/hcl2json");
  return (await parse(file.path.split("/").pop()!, file.content)) as JsonObject;
}

/** All `resource` blocks of a parsed file as [type, name, body]. */
export function resources(json: JsonObject): [string, string, JsonObject][] {
  const out: [string, string, JsonObject][] = [];
  const byType = (json.resource ?? {}) as Record<string, Record<string, JsonObject[]>>;
  for (const [type, named] of Object.entries(byType)) {
    for (const [name, bodies] of Object.entries(named)) out.push([type, name, bodies[0]!]);
  }
  return out;
}
