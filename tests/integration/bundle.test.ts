import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { VERSION } from "../../mcp-server/src/version.ts";
import { REPO } from "./support.ts";

describe("the committed bundle", () => {
  it("is exactly a fresh build of the sources", () => {
    const run = spawnSync(process.execPath, [join(REPO, "mcp-server/build.mjs"), "--check"], { cwd: REPO, encoding: "utf8", timeout: 300_000 });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  });

  it("runs with no node_modules: imports only node built-ins and its own chunks", () => {
    const dist = join(REPO, "mcp-server/dist");
    const files = ["server.js", "cli.js", ...(spawnSync("ls", [join(dist, "chunks")], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).map((f) => `chunks/${f}`))];
    for (const file of files.filter((f) => f.endsWith(".js"))) {
      const text = readFileSync(join(dist, file), "utf8");
      const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)"([^"]+)"/g)].map((m) => m[1]!);
      for (const specifier of specifiers) {
        assert.ok(specifier.startsWith("node:") || specifier.startsWith("./") || specifier.startsWith("../"), `${file} imports ${specifier}`);
      }
    }
  });

  it("versions agree across package.json, plugin.json, marketplace.json and the server", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    const plugin = JSON.parse(readFileSync(join(REPO, ".claude-plugin/plugin.json"), "utf8"));
    const market = JSON.parse(readFileSync(join(REPO, ".claude-plugin/marketplace.json"), "utf8"));
    assert.equal(plugin.version, pkg.version);
    assert.equal(market.plugins[0].version, pkg.version);
    assert.equal(VERSION, pkg.version);
  });
});
