import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../helpers.ts";
import { FIXTURES, generateShipped } from "../shipped.ts";

// Current actionlint (built from the Go module proxy) and zizmor (PyPI, offline, default persona) on every GitHub
// workflow the shipped bundle generates: both must report nothing. In CI a missing tool fails the test.
const ALL = ["lint", "test", "build", "security", "docker", "deploy"];
const has = (tool: string) => spawnSync(tool, ["--version"], { encoding: "utf8" }).status === 0;

for (const tool of ["actionlint", "zizmor"]) {
  test(`${tool} is installed (.ci/tools/${tool}.sh)`, (t) => {
    if (!has(tool)) {
      if (process.env.CI) assert.fail(`${tool} missing: run .ci/install-tools`);
      t.skip(`${tool} not installed; run .ci/install-tools`);
    }
  });
}

test("actionlint and zizmor find nothing in any generated workflow (every fixture, every stage, cloud deploys too)", async (t) => {
  if (!has("actionlint") || !has("zizmor")) {
    if (process.env.CI) assert.fail("actionlint/zizmor missing: run .ci/install-tools");
    return t.skip("actionlint/zizmor not installed");
  }
  const cloud = { cloud: "aws", cluster: "prod-eks", region: "eu-west-1" };
  let checked = 0;
  for (const fixture of readdirSync(FIXTURES).sort()) {
    if (fixture === "empty-repo") continue;
    // Deploy jobs do not depend on the ecosystem: the cloud variant once, on one fixture.
    for (const extra of fixture === "node-npm" ? [{}, cloud] : [{}]) {
      const dir = tempDir(`sd-wflint-${fixture}-`);
      cpSync(join(FIXTURES, fixture), dir, { recursive: true });
      const { written } = await generateShipped(dir, { platform: "github-actions", stages: ALL, ...extra });
      const workflows = written.filter((f) => f.path.startsWith(".github/workflows/")).map((f) => f.path);
      assert.ok(workflows.length > 0, fixture);
      const al = spawnSync("actionlint", ["-no-color", ...workflows], { cwd: dir, encoding: "utf8" });
      assert.equal(al.status, 0, `${fixture} ${JSON.stringify(extra)} actionlint:\n${al.stdout}${al.stderr}`);
      const zz = spawnSync("zizmor", ["--offline", "--no-progress", "--format", "plain", ...workflows], { cwd: dir, encoding: "utf8" });
      assert.equal(zz.status, 0, `${fixture} ${JSON.stringify(extra)} zizmor:\n${zz.stdout}${zz.stderr}`);
      checked += workflows.length;
    }
  }
  assert.ok(checked > 20, `only ${checked} workflows checked`);
});
