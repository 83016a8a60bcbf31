import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { toolResultSchema } from "../../mcp-server/src/engine/core/types.ts";
import { copyFixture, listFiles, useShippedServer } from "./support.ts";

// Drives the committed bundle exactly as Claude Code does: node mcp-server/dist/server.js over stdio.
describe("MCP server (bundle over stdio, real SDK client)", () => {
  const server = useShippedServer("senior-devops-tests");

  it("lists the five tools with titles, honest annotations and an output schema", async () => {
    const { tools } = await server().listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ["analyze-project", "deployment-manager", "devops-auditor", "pipeline-generator", "terraform-scaffolder"]);
    for (const tool of tools) {
      assert.ok(tool.title && tool.description, tool.name);
      assert.equal(tool.outputSchema?.type, "object");
      assert.ok(tool.annotations, tool.name);
    }
    const analyze = tools.find((t) => t.name === "analyze-project")!;
    assert.equal(analyze.annotations?.readOnlyHint, true);
    assert.equal(analyze.annotations?.destructiveHint, false);
    const expected: Record<string, { destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean }> = {
      // Generators update files they wrote before, and overwrite user edits with force: not additive-only.
      "pipeline-generator": { destructiveHint: true, idempotentHint: true, openWorldHint: false },
      // resolveLatest asks HashiCorp's release API.
      "terraform-scaffolder": { destructiveHint: true, idempotentHint: true, openWorldHint: true },
      // apply/promote/rollback change a cluster; promote twice is not promote once.
      "deployment-manager": { destructiveHint: true, idempotentHint: false, openWorldHint: true },
      // Writes only with fix (in-place edits the user asked for) or sarif; never deletes; a second run changes nothing.
      "devops-auditor": { destructiveHint: false, idempotentHint: true, openWorldHint: false },
    };
    for (const [name, hints] of Object.entries(expected)) {
      const tool = tools.find((t) => t.name === name)!;
      assert.equal(tool.annotations?.readOnlyHint, false, name);
      assert.deepEqual(
        { destructiveHint: tool.annotations?.destructiveHint, idempotentHint: tool.annotations?.idempotentHint, openWorldHint: tool.annotations?.openWorldHint },
        hints,
        name,
      );
    }
  });

  it("analyze-project returns the structured analysis", async () => {
    const root = copyFixture("node-npm");
    const result = await server().callTool({ name: "analyze-project", arguments: { path: root } });
    assert.equal(result.isError, false);
    const structured = toolResultSchema.parse(result.structuredContent);
    assert.equal(structured.tool, "analyze-project");
    assert.equal(structured.analysis?.projects[0]?.language, "node");
    assert.equal(structured.analysis?.projects[0]?.packageManager, "npm");
    assert.match((result.content as { text: string }[])[0]!.text, /node · npm/);
  });

  it("pipeline-generator writes validated files, streams progress, and a second identical run changes nothing", async () => {
    const root = copyFixture("node-npm");
    const progress: string[] = [];
    const first = await server().callTool(
      { name: "pipeline-generator", arguments: { path: root, platform: "github-actions" } },
      undefined,
      { onprogress: (p) => progress.push(String(p.message)) },
    );
    assert.equal(first.isError, false, JSON.stringify(first.content));
    const structured = toolResultSchema.parse(first.structuredContent);
    assert.equal(structured.status, "ok");
    assert.ok(structured.files.some((f) => f.path === ".github/workflows/ci.yml" && f.action === "create"));
    // A compact result counts passing validations per validator; failures would be listed in full.
    assert.ok((structured.omitted?.passedValidations.actionlint ?? 0) > 0, JSON.stringify(structured.omitted));
    assert.ok(structured.validations.every((v) => v.ok));
    assert.ok(progress.length > 0, "progress notifications were sent");
    const written = readFileSync(join(root, ".github/workflows/ci.yml"), "utf8");

    const second = toolResultSchema.parse((await server().callTool({ name: "pipeline-generator", arguments: { path: root, platform: "github-actions" } })).structuredContent);
    assert.ok(second.files.every((f) => f.action === "unchanged"), JSON.stringify(second.files));
    assert.equal(readFileSync(join(root, ".github/workflows/ci.yml"), "utf8"), written);
  });

  it("rejects an unknown platform with the valid values, and writes nothing", async () => {
    const root = copyFixture("node-npm");
    const before = listFiles(root);
    const result = await server().callTool({ name: "pipeline-generator", arguments: { path: root, platform: "travis" } });
    assert.equal(result.isError, true);
    const text = (result.content as { text: string }[])[0]!.text;
    for (const valid of ["github-actions", "gitlab-ci", "jenkins", "circleci"]) assert.match(text, new RegExp(valid));
    assert.deepEqual(listFiles(root), before);
  });

  it("an edited file survives a re-run without force and is reported as a conflict with a diff", async () => {
    const root = copyFixture("node-npm");
    await server().callTool({ name: "pipeline-generator", arguments: { path: root, platform: "gitlab-ci" } });
    const file = join(root, ".gitlab-ci.yml");
    const edited = `${readFileSync(file, "utf8")}# team-specific tweak\n`;
    (await import("node:fs")).writeFileSync(file, edited);
    const result = toolResultSchema.parse((await server().callTool({ name: "pipeline-generator", arguments: { path: root, platform: "gitlab-ci" } })).structuredContent);
    assert.equal(result.status, "conflict");
    const conflict = result.files.find((f) => f.path === ".gitlab-ci.yml")!;
    assert.equal(conflict.action, "conflict");
    assert.match(conflict.diff!, /team-specific tweak/);
    assert.equal(readFileSync(file, "utf8"), edited);
  });

  it("terraform-scaffolder and deployment-manager answer with structured results (dry run)", async () => {
    const root = copyFixture("node-npm");
    const tf = await server().callTool({ name: "terraform-scaffolder", arguments: { path: root, provider: "aws", dryRun: true } });
    assert.equal(tf.isError, false, JSON.stringify(tf.content));
    const tfResult = toolResultSchema.parse(tf.structuredContent);
    assert.equal(tfResult.dryRun, true);
    assert.ok(tfResult.files.some((f) => f.path.endsWith(".tf")));
    const deploy = await server().callTool({
      name: "deployment-manager",
      arguments: { path: root, strategy: "canary", target: "argo-rollouts", app: "web", image: "ghcr.io/acme/web:1.2.3", dryRun: true },
    });
    assert.equal(deploy.isError, false, JSON.stringify(deploy.content));
    const deployResult = toolResultSchema.parse(deploy.structuredContent);
    assert.ok(deployResult.files.some((f) => f.path.startsWith("deploy/web/")));
    assert.deepEqual(listFiles(root).filter((f) => f.startsWith("deploy") || f.startsWith("infrastructure")), []);
  });
});
