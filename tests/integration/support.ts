import { cpSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "../helpers.ts";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/**
 * The bundle as a user gets it: mcp-server/dist and templates/ copied to a directory with no node_modules
 * anywhere above it, so a dependency that did not make it into the bundle fails here instead of in the field.
 */
function shippedCopy(): string {
  const dir = tempDir("sd-shipped-");
  for (const entry of ["mcp-server/dist", "templates", "package.json"]) cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
  return dir;
}
const SHIPPED = shippedCopy();
export const SERVER_BUNDLE = join(SHIPPED, "mcp-server", "dist", "server.js");
export const CLI_BUNDLE = join(SHIPPED, "mcp-server", "dist", "cli.js");
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
