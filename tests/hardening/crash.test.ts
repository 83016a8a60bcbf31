import assert from "node:assert/strict";
import { cpSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../helpers.ts";
import { copyFixture } from "../integration/support.ts";
import { DEPLOY_BASE, DEPLOY_NEXT, litter, manifestMismatches, runCli, snapshot, startCli } from "./support.ts";

// Issue 14 item 2: kill -9 at random points of a run; the next run must converge (no false conflicts, no litter).

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
