import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { GeneratedFile } from "../../mcp-server/src/engine/core/types.ts";
import { validateAndWrite } from "../../mcp-server/src/engine/writer/index.ts";
import { silent, tempDir } from "../helpers.ts";
import { copyFixture } from "../integration/support.ts";
import { litter, manifestMismatches, runCli, snapshot, startCli } from "./support.ts";

// Issue 14 item 3: two runs on one repository at once.

const app = (name: string) => ["--strategy", "rolling", "--app", name, "--image", `ghcr.io/acme/${name}:1.0.0`, "--env", "staging", "-q"];

describe("concurrent runs on one repository", () => {
  it("pairs of slowed runs writing different apps: both succeed, no manifest entry is lost, no EEXIST", async () => {
    const pairs = Number(process.env.SD_CONCURRENT_PAIRS ?? 6);
    for (let i = 0; i < pairs; i++) {
      const root = copyFixture("node-npm");
      const env = { SENIOR_DEVOPS_TEST_WRITE_DELAY_MS: String(2 + (i % 3) * 4) };
      const [a, b] = await Promise.all([runCli(["deploy", root, ...app("web")], env), runCli(["deploy", root, ...app("api")], env)]);
      assert.equal(a.code, 0, `pair ${i} web: ${a.stderr}`);
      assert.equal(b.code, 0, `pair ${i} api: ${b.stderr}`);
      const manifest = JSON.parse(readFileSync(join(root, ".senior-devops/manifest.json"), "utf8")) as { files: Record<string, unknown> };
      const generated = Object.keys(snapshot(root)).filter((p) => /^deploy\/(web|api)\/.+\.(ya?ml|md)$/.test(p));
      assert.deepEqual(Object.keys(manifest.files).sort(), generated.sort(), `pair ${i}: manifest entries lost`);
      assert.ok(generated.some((p) => p.startsWith("deploy/web/")) && generated.some((p) => p.startsWith("deploy/api/")));
      assert.deepEqual(manifestMismatches(root), []);
      assert.deepEqual(litter(root), []);
    }
  });

  it("in process: 8 writers at once into one repository all land, with every manifest entry", async () => {
    const root = tempDir("sd-concurrent-");
    const writers = Array.from({ length: 8 }, (_, n) => {
      const files: GeneratedFile[] = [{ path: `gen/w${n}/a.yaml`, content: `writer: ${n}\n`, kind: "yaml" }];
      return validateAndWrite({ tool: "pipeline-generator", root, files, dryRun: false, force: false, warnings: [], nextSteps: [], progress: silent });
    });
    const results = await Promise.all(writers);
    assert.deepEqual(results.map((r) => r.status), Array(8).fill("ok"));
    const manifest = JSON.parse(readFileSync(join(root, ".senior-devops/manifest.json"), "utf8")) as { files: Record<string, unknown> };
    assert.equal(Object.keys(manifest.files).length, 8);
    assert.deepEqual(litter(root), []);
  });

  it("a second run waits for the lock, then refuses with a clear message and exit 1, writing nothing", async () => {
    const root = copyFixture("node-npm");
    // The first run holds the lock for a long, slowed commit.
    let writing!: () => void;
    const started = new Promise<void>((resolve) => {
      writing = resolve;
    });
    const first = startCli(["deploy", root, "--strategy", "rolling", "--app", "web", "--image", "ghcr.io/acme/web:1.0.0", "--env", "staging"], { SENIOR_DEVOPS_TEST_WRITE_DELAY_MS: "400" }, (stderr) => {
      if (/writing \d+ file/.test(stderr)) writing();
    });
    await started;
    const second = await runCli(["deploy", root, ...app("api")], { SENIOR_DEVOPS_LOCK_WAIT_MS: "300" });
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, /another senior-devops run is writing into .* \(pid \d+ on .*deployment-manager.*\); waited/);
    assert.match(second.stderr, /Nothing was written/);
    assert.doesNotMatch(second.stderr, /internal error|    at /);
    const done = await first.done;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(Object.keys(snapshot(root)).some((p) => p.startsWith("deploy/api")), false, "the refused run wrote nothing");
    assert.deepEqual(litter(root), []);
  });

  it("a lock left by a killed run (dead pid) is broken, and the run proceeds", async () => {
    const root = copyFixture("node-npm");
    const dead = spawn(process.execPath, ["-e", "0"]);
    await new Promise((resolve) => dead.on("close", resolve));
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(root, ".senior-devops"));
    writeFileSync(join(root, ".senior-devops/lock"), `${JSON.stringify({ pid: dead.pid, host: hostname(), tool: "deployment-manager", since: new Date().toISOString(), token: "0123456789abcdef" })}\n`);
    const run = await runCli(["deploy", realpathSync(root), ...app("web")], { SENIOR_DEVOPS_LOCK_WAIT_MS: "2000" });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(litter(root), []);
  });
});
