import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { describe, it } from "node:test";
import { VERSION } from "../../mcp-server/src/version.ts";
import { REPO } from "./support.ts";

describe("the committed bundle", () => {
  it("is exactly a fresh build of the sources", () => {
    const run = spawnSync(process.execPath, [join(REPO, "mcp-server/build.mjs"), "--check"], { cwd: REPO, encoding: "utf8", timeout: 300_000 });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  });

  it("imports only node built-ins and its own files", () => {
    const dist = join(REPO, "mcp-server/dist");
    const files = readdirSync(dist, { recursive: true }).map(String).filter((f) => f.endsWith(".js"));
    assert.ok(files.includes("server.js") && files.includes("cli.js") && files.includes("mcp-tools.js"));
    const statement = /\bfrom\s*"([^"]+)"|\bimport\s*\(\s*"([^"]+)"\s*\)|\bimport\s*"([^"]+)"/g;
    for (const file of files) {
      const text = readFileSync(join(dist, file), "utf8");
      for (const match of text.matchAll(statement)) {
        const specifier = match[1] ?? match[2] ?? match[3]!;
        if (!/^[@\w.][\w@./:-]*$/.test(specifier)) continue; // text inside a string literal, not a module
        const ok = specifier.startsWith("node:") || builtinModules.includes(specifier) || specifier.startsWith("./") || specifier.startsWith("../");
        assert.ok(ok, `${file} imports ${specifier}`);
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
