// MCP cold start: time from spawning `node mcp-server/dist/server.js` until its answer to `initialize`,
// as a ratio to spawning a bare `node -e 0` to exit, both measured in this same run (medians of N runs).
//   node bench/cold-start.mjs [runs]
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const server = join(root, "mcp-server", "dist", "server.js");
const runs = Number(process.argv[2] ?? 21);

const initialize = `${JSON.stringify({
  jsonrpc: "2.0", id: 1, method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "0" } },
})}\n`;

function bareNode() {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", () => resolve(Number(process.hrtime.bigint() - start) / 1e6));
  });
}

function serverInitialize() {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [server], { stdio: ["pipe", "pipe", "inherit"] });
    let buffer = "";
    child.on("error", reject);
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      if (buffer.includes('"id":1')) {
        const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
        child.kill();
        resolve(elapsed);
      }
    });
    child.stdin.write(initialize);
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const baseline = [];
const measured = [];
// Interleave so both see the same machine conditions.
for (let i = 0; i < runs; i++) {
  baseline.push(await bareNode());
  measured.push(await serverInitialize());
}
const b = median(baseline);
const m = median(measured);
console.log(`node -e 0 (spawn → exit):              median ${b.toFixed(1)} ms over ${runs} runs`);
console.log(`MCP server (spawn → initialize answer): median ${m.toFixed(1)} ms over ${runs} runs`);
console.log(`cold-start ratio: ${(m / b).toFixed(2)}x (target <= 2.00x)`);
