import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compactResult, diffStat, summarise } from "../../mcp-server/src/engine/core/summary.ts";
import { type ToolResult, toolResultSchema } from "../../mcp-server/src/engine/core/types.ts";

const diffOf = (path: string, lines: number, prefix = "+") =>
  `--- a/${path}\n+++ b/${path}\n@@ -0,0 +1,${lines} @@\n${Array.from({ length: lines }, (_, i) => `${prefix}line ${i}`).join("\n")}\n`;

const result = (): ToolResult => ({
  tool: "pipeline-generator", root: "/repo", dryRun: true, status: "conflict",
  files: [
    { path: "a.yml", action: "create", bytes: 10, diff: diffOf("a.yml", 3) },
    { path: "b.yml", action: "conflict", bytes: 10, diff: diffOf("b.yml", 400, "-") },
    { path: "c.yml", action: "unchanged", bytes: 10 },
  ],
  validations: [
    { path: "a.yml", validator: "yaml", ok: true, messages: [] },
    { path: "a.yml", validator: "actionlint", ok: true, messages: [] },
    { path: "b.yml", validator: "actionlint", ok: false, messages: ["bad"] },
    { path: "a.yml", validator: "terraform-fmt", ok: true, skipped: true, messages: ["terraform not found"] },
  ],
  warnings: [], nextSteps: [],
});

describe("compact tool results", () => {
  it("counts diff lines without headers", () => {
    assert.deepEqual(diffStat(diffOf("x", 5)), { added: 5, removed: 0 });
    assert.deepEqual(diffStat("--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-old\n+new\n same\n"), { added: 1, removed: 1 });
  });

  it("replaces diffs by counts, keeps a bounded conflict excerpt, lists failures and skips, counts passes, and says what it left out", () => {
    const compact = toolResultSchema.parse(compactResult(result(), []));
    const [a, b, c] = compact.files;
    assert.deepEqual({ diff: a!.diff, added: a!.added, removed: a!.removed }, { diff: undefined, added: 3, removed: 0 });
    assert.ok(b!.diff!.length < 2_200 && b!.diff!.includes('more diff lines: call again with diffs: ["b.yml"]'), b!.diff);
    assert.equal(b!.removed, 400, "counts come from the whole diff");
    assert.equal(c!.added, undefined);
    assert.deepEqual(compact.validations.map((v) => `${v.validator}:${v.ok}`), ["actionlint:false", "terraform-fmt:true"]);
    assert.deepEqual(compact.omitted?.passedValidations, { yaml: 1, actionlint: 1 });
    assert.equal(compact.omitted?.diffs, 2);
    assert.match(summarise(compact), /validations: 2 passed, 1 failed, 1 skipped/);
    assert.match(summarise(compact), /create a\.yml \(\+3 -0\)/);
  });

  it("returns the named diffs whole, warns about names it does not know, and '*' returns everything", () => {
    const some = compactResult(result(), ["b.yml", "nope.yml"]);
    assert.equal(some.files[1]!.diff, result().files[1]!.diff);
    assert.equal(some.files[0]!.diff, undefined);
    assert.match(some.warnings.join("\n"), /no generated file nope\.yml/);
    const all = compactResult(result(), ["*"]);
    assert.equal(all.omitted, undefined);
    assert.equal(all.validations.length, 4);
    assert.ok(all.files.every((f, i) => f.diff === result().files[i]!.diff));
  });
});
