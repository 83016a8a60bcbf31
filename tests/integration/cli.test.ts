import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { toolResultSchema } from "../../mcp-server/src/engine/core/types.ts";
import { CLI_BUNDLE, copyFixture, listFiles, REPO } from "./support.ts";

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI_BUNDLE, ...args], { cwd: REPO, encoding: "utf8", timeout: 120_000 });

describe("CLI (bundle)", () => {
  it("--version prints the package version; --help lists the four subcommands", () => {
    const version = cli("--version");
    assert.equal(version.status, 0);
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version);
    const help = cli("--help");
    assert.equal(help.status, 0);
    for (const command of ["analyze", "pipeline", "terraform", "deploy"]) assert.match(help.stdout, new RegExp(`\\b${command}\\b`));
    const pipelineHelp = cli("pipeline", "--help");
    for (const flag of ["--platform", "--stages", "--json", "--dry-run", "--force"]) assert.match(pipelineHelp.stdout, new RegExp(flag));
  });

  it("--json prints exactly the structured result on stdout, progress on stderr", () => {
    const root = copyFixture("node-npm");
    const run = cli("pipeline", root, "--platform", "github-actions", "--stages", "lint,test,build", "--json", "--dry-run");
    assert.equal(run.status, 0, run.stderr);
    const result = toolResultSchema.parse(JSON.parse(run.stdout));
    assert.equal(result.tool, "pipeline-generator");
    assert.equal(result.dryRun, true);
    assert.match(run.stderr, /validating/);
    assert.deepEqual(listFiles(root).filter((f) => f.startsWith(".github")), [], "dry run wrote nothing");
  });

  it("bad input exits 2 with the valid values and writes nothing", () => {
    const root = copyFixture("node-npm");
    const before = listFiles(root);
    const badPlatform = cli("pipeline", root, "--platform", "travis");
    assert.equal(badPlatform.status, 2);
    assert.match(badPlatform.stderr, /github-actions/);
    assert.match(badPlatform.stderr, /circleci/);
    const badStage = cli("pipeline", root, "--platform", "gitlab-ci", "--stages", "lint,fuzz");
    assert.equal(badStage.status, 2);
    assert.match(badStage.stderr, /security/);
    const badProvider = cli("terraform", root, "--provider", "digitalocean");
    assert.equal(badProvider.status, 2);
    assert.match(badProvider.stderr, /aws/);
    const badStrategy = cli("deploy", root, "--strategy", "yolo", "--image", "x:1");
    assert.equal(badStrategy.status, 2);
    assert.match(badStrategy.stderr, /blue-green/);
    const unknownFlag = cli("pipeline", root, "--platfrom", "gitlab-ci");
    assert.equal(unknownFlag.status, 2);
    const missingDir = cli("analyze", join(root, "does-not-exist"));
    assert.equal(missingDir.status, 2);
    assert.deepEqual(listFiles(root), before);
  });

  it("writes, re-runs to 'unchanged', and exits 1 on a conflict that --force resolves", () => {
    const root = copyFixture("node-npm");
    const first = cli("pipeline", root, "--platform", "circleci", "--json");
    assert.equal(first.status, 0, first.stderr);
    const second = toolResultSchema.parse(JSON.parse(cli("pipeline", root, "--platform", "circleci", "--json").stdout));
    assert.ok(second.files.every((f) => f.action === "unchanged"));
    const config = join(root, ".circleci/config.yml");
    writeFileSync(config, `${readFileSync(config, "utf8")}# mine\n`);
    const conflict = cli("pipeline", root, "--platform", "circleci");
    assert.equal(conflict.status, 1);
    assert.match(conflict.stdout, /CONFLICT \.circleci\/config\.yml/);
    assert.match(readFileSync(config, "utf8"), /# mine/);
    const forced = cli("pipeline", root, "--platform", "circleci", "--force");
    assert.equal(forced.status, 0, forced.stderr);
    assert.doesNotMatch(readFileSync(config, "utf8"), /# mine/);
  });

  it("the seed interface works as written", () => {
    const root = copyFixture("node-npm");
    assert.equal(cli("analyze", root, "--json").status, 0);
    assert.equal(cli("terraform", root, "--provider", "gcp", "--env", "staging,production", "--modules", "network,storage", "--dry-run", "--json").status, 0);
    const deploy = cli("deploy", root, "--strategy", "blue-green", "--target", "kubernetes", "--app", "web", "--image", "ghcr.io/acme/web:1.0.0", "--dry-run", "--json");
    assert.equal(deploy.status, 0, deploy.stderr);
  });
});

describe("one engine, two adapters", () => {
  it("CLI --json prints exactly what the MCP tool returns as structuredContent", async () => {
    const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
    const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
    const { SERVER_BUNDLE } = await import("./support.ts");
    const client = new Client({ name: "adapter-parity", version: "1.0.0" });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [SERVER_BUNDLE], stderr: "pipe" }));
    try {
      const cases: { args: string[]; tool: string; input: Record<string, unknown> }[] = [
        { args: ["analyze"], tool: "analyze-project", input: {} },
        { args: ["pipeline", "--platform", "gitlab-ci", "--stages", "lint,test,security", "--dry-run"], tool: "pipeline-generator", input: { platform: "gitlab-ci", stages: ["lint", "test", "security"], dryRun: true } },
        { args: ["terraform", "--provider", "azure", "--env", "dev", "--modules", "storage", "--dry-run"], tool: "terraform-scaffolder", input: { provider: "azure", environments: ["dev"], modules: ["storage"], dryRun: true } },
        { args: ["deploy", "--strategy", "rolling", "--app", "web", "--image", "ghcr.io/acme/web:2.0.0", "--dry-run"], tool: "deployment-manager", input: { strategy: "rolling", app: "web", image: "ghcr.io/acme/web:2.0.0", dryRun: true } },
      ];
      for (const { args, tool, input } of cases) {
        const root = copyFixture("node-npm");
        const [command, ...flags] = args;
        const run = cli(command!, root, ...flags, "--json");
        assert.equal(run.status, 0, run.stderr);
        const viaMcp = await client.callTool({ name: tool, arguments: { path: root, ...input } });
        assert.equal(viaMcp.isError, false, JSON.stringify(viaMcp.content));
        // Only timing differs between two runs of the same analysis.
        const normalise = (result: Record<string, unknown>) => JSON.parse(JSON.stringify(result, (key, value) => (key === "elapsedMs" ? 0 : value)));
        assert.deepEqual(normalise(JSON.parse(run.stdout)), normalise(viaMcp.structuredContent as Record<string, unknown>), tool);
      }
    } finally {
      await client.close();
    }
  });
});
