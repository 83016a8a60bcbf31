// Prints the size of tools/list and of every tool result on realistic calls, through the SDK client over stdio
// against the built bundle, and their ratio to the limits Claude Code imposes (a result is cut at 25,000 tokens;
// the project's budgets: 40 KB per result, aim 10 KB; tools/list 12 KB).
//   node --import tsx bench/result-sizes.mjs
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { SCENARIOS } from "../tests/integration/result-scenarios.ts";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const work = mkdtempSync(join(tmpdir(), "sd-bench-sizes-"));
try {
  const client = new Client({ name: "senior-devops-bench", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [join(repo, "mcp-server/dist/server.js")], stderr: "ignore" }));
  const { tools } = await client.listTools();
  const listBytes = Buffer.byteLength(JSON.stringify({ tools }));
  console.log(`tools/list: ${listBytes} bytes (${(listBytes / 12_288).toFixed(2)} of the 12 KB budget)`);
  for (const scenario of SCENARIOS) {
    const root = scenario.prepare(work);
    const result = await client.callTool({ name: scenario.tool, arguments: { ...scenario.arguments, path: root } }, undefined, { timeout: 600_000 });
    const bytes = Buffer.byteLength(JSON.stringify(result));
    console.log(`${scenario.name}: ${bytes} bytes (${(bytes / 40_960).toFixed(2)} of 40 KB, ${(bytes / 10_240).toFixed(2)} of the 10 KB aim)${result.isError ? " ERROR" : ""}`);
  }
  await client.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}
