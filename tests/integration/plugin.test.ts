import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { before, describe, it } from "node:test";
import { tempDir } from "../helpers.ts";
import { REPO } from "./support.ts";

const CLAUDE = join(REPO, "node_modules", ".bin", "claude");
/**
 * The marketplace entry's source: a tree of relative symlinks into the repository that holds only what the plugin
 * needs at run time. Claude Code copies a plugin's source into its cache and materialises symlinks that stay inside
 * the marketplace, and it runs `npm ci --ignore-scripts` only where package.json sits next to a lockfile; this tree
 * has no lockfile, so a user's install writes no node_modules and needs no registry.
 */
const SHIPPED_TREE = join(REPO, ".claude-plugin", "shipped");
/** Plugin components Claude Code reads from a plugin root: each one the repository has must be in the shipped tree. */
const COMPONENTS = [".claude-plugin/plugin.json", ".mcp.json", ".lsp.json", "skills", "commands", "agents", "hooks", "output-styles", "monitors", "bin", "settings.json"];
const INSTALLED_LIMIT_BYTES = 20 * 1024 * 1024;
const INSTALL_LIMIT_MS = 30_000;

/** A clone of the repository as a user gets it: the files git tracks (symlinks kept as links) plus the built bundle. */
function cloneRepository(into: string): void {
  const tracked = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO, encoding: "utf8" })
    .split("\0")
    .filter((f) => f.length > 0 && !f.startsWith("mcp-server/dist/"));
  for (const file of [...tracked, "mcp-server/dist"]) {
    const from = join(REPO, file);
    if (!existsSync(from) && !isLink(from)) continue; // deleted in the working tree
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(from, join(into, file), { recursive: true, verbatimSymlinks: true });
  }
  const git = (...args: string[]) => execFileSync("git", args, { cwd: into, stdio: "ignore" });
  git("init", "-q");
  git("add", "-A");
  git("-c", "user.email=ci@example.invalid", "-c", "user.name=ci", "commit", "-qm", "clone");
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function claude(home: string, args: string[], cwd = home) {
  const run = spawnSync(CLAUDE, args, {
    cwd, encoding: "utf8", timeout: 120_000,
    env: {
      ...process.env, HOME: home, CLAUDE_CONFIG_DIR: join(home, ".claude"), DISABLE_AUTOUPDATER: "1", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      // Offline: any registry or network use during the install would fail against these dead loopback ports.
      npm_config_registry: "http://127.0.0.1:9/", npm_config_offline: "true", HTTPS_PROXY: "http://127.0.0.1:9", HTTP_PROXY: "http://127.0.0.1:9",
    },
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}${run.error ? `\nspawn failed: ${run.error.message}` : ""}` };
}

function walk(dir: string): { files: string[]; bytes: number; links: string[] } {
  const files: string[] = [];
  const links: string[] = [];
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true }).map(String)) {
    const path = join(dir, entry);
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) links.push(entry);
    else if (stat.isFile()) {
      files.push(entry);
      bytes += stat.size;
    }
  }
  return { files, bytes, links };
}

describe("the shipped plugin tree", () => {
  it("links every plugin component the repository has, and nothing that would make Claude Code run npm", () => {
    for (const component of COMPONENTS) {
      if (!existsSync(join(REPO, component))) continue;
      const shipped = join(SHIPPED_TREE, component);
      assert.ok(isLink(shipped), `${component} exists in the repository but not in .claude-plugin/shipped (add a relative symlink)`);
      assert.equal(resolve(dirname(shipped), readlinkSync(shipped)), join(REPO, component), `${component} must point at the repository's own`);
    }
    for (const needed of ["mcp-server/dist", "templates", "package.json"]) {
      assert.equal(resolve(dirname(join(SHIPPED_TREE, needed)), readlinkSync(join(SHIPPED_TREE, needed))), join(REPO, needed), needed);
    }
    for (const lockfile of ["package-lock.json", "npm-shrinkwrap.json", "bun.lock", "bun.lockb", "yarn.lock", "pnpm-lock.yaml", "node_modules"]) {
      assert.ok(!existsSync(join(SHIPPED_TREE, lockfile)), `${lockfile} in the shipped tree would make Claude Code install dependencies`);
    }
    const market = JSON.parse(readFileSync(join(REPO, ".claude-plugin", "marketplace.json"), "utf8"));
    assert.equal(market.plugins[0].source, "./.claude-plugin/shipped");
  });
});

describe("installing the plugin the way a user does (claude CLI, throwaway HOME, offline)", () => {
  // Created in the suite body (not in before()): tempDir registers its clean-up with after(), which must
  // belong to this file's root, not to a hook.
  const home = tempDir("sd-home-");
  const clone = tempDir("sd-clone-");

  before(() => cloneRepository(clone));

  it("claude plugin validate --strict passes for the repository, the marketplace and the shipped tree with zero warnings", () => {
    const targets = [clone, join(clone, ".claude-plugin", "marketplace.json"), join(clone, ".claude-plugin", "plugin.json"), join(clone, ".claude-plugin", "shipped")];
    for (const target of targets) {
      const run = claude(home, ["plugin", "validate", "--strict", target]);
      assert.equal(run.status, 0, run.out);
      assert.match(run.out, /Validation passed/);
      assert.doesNotMatch(run.out, /warning/i, run.out);
    }
  });

  it("marketplace add + install is fast, small, writes no node_modules, and `claude mcp list` reports the server connected", () => {
    const add = claude(home, ["plugin", "marketplace", "add", clone]);
    assert.equal(add.status, 0, add.out);
    const started = performance.now();
    const install = claude(home, ["plugin", "install", "senior-devops@senior-devops"]);
    const installMs = performance.now() - started;
    assert.equal(install.status, 0, install.out);

    const installed = join(home, ".claude", "plugins", "cache", "senior-devops", "senior-devops");
    const versions = readdirSync(installed);
    assert.equal(versions.length, 1, versions.join(", "));
    const root = join(installed, versions[0]!);
    const { files, bytes, links } = walk(root);
    console.log(`# plugin install: ${Math.round(installMs)} ms, ${(bytes / 1024 / 1024).toFixed(1)} MiB in ${files.length} files`);
    assert.deepEqual(links, [], "the cache holds real files, not links back into the clone");
    assert.ok(!files.some((f) => f.split("/").includes("node_modules")), "no node_modules in the installed plugin");
    assert.ok(!files.includes("package-lock.json"), "no lockfile in the installed plugin");
    for (const needed of [".claude-plugin/plugin.json", ".mcp.json", "mcp-server/dist/server.js", "mcp-server/dist/mcp-tools.js", "skills", "commands", "agents", "templates", "package.json"]) {
      assert.ok(existsSync(join(root, needed)), `${needed} is installed`);
    }
    assert.ok(!existsSync(join(root, "mcp-server", "src")) && !existsSync(join(root, "tests")), "sources and tests are not installed");
    assert.ok(bytes < INSTALLED_LIMIT_BYTES, `installed ${bytes} bytes`);
    assert.ok(installMs < INSTALL_LIMIT_MS, `install took ${Math.round(installMs)} ms`);
    assert.equal(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).type, "module", "the ESM bundle needs type: module next to it");
    assert.ok(statSync(join(root, "mcp-server", "dist", "server.js")).size > 0);

    const list = claude(home, ["mcp", "list"]);
    assert.equal(list.status, 0, list.out);
    assert.match(list.out, /plugin:senior-devops:senior-devops: node .*mcp-server\/dist\/server\.js - ✔ Connected/, list.out);
  });
});
