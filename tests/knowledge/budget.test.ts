// The always-on cost of the plugin (names + descriptions of skills, commands
// and agents) as `claude plugin details` projects it stays within budget, and
// `claude plugin validate --strict` is clean for both the marketplace and the
// plugin manifest (the latter is what checks skills, commands and agents).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { repoRoot } from "./markdown.ts";

const claude = path.join(repoRoot, "node_modules", ".bin", "claude");

test("always-on token cost is at most 1,500", () => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, "bench", "token-budget.mjs")], {
    encoding: "utf8",
    timeout: 300_000,
  });
  const out = `${r.stdout}${r.stderr}`;
  const m = /always-on tokens: (\d+)/.exec(out);
  assert.ok(m, `bench/token-budget.mjs printed no figure (exit ${r.status}):\n${out}`);
  const tokens = Number(m[1]);
  console.log(`always-on tokens: ${tokens} / 1500`);
  assert.ok(tokens > 0, "a plugin with skills cannot cost zero tokens");
  assert.ok(tokens <= 1500, `always-on cost ${tokens} exceeds 1500`);
  assert.equal(r.status, 0, out);
});

for (const target of [".", path.join(".claude-plugin", "plugin.json")]) {
  test(`claude plugin validate --strict ${target} is clean`, () => {
    const r = spawnSync(claude, ["plugin", "validate", "--strict", target], {
      cwd: repoRoot,
      encoding: "utf8",
      timeout: 120_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 0, out);
    assert.match(out, /Validation passed/);
    assert.doesNotMatch(out, /warning/i, out);
  });
}
