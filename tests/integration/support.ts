import { cpSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
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

/** A private copy of a fixture project (from tests/fixtures unless `from` says otherwise), so a test may write into it. */
export function copyFixture(name: string, from = FIXTURES): string {
  const dir = tempDir(`sd-${name}-`);
  cpSync(join(from, name), dir, { recursive: true });
  return dir;
}

/** Every file under dir, relative, sorted (for "nothing was written" assertions). */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

/**
 * A real SDK client connected over stdio to the shipped MCP server, as Claude Code connects, for the enclosing
 * describe block: started before its tests, closed after them. Call the returned function inside a test.
 */
export function useShippedServer(name: string): () => Client {
  let client: Client | undefined;
  before(async () => {
    client = new Client({ name, version: "1.0.0" });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [SERVER_BUNDLE], cwd: REPO, stderr: "pipe" }));
  });
  after(async () => {
    await client?.close();
  });
  return () => {
    if (!client) throw new Error("the shipped server is not connected yet");
    return client;
  };
}
