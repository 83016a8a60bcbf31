import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { tempDir } from "../helpers.ts";
import { copyFixture, FIXTURES, useShippedServer } from "../integration/support.ts";
import { CLI_BUNDLE, DEPLOY_BASE, DEPLOY_NEXT, litter, runCli, snapshot } from "./support.ts";

// Issue 14 item 7: file-system errors are messages with the contract's exit code (README "Exit codes"), nothing
// is written, nothing is left behind (in the repository or in TMPDIR).

interface Case {
  code: number | null;
  stderr: string;
}

function assertClean(name: string, run: Case, exitCode: number, message: RegExp): void {
  assert.equal(run.code, exitCode, `${name}: exit ${run.code}\n${run.stderr}`);
  assert.match(run.stderr, message, name);
  assert.match(run.stderr, /Nothing was written\./, name);
  assert.doesNotMatch(run.stderr, /internal error|\n\s+at /, `${name}: a stack trace instead of a message\n${run.stderr}`);
}

/** Runs a shell script as root in a private mount namespace (mounts vanish with it). Fails, never skips, without unshare. */
function inMountNamespace(script: string, env: Record<string, string>): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync("unshare", ["-m", "--propagation", "private", "bash", "-euc", script], { env: { ...process.env, ...env }, encoding: "utf8" });
  assert.equal(result.error, undefined, `unshare is needed for the EROFS/ENOSPC cases: ${result.error?.message}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("file-system errors become messages (shipped CLI)", () => {
  let generated: string;
  before(async () => {
    // Made by hand: a tempDir() from a before hook would be removed when the hook ends.
    generated = mkdtempSync(join(tmpdir(), "sd-err-base-"));
    cpSync(join(FIXTURES, "node-npm"), generated, { recursive: true });
    const run = await runCli(["deploy", generated, ...DEPLOY_BASE, "-q"]);
    assert.equal(run.code, 0, run.stderr);
  });
  after(() => rmSync(generated, { recursive: true, force: true }));
  const withTree = () => {
    const root = tempDir("sd-err-");
    cpSync(generated, root, { recursive: true });
    return root;
  };

  it("a dangling .github symlink (ENOENT), a symlink loop (ELOOP), a file for .github (ENOTDIR): exit 2", async () => {
    const cases: [string, (root: string) => void, RegExp][] = [
      ["dangling", (root) => symlinkSync(join(root, "no-such-dir"), join(root, ".github")), /\.github, a dangling symlink/],
      ["loop", (root) => {
        symlinkSync(join(root, "loop-b"), join(root, "loop-a"));
        symlinkSync(join(root, "loop-a"), join(root, "loop-b"));
        symlinkSync(join(root, "loop-a"), join(root, ".github"));
      }, /\.github, a symlink loop/],
      ["file", (root) => writeFileSync(join(root, ".github"), "not a directory\n"), /\.github is a file where a directory is expected/],
    ];
    for (const [name, setup, message] of cases) {
      const root = copyFixture("node-npm");
      setup(root);
      const before = snapshot(root);
      const run = await runCli(["pipeline", root, "--platform", "github-actions", "-q"]);
      assertClean(name, run, 2, message);
      assert.deepEqual(snapshot(root), before, name);
    }
  });

  it(".senior-devops is a file (ENOTDIR): exit 2, nothing written", async () => {
    const root = copyFixture("node-npm");
    writeFileSync(join(root, ".senior-devops"), "mine\n");
    const before = snapshot(root);
    const run = await runCli(["deploy", root, ...DEPLOY_BASE, "-q"]);
    assertClean(".senior-devops file", run, 2, /\.senior-devops is a file where a directory is expected/);
    assert.deepEqual(snapshot(root), before);
  });

  it("an immutable directory (EPERM) midway through an update: exit 1, every file restored", async () => {
    const root = withTree();
    const base = join(root, "deploy/web/base");
    const chattr = spawnSync("chattr", ["+i", base], { encoding: "utf8" });
    assert.equal(chattr.status, 0, `chattr is needed for the EPERM case: ${chattr.stderr}`);
    try {
      const before = snapshot(root);
      const run = await runCli(["deploy", root, ...DEPLOY_NEXT, "-q"]);
      assertClean("EPERM", run, 1, /operation not permitted \(EPERM\)/);
      assert.match(run.stderr, /every file this run had written was restored/);
      assert.deepEqual(snapshot(root), before);
    } finally {
      spawnSync("chattr", ["-i", base]);
    }
  });

  it("a read-only file system (EROFS): exit 1, nothing written", () => {
    const root = withTree();
    const before = snapshot(root);
    const run = inMountNamespace(`mount --bind "$ROOT" "$ROOT"; mount -o remount,bind,ro "$ROOT"; set +e; node "$CLI" deploy "$ROOT" ${DEPLOY_NEXT.join(" ")} -q; echo "exit=$?" >&2`, { ROOT: root, CLI: CLI_BUNDLE });
    const code = Number(/exit=(\d+)/.exec(run.stderr)?.[1]);
    assertClean("EROFS", { code, stderr: run.stderr }, 1, /read-only \(EROFS\)/);
    assert.deepEqual(snapshot(root), before);
  });

  it("a full disk (ENOSPC) in the middle of staging: exit 1, every file restored, no litter", () => {
    const root = withTree();
    const out = tempDir("sd-enospc-out-");
    const script = `
      M=$(mktemp -d); mount -t tmpfs -o size=1m tmpfs "$M"; cp -a "$ROOT"/. "$M"/
      avail=$(df --output=avail -B1 "$M" | tail -1); head -c $((avail - 12288)) /dev/zero > "$M/filler" || true
      set +e; node "$CLI" deploy "$M" ${DEPLOY_NEXT.join(" ")} -q; echo "exit=$?" >&2; set -e
      rm "$M/filler"; cp -a "$M"/. "$OUT"/`;
    const run = inMountNamespace(script, { ROOT: root, CLI: CLI_BUNDLE, OUT: out });
    const code = Number(/exit=(\d+)/.exec(run.stderr)?.[1]);
    assertClean("ENOSPC", { code, stderr: run.stderr }, 1, /no space left on the device \(ENOSPC\)/);
    assert.deepEqual(snapshot(out), snapshot(root));
    assert.deepEqual(litter(out), []);
  });

  it("a file size limit (ulimit -f, EFBIG): exit 1, nothing written, no temp directory left in TMPDIR", () => {
    const root = withTree();
    const tmp = tempDir("sd-efbig-tmp-");
    const before = snapshot(root);
    const run = spawnSync("bash", ["-c", `ulimit -f 2; exec node "$CLI" deploy "$ROOT" ${DEPLOY_NEXT.join(" ")} -q`], {
      env: { ...process.env, ROOT: root, CLI: CLI_BUNDLE, TMPDIR: tmp }, encoding: "utf8",
    });
    assertClean("EFBIG", { code: run.status, stderr: run.stderr }, 1, /cannot copy the rendered files into .* for the kustomize check: file too large .* \(EFBIG\)/);
    assert.deepEqual(snapshot(root), before);
    assert.deepEqual(readdirSync(tmp), [], "a temp directory was left in TMPDIR");
  });
});

describe("file-system errors become messages (MCP server, real SDK client)", () => {
  const server = useShippedServer("senior-devops-hardening-tests");

  it("a .senior-devops file and a dangling .github symlink are isError messages, not internal errors", async () => {
    const root = copyFixture("node-npm");
    writeFileSync(join(root, ".senior-devops"), "mine\n");
    const result = await server().callTool({ name: "deployment-manager", arguments: { path: root, strategy: "rolling", app: "web", image: "ghcr.io/acme/web:1.2.3" } });
    assert.equal(result.isError, true);
    const text = (result.content as { text: string }[])[0]!.text;
    assert.match(text, /\.senior-devops is a file where a directory is expected[\s\S]*Nothing was written/);
    assert.doesNotMatch(text, /internal error|\n\s+at /);

    const other = copyFixture("node-npm");
    mkdirSync(join(other, "elsewhere"));
    symlinkSync(join(other, "gone"), join(other, ".github"));
    const pipeline = await server().callTool({ name: "pipeline-generator", arguments: { path: other, platform: "github-actions" } });
    assert.equal(pipeline.isError, true);
    assert.match((pipeline.content as { text: string }[])[0]!.text, /dangling symlink/);
  });
});
