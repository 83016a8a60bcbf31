import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toolResultSchema } from "../../mcp-server/src/engine/core/types.ts";
import { tempDir } from "../helpers.ts";
import { SCENARIOS } from "./result-scenarios.ts";
import { useShippedServer } from "./support.ts";

// Claude Code reads a tool's structuredContent (serialised) into the model's context and cuts a result at
// 25,000 tokens; tools/list is read in every session. Budgets from SPEC §3.1 and issue 11.
const RESULT_LIMIT = 40 * 1024;
const TOOLS_LIST_LIMIT = 12 * 1024;

describe("tool results an agent can read (shipped bundle over stdio, real SDK client)", () => {
  const work = tempDir("sd-sizes-");
  const server = useShippedServer("senior-devops-size-tests");

  it(`tools/list with all five tools fits in ${TOOLS_LIST_LIMIT} bytes, every tool with an output schema and a when-to-use description`, async () => {
    const { tools } = await server().listTools();
    assert.equal(tools.length, 5);
    const bytes = Buffer.byteLength(JSON.stringify({ tools }));
    console.log(`# tools/list: ${bytes} bytes`);
    assert.ok(bytes <= TOOLS_LIST_LIMIT, `tools/list is ${bytes} bytes`);
    for (const tool of tools) {
      assert.equal(tool.outputSchema?.type, "object", tool.name);
      assert.deepEqual(tool.outputSchema?.required, ["tool", "root", "dryRun", "status", "files", "validations", "warnings", "nextSteps"], tool.name);
      assert.match(tool.description ?? "", /^Use (first|to)\b/, `${tool.name} says when to use it`);
    }
    // Existing input properties stay: commands, skills and other agents call them by name.
    const inputs = Object.fromEntries(tools.map((t) => [t.name, Object.keys(t.inputSchema.properties ?? {})]));
    for (const name of ["path", "dryRun", "force", "diffs", "platform", "stages", "defaultBranch", "registry", "cloud", "cluster", "region"]) assert.ok(inputs["pipeline-generator"]!.includes(name), name);
    for (const name of ["provider", "environments", "modules", "ci", "project", "region", "team", "costCenter", "resolveLatest"]) assert.ok(inputs["terraform-scaffolder"]!.includes(name), name);
    const deployInputs = "path dryRun force strategy target action app image port namespace environments replicas healthPath readinessPath canarySteps pauseSeconds traffic ingressHost ingressClass ingressNamespace monitoringNamespace gateway prometheusUrl errorRateThreshold latencyP99Seconds healthUrl timeoutSeconds confirm";
    for (const name of deployInputs.split(" ")) assert.ok(inputs["deployment-manager"]!.includes(name), name);
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: <= 40 KB, and nothing dropped silently`, async () => {
      const root = scenario.prepare(work);
      const result = await server().callTool({ name: scenario.tool, arguments: { ...scenario.arguments, path: root } }, undefined, { timeout: 600_000 });
      assert.equal(result.isError, false, JSON.stringify(result.content).slice(0, 2000));
      const bytes = Buffer.byteLength(JSON.stringify(result));
      const structuredBytes = Buffer.byteLength(JSON.stringify(result.structuredContent));
      console.log(`# ${scenario.name}: ${bytes} bytes (structuredContent ${structuredBytes})`);
      assert.ok(bytes <= RESULT_LIMIT, `${bytes} bytes`);
      const compact = toolResultSchema.parse(result.structuredContent);
      if (scenario.tool === "analyze-project") return;

      // Every file keeps its action and size; dry-run changes say how big they are.
      for (const file of compact.files) {
        if (file.action === "create" || file.action === "update") assert.ok(file.added !== undefined && file.removed !== undefined, file.path);
      }
      assert.ok(compact.validations.every((v) => !v.ok || v.skipped), "only failures and skipped validators are listed");
      const withoutDiff = compact.files.filter((f) => f.added !== undefined && f.diff === undefined).length;
      assert.equal(compact.omitted?.diffs, withoutDiff, "omitted counts every diff left out");
      assert.match(compact.omitted!.howToGet, /diffs: \["\*"\]/);

      // Asking for one file's diff returns it whole; "*" returns everything the engine produced.
      const one = compact.files.find((f) => f.added !== undefined)!;
      const again = toolResultSchema.parse((await server().callTool({ name: scenario.tool, arguments: { ...scenario.arguments, path: root, diffs: [one.path] } }, undefined, { timeout: 600_000 })).structuredContent);
      const asked = again.files.find((f) => f.path === one.path)!;
      assert.match(asked.diff ?? "", /^(Index|={3}|-{3} )/m, "a unified diff");
      assert.equal(again.files.filter((f) => f.diff !== undefined).length, 1);
      const full = toolResultSchema.parse((await server().callTool({ name: scenario.tool, arguments: { ...scenario.arguments, path: root, diffs: ["*"] } }, undefined, { timeout: 600_000 })).structuredContent);
      assert.equal(full.omitted, undefined);
      assert.ok(full.files.filter((f) => f.action === "create" || f.action === "update").every((f) => f.diff !== undefined));
      const passed = Object.values(compact.omitted!.passedValidations).reduce((a, b) => a + b, 0);
      assert.equal(full.validations.length, compact.validations.length + passed, "passes were counted, not lost");
    });
  }
});
