import { cpSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "../helpers.ts";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SERVER_BUNDLE = join(REPO, "mcp-server", "dist", "server.js");
export const CLI_BUNDLE = join(REPO, "mcp-server", "dist", "cli.js");
export const FIXTURES = join(REPO, "tests", "fixtures");

/** A private copy of a fixture project, so a test may write into it. */
export function copyFixture(name: string): string {
  const dir = tempDir(`sd-${name}-`);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

/** Every file under dir, relative, sorted (for "nothing was written" assertions). */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}
