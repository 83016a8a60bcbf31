import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CLI_BUNDLE, FIXTURES, copyFixture } from "../integration/support.ts";

/**
 * Every GitHub workflow the shipped bundle writes for the JS and monorepo fixtures, with every stage (workspace jobs,
 * image jobs, signing jobs, digest deploys), passes the current actionlint (native build, shellcheck included when
 * installed) and zizmor offline at its default persona with no findings. The tools come from .ci/tools; in CI a
 * missing tool fails the test.
 */

function tool(name: string): boolean {
  const ok = spawnSync(name, ["--version"], { encoding: "utf8" }).status === 0;
  if (!ok && process.env.CI) assert.fail(`${name} is required in CI (.ci/tools/${name}.sh installs it)`);
  return ok;
}

const fixtures = readdirSync(FIXTURES).filter((f) => /^(monorepo-|node-|awkward-)/.test(f)).sort();

test("actionlint (current) and zizmor --offline accept every generated workflow with signing and deploy jobs", (t) => {
  const actionlint = tool("actionlint");
  const zizmor = tool("zizmor");
  if (!actionlint && !zizmor) return t.skip("actionlint and zizmor are not installed (outside CI)");
  assert.ok(fixtures.length >= 6);
  for (const fixture of fixtures) {
    const dir = copyFixture(fixture);
    const gen = spawnSync(process.execPath, [CLI_BUNDLE, "pipeline", dir, "--platform", "github-actions", "--stages", "lint,test,build,security,docker,deploy"], { encoding: "utf8" });
    assert.equal(gen.status, 0, `${fixture}: ${gen.stderr}`);
    const wf = join(".github", "workflows", "ci.yml");
    if (actionlint) {
      const r = spawnSync("actionlint", ["-no-color", wf], { cwd: dir, encoding: "utf8" });
      assert.equal(r.status, 0, `${fixture}: actionlint\n${r.stdout}${r.stderr}`);
    }
    if (zizmor) {
      const r = spawnSync("zizmor", ["--offline", "--no-progress", "--format", "plain", wf], { cwd: dir, encoding: "utf8" });
      assert.equal(r.status, 0, `${fixture}: zizmor\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /No findings to report/, `${fixture}: zizmor\n${r.stdout}`);
    }
  }
});
