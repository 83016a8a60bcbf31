import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { splitAndList, strictLines } from "../../mcp-server/src/engine/pipeline/script.ts";

// Runs lines the way GitLab does: one bash with errexit and pipefail, line after line.
const gitlabShell = (lines: string[]) => spawnSync("bash", ["-eo", "pipefail", "-c", [...lines, "echo REACHED-END"].join("\n")], { encoding: "utf8" });

test("splitAndList splits only top-level && (not inside quotes, subshells or $(...))", () => {
  assert.deepEqual(splitAndList("cargo fmt --all -- --check && cargo clippy -- -D warnings"), ["cargo fmt --all -- --check", "cargo clippy -- -D warnings"]);
  assert.deepEqual(splitAndList(`echo "a && b" && echo 'c && d'`), [`echo "a && b"`, `echo 'c && d'`]);
  assert.deepEqual(splitAndList("(cd /tmp && wget x) && tar -x"), ["(cd /tmp && wget x)", "tar -x"]);
  assert.deepEqual(splitAndList(`echo "$(a && b)" && c`), [`echo "$(a && b)"`, "c"]);
  assert.deepEqual(splitAndList("line1 && x\nline2"), ["line1 && x\nline2"]);
});

test("a failing left side of && fails the job once the command is strict (and did not before)", () => {
  const command = "false && true";
  assert.equal(gitlabShell([command]).stdout.includes("REACHED-END"), true, "errexit ignores the left side of && (the bug)");
  const strict = gitlabShell(strictLines(command));
  assert.notEqual(strict.status, 0);
  assert.equal(strict.stdout.includes("REACHED-END"), false);
});

test("a negated test stays a failure under errexit", () => {
  const command = "echo 'has the following vulnerable packages' > /tmp/sd-strict.txt && ! grep -q vulnerable /tmp/sd-strict.txt";
  assert.equal(gitlabShell(["echo x > /tmp/sd-strict.txt", "! grep -q x /tmp/sd-strict.txt"]).stdout.includes("REACHED-END"), true, "errexit ignores a negated command (the bug)");
  const lines = strictLines(command);
  assert.equal(lines.at(-1), "if grep -q vulnerable /tmp/sd-strict.txt; then exit 1; fi");
  assert.notEqual(gitlabShell(lines).status, 0);
  assert.equal(gitlabShell(strictLines("true && ! grep -q nothing-here /dev/null")).status, 0);
});
