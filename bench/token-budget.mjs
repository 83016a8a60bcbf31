#!/usr/bin/env node
// Always-on context cost of the plugin, as Claude Code itself projects it.
//
// Copies the plugin (manifests, skills, commands, agents) into a temporary
// directory, adds that directory as a marketplace under a throwaway HOME,
// installs senior-devops from it and reads `claude plugin details`. Prints the
// projected always-on tokens and the budget; exits 1 when over budget, 2 when
// the figure cannot be obtained. Works offline.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const BUDGET = 1500;
const PLUGIN = "senior-devops@senior-devops";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const claude = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "claude.cmd" : "claude");

function run(args, env) {
  const r = spawnSync(claude, args, { env, encoding: "utf8", timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? 1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

function main() {
  if (!existsSync(claude)) {
    console.error(`token-budget: ${path.relative(root, claude)} not found; run npm install`);
    return 2;
  }
  const work = mkdtempSync(path.join(tmpdir(), "sd-budget-"));
  const home = path.join(work, "home");
  const repo = path.join(work, "plugin");
  try {
    // The marketplace installs .claude-plugin/shipped, relative links into the repository: copy them as links,
    // with what they point at, so the install sees what a user's does.
    for (const p of [".claude-plugin", ".mcp.json", "skills", "commands", "agents", "templates", "package.json", "README.md", "mcp-server/dist"]) {
      if (existsSync(path.join(root, p))) cpSync(path.join(root, p), path.join(repo, p), { recursive: true, verbatimSymlinks: true });
    }
    const env = { ...process.env, HOME: home, USERPROFILE: home, CLAUDE_CONFIG_DIR: path.join(home, ".claude") };
    for (const args of [
      ["plugin", "marketplace", "add", repo],
      ["plugin", "install", PLUGIN],
    ]) {
      const r = run(args, env);
      if (r.code !== 0) {
        console.error(`token-budget: claude ${args.join(" ")} failed (${r.code}):\n${r.out}`);
        return 2;
      }
    }
    const details = run(["plugin", "details", PLUGIN], env);
    if (details.code !== 0) {
      console.error(`token-budget: claude plugin details failed (${details.code}):\n${details.out}`);
      return 2;
    }
    const m = /Always-on:\s*~?\s*([\d,]+)\s*tok/.exec(details.out);
    if (!m) {
      console.error(`token-budget: no "Always-on" figure in:\n${details.out}`);
      return 2;
    }
    const tokens = Number(m[1].replace(/,/g, ""));
    if (process.argv.includes("--details")) console.log(details.out.trim());
    console.log(`always-on tokens: ${tokens}`);
    console.log(`budget: ${BUDGET}`);
    console.log(`headroom: ${BUDGET - tokens}`);
    if (tokens > BUDGET) {
      console.error(`token-budget: OVER BUDGET by ${tokens - BUDGET} tokens`);
      return 1;
    }
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = main();
