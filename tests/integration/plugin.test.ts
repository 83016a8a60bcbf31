import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { tempDir } from "../helpers.ts";
import { REPO } from "./support.ts";

const CLAUDE = join(REPO, "node_modules", ".bin", "claude");
/** What a clone of the repository carries for a user installing the plugin (no node_modules, no build). */
const SHIPPED = [".claude-plugin", ".mcp.json", "skills", "commands", "agents", "mcp-server/dist", "templates", "package.json", "README.md"];

function claude(home: string, args: string[], cwd = home) {
  const run = spawnSync(CLAUDE, args, {
    cwd, encoding: "utf8", timeout: 120_000,
    env: { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: join(home, ".claude"), DISABLE_AUTOUPDATER: "1", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" },
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}${run.error ? `\nspawn failed: ${run.error.message}` : ""}` };
}

describe("installing the plugin the way a user does (claude CLI, throwaway HOME, offline)", () => {
  // Created in the suite body (not in before()): tempDir registers its clean-up with after(), which must
  // belong to this file's root, not to a hook.
  const home = tempDir("sd-home-");
  const clone = tempDir("sd-clone-");

  before(() => {
    for (const entry of SHIPPED) if (existsSync(join(REPO, entry))) cpSync(join(REPO, entry), join(clone, entry), { recursive: true });
    const git = (...args: string[]) => execFileSync("git", args, { cwd: clone, stdio: "ignore" });
    git("init", "-q");
    git("add", "-A");
    git("-c", "user.email=ci@example.invalid", "-c", "user.name=ci", "commit", "-qm", "clone");
  });

  it("claude plugin validate --strict passes for the plugin and the marketplace with zero warnings", () => {
    for (const target of [clone, join(clone, ".claude-plugin", "marketplace.json"), join(clone, ".claude-plugin", "plugin.json")]) {
      const run = claude(home, ["plugin", "validate", "--strict", target]);
      assert.equal(run.status, 0, run.out);
      assert.match(run.out, /Validation passed/);
      assert.doesNotMatch(run.out, /warning/i, run.out);
    }
  });

  it("marketplace add + install, then `claude mcp list` reports the server connected", () => {
    const add = claude(home, ["plugin", "marketplace", "add", clone]);
    assert.equal(add.status, 0, add.out);
    const install = claude(home, ["plugin", "install", "senior-devops@senior-devops"]);
    assert.equal(install.status, 0, install.out);
    const list = claude(home, ["mcp", "list"]);
    assert.equal(list.status, 0, list.out);
    assert.match(list.out, /plugin:senior-devops:senior-devops: node .*mcp-server\/dist\/server\.js - ✔ Connected/, list.out);
  });
});
