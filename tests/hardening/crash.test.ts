import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { applyWrites, type FileWrite, recoverInterruptedRun, removeStaleTemps } from "../../mcp-server/src/engine/writer/apply.ts";
import { SafeRoot } from "../../mcp-server/src/engine/writer/safe-fs.ts";
import { tempDir } from "../helpers.ts";
import { copyFixture } from "../integration/support.ts";
import { DEPLOY_BASE, DEPLOY_NEXT, litter, manifestMismatches, runCli, snapshot, startCli } from "./support.ts";

// Issue 14 item 2: kill -9 at random points of a run; the next run must converge (no false conflicts, no litter).

/** Temp directories on tmpfs where there is one (the writer's fsyncs cost nothing there; the logic is the same). */
function fastTempDir(prefix: string): string {
  const dir = realpathSync(mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), prefix)));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("crash: the disk as a kill -9 leaves it after every single step, recovered", () => {
  it("at every step of a commit: recovery gives exactly the old tree or exactly the new one, with no litter", () => {
    const before: Record<string, string> = { "deploy/web/base/deployment.yaml": "v1\n", "deploy/web/RUNBOOK.md": "v1\n", ".senior-devops/manifest.json": "{\"v\": 1}\n" };
    const writes: FileWrite[] = [
      { path: "deploy/web/base/deployment.yaml", content: "v2\n", existed: true },
      { path: "deploy/web/overlays/qa/kustomization.yaml", content: "qa\n", existed: false },
      { path: "deploy/web/RUNBOOK.md", content: "v2\n", existed: true },
      { path: ".senior-devops/manifest.json", content: "{\"v\": 2}\n", existed: true },
    ];
    const seed = () => {
      const root = fastTempDir("sd-crashstep-");
      for (const [path, content] of Object.entries(before)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), content);
      }
      return root;
    };
    const oldTree = snapshot(seed());
    const newRoot = seed();
    applyWrites(new SafeRoot(newRoot), writes);
    const newTree = snapshot(newRoot);
    // Freeze the disk after each step (what a kill at that instant leaves), then recover the frozen copy.
    const root = seed();
    const frozen: { label: string; dir: string }[] = [];
    applyWrites(new SafeRoot(root), writes, (label) => {
      const copy = fastTempDir("sd-frozen-");
      cpSync(root, copy, { recursive: true, verbatimSymlinks: true });
      frozen.push({ label, dir: copy });
    });
    const outcomes = { old: 0, new: 0 };
    for (const { label, dir } of frozen) {
      recoverInterruptedRun(new SafeRoot(dir));
      const stale = removeStaleTemps(new SafeRoot(dir), [".", ".senior-devops", "deploy/web", "deploy/web/base", "deploy/web/overlays/qa"]);
      const tree = snapshot(dir);
      const which = JSON.stringify(tree) === JSON.stringify(oldTree) ? "old" : JSON.stringify(tree) === JSON.stringify(newTree) ? "new" : undefined;
      assert.ok(which, `killed after "${label}" (${stale} stale temp(s)): recovered to neither the old nor the new tree\n${JSON.stringify(tree, null, 1)}`);
      outcomes[which]++;
    }
    assert.ok(outcomes.old > 0 && outcomes.new > 0, JSON.stringify(outcomes));
    console.log(`# frozen-disk crash points: ${frozen.length}: ${JSON.stringify(outcomes)}`);
  });
});

describe("crash: kill -9 anywhere in a run, then the next run converges", () => {
  it("30+ random kills of a slowed update run: the next run ends ok, files and manifest agree, nothing is left over", async () => {
    const tries = Number(process.env.SD_CRASH_TRIES ?? 30);
    // The tree before the crashing run (generated with the first option set), and the tree a clean run of the
    // second option set gives: after recovery + a re-run, every try must end exactly there.
    const before = copyFixture("node-npm");
    const first = await runCli(["deploy", before, ...DEPLOY_BASE, "-q"]);
    assert.equal(first.code, 0, first.stderr);
    const reference = tempDir("sd-crash-ref-");
    cpSync(before, reference, { recursive: true });
    const clean = await runCli(["deploy", reference, ...DEPLOY_NEXT, "-q"]);
    assert.equal(clean.code, 0, clean.stderr);
    const expected = snapshot(reference);
    const old = snapshot(before);

    const outcomes = { killedBeforeWriting: 0, killedMidCommit: 0, finishedBeforeKill: 0, recoveredJournal: 0 };
    for (let i = 0; i < tries; i++) {
      const root = tempDir("sd-crash-");
      cpSync(before, root, { recursive: true });
      // Most kills land inside the commit (after "writing"), some before it; the slowed writer makes the commit
      // ~25 steps × 12 ms long.
      const early = i % 5 === 0;
      const delay = Math.floor(Math.random() * (early ? 1500 : 450));
      let killed = false;
      const run = startCli(["deploy", root, ...DEPLOY_NEXT], { SENIOR_DEVOPS_TEST_WRITE_DELAY_MS: "12" }, (stderr, child) => {
        if (killed || (!early && !/writing \d+ file/.test(stderr))) return;
        killed = true;
        setTimeout(() => child.kill("SIGKILL"), delay);
      });
      if (early) {
        killed = true;
        setTimeout(() => run.child.kill("SIGKILL"), delay);
      }
      const crashed = await run.done;
      const state = snapshot(root);
      if (crashed.signal !== "SIGKILL") outcomes.finishedBeforeKill++;
      else if (/writing \d+ file/.test(crashed.stderr)) outcomes.killedMidCommit++;
      else outcomes.killedBeforeWriting++;
      if (state[".senior-devops/journal.json"]) outcomes.recoveredJournal++;
      // Right after the kill the tree is either entirely old, entirely new, or carries a journal to recover.
      if (!state[".senior-devops/journal.json"]) {
        const files = (s: Record<string, string>) => Object.fromEntries(Object.entries(s).filter(([p]) => p.startsWith("deploy/") && !/\.senior-devops\./.test(p)));
        const now = JSON.stringify(files(state));
        assert.ok(now === JSON.stringify(files(old)) || now === JSON.stringify(files(expected)), `try ${i}: half old, half new without a journal`);
      }

      const next = await runCli(["deploy", root, ...DEPLOY_NEXT, "--json", "-q"]);
      assert.equal(next.code, 0, `try ${i} (kill after ${delay} ms): the next run failed\n${next.stderr}\n${next.stdout.slice(0, 2000)}`);
      const result = JSON.parse(next.stdout) as { status: string; files: { path: string; action: string }[] };
      assert.equal(result.status, "ok");
      assert.deepEqual(result.files.filter((f) => f.action === "conflict").map((f) => f.path), [], `try ${i}: false conflicts`);
      assert.deepEqual(litter(root), [], `try ${i}: litter`);
      assert.deepEqual(manifestMismatches(root), [], `try ${i}: manifest out of step`);
      assert.deepEqual(snapshot(root), expected, `try ${i}: did not converge to a clean run's tree`);
      assert.equal(existsSync(join(root, ".senior-devops", "lock")), false);
    }
    assert.ok(outcomes.killedMidCommit >= tries / 2, JSON.stringify(outcomes));
    assert.ok(outcomes.recoveredJournal > 0, `no kill landed while a journal was open: ${JSON.stringify(outcomes)}`);
    console.log(`# kill -9 tries: ${tries}: ${JSON.stringify(outcomes)}`);
  });
});
