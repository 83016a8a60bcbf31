import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeRepository } from "../../mcp-server/src/engine/analyze/index.ts";
import { generateTree, writeBulk } from "../../bench/analyze/tree.ts";

// Counts only, never times: adding 20,000 files inside node_modules, .git and build output must not change
// what the analyzer visits or reads, nor what it finds.
test("files visited do not grow with node_modules, .git and build output", async () => {
  const base = mkdtempSync(join(tmpdir(), "sd-analyze-scaling-"));
  const root = join(base, "repo");
  try {
    generateTree(root, { projects: 8, nodeModulesFiles: 0, gitFiles: 0, buildFiles: 0, sourceFiles: 200 });
    const before = await analyzeRepository(root);
    assert.ok(before.projects.length >= 8);
    const added = writeBulk(root, { nodeModulesFiles: 12_000, gitFiles: 4_000, buildFiles: 4_000 }, "b");
    assert.equal(added, 20_000);
    const after = await analyzeRepository(root);
    assert.equal(after.stats.filesVisited, before.stats.filesVisited);
    assert.equal(after.stats.directoriesVisited, before.stats.directoriesVisited);
    assert.equal(after.stats.filesRead, before.stats.filesRead);
    assert.deepEqual(after.projects, before.projects);
    assert.deepEqual(after.services, before.services);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
