import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { RunFailure } from "../../mcp-server/src/engine/core/errors.ts";
import { InputError } from "../../mcp-server/src/engine/core/types.ts";
import { applyWrites, type FileWrite } from "../../mcp-server/src/engine/writer/apply.ts";
import { SafeRoot } from "../../mcp-server/src/engine/writer/safe-fs.ts";
import { tempDir } from "../helpers.ts";
import { copyFixture } from "../integration/support.ts";
import { DEPLOY_BASE, DEPLOY_NEXT, runCli, sleep, snapshot, startCli } from "./support.ts";

// Issue 14 item 1: a directory of the tree replaced by a symlink to an outside directory while the run writes.

const EXISTING = ["deploy/web/base/deployment.yaml", "deploy/web/base/service.yaml", "deploy/web/overlays/staging/kustomization.yaml"];
const WRITES: FileWrite[] = [
  { path: "deploy/web/base/deployment.yaml", content: "kind: Deployment # v2\n", existed: true },
  { path: "deploy/web/base/hpa.yaml", content: "kind: HorizontalPodAutoscaler\n", existed: false },
  { path: "deploy/web/overlays/staging/kustomization.yaml", content: "resources: [../../base] # v2\n", existed: true },
  { path: "deploy/web/overlays/qa/kustomization.yaml", content: "resources: [../../base]\n", existed: false },
  { path: "deploy/web/overlays/qa/namespace.yaml", content: "kind: Namespace\n", existed: false },
  { path: ".senior-devops/manifest.json", content: "{}\n", existed: false },
];
const VICTIMS = ["deploy", "deploy/web", "deploy/web/base", "deploy/web/overlays", "deploy/web/overlays/staging", "deploy/web/overlays/qa"];

/** In-process tries run on tmpfs where there is one: the writer's fsyncs cost nothing there, the logic is the same. */
function fastTempDir(prefix: string): string {
  const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const dir = realpathSync(mkdtempSync(join(base, prefix)));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function seed(): string {
  const root = fastTempDir("sd-race-");
  for (const path of EXISTING) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), `original ${path}\n`);
  }
  return root;
}

describe("race: a directory becomes a symlink (or leaves the root) in the middle of a commit", () => {
  it("never writes outside the root, at whichever step of the commit the swap lands (every step × every directory)", () => {
    // The steps of one commit, as the writer reports them.
    const labels: string[] = [];
    applyWrites(new SafeRoot(seed()), WRITES, (label) => labels.push(label));
    assert.ok(labels.length >= 12, labels.join(", "));

    const outcomes = { symlink: { ok: 0, refused: 0 }, moved: { ok: 0, refused: 0 } };
    for (const victim of VICTIMS) {
      for (const label of labels) {
        for (const mode of ["symlink", "moved"] as const) {
          const root = seed();
          const outside = fastTempDir("sd-outside-");
          writeFileSync(join(outside, "sentinel.txt"), "outside\n");
          const before = snapshot(outside);
          let movedSnapshot: Record<string, string> | undefined;
          let swapped = false;
          const swap = (at: string) => {
            if (at !== label || swapped || !existsSync(join(root, victim))) return;
            swapped = true;
            if (mode === "symlink") {
              renameSync(join(root, victim), join(root, `${victim}.aside`));
              symlinkSync(outside, join(root, victim));
            } else {
              // The residual case: the very directory we hold is moved out of the root (rename(2), same file system).
              renameSync(join(root, victim), join(outside, "moved"));
              movedSnapshot = snapshot(join(outside, "moved"));
            }
          };
          try {
            applyWrites(new SafeRoot(root), WRITES, swap);
            outcomes[mode].ok++;
          } catch (error) {
            assert.ok(error instanceof InputError || error instanceof RunFailure, `${mode} ${victim} at "${label}": ${(error as Error).stack}`);
            outcomes[mode].refused++;
          }
          const where = `${mode} of ${victim} at "${label}"`;
          if (mode === "symlink") {
            assert.deepEqual(snapshot(outside), before, `a write went outside the root after the ${where}`);
          } else if (movedSnapshot) {
            assert.deepEqual(snapshot(join(outside, "moved")), movedSnapshot, `a write followed the directory out of the root after the ${where}`);
          }
        }
      }
    }
    // Each mode had swaps that landed while the directory was still to be written (refused) — the test bites.
    assert.ok(outcomes.symlink.refused > 0 && outcomes.moved.refused > 0, JSON.stringify(outcomes));
    console.log(`# in-process swaps: ${VICTIMS.length} directories × ${labels.length} steps × 2 modes: ${JSON.stringify(outcomes)}`);
  });

  it("shipped CLI: a directory swapped for a symlink at a random moment of a slowed run never sends a write outside", async () => {
    const tries = Number(process.env.SD_RACE_TRIES ?? 10);
    const template = copyFixture("node-npm");
    const initial = await runCli(["deploy", template, ...DEPLOY_BASE, "-q"]);
    assert.equal(initial.code, 0, initial.stderr);
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < tries; i++) {
      const root = tempDir("sd-race-cli-");
      cpSync(template, root, { recursive: true });
      const outside = tempDir("sd-outside-");
      writeFileSync(join(outside, "sentinel.txt"), "outside\n");
      const before = snapshot(outside);
      const victim = ["deploy/web/overlays", "deploy/web/base", "deploy/web"][i % 3]!;
      const delay = Math.floor(Math.random() * 400);
      let scheduled = false;
      let swappedAt = "";
      const run = startCli(["deploy", root, ...DEPLOY_NEXT], { SENIOR_DEVOPS_TEST_WRITE_DELAY_MS: "15" }, (stderr) => {
        if (scheduled || !/writing \d+ file/.test(stderr)) return;
        scheduled = true;
        setTimeout(() => {
          renameSync(join(root, victim), join(root, `${victim.replaceAll("/", "-")}.aside`));
          symlinkSync(outside, join(root, victim));
          swappedAt = `${victim} +${delay}ms`;
        }, delay);
      });
      const result = await run.done;
      while (scheduled && !swappedAt) await sleep(20);
      assert.deepEqual(snapshot(outside), before, `try ${i}: a write went outside the root (${swappedAt})\n${result.stderr}`);
      assert.ok(result.code === 0 || result.code === 2, `try ${i}: exit ${result.code}\n${result.stderr}`);
      if (result.code === 2) assert.match(result.stderr, /is a symlink|was moved/, `try ${i}`);
      assert.doesNotMatch(result.stderr, /internal error|    at /, `try ${i}`);
      const outcome = result.code === 0 ? "completed before the swap mattered" : "refused and rolled back";
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      // The manifest never records a file that is not where it says.
      const manifest = readFileSync(join(root, ".senior-devops/manifest.json"), "utf8");
      assert.ok(manifest.includes("deploy/web/base/deployment.yaml"));
    }
    console.log(`# CLI swap tries: ${tries}: ${JSON.stringify(outcomes)}`);
  });
});
