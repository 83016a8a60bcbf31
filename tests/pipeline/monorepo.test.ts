import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { tempDir } from "../helpers.ts";
import { CLI_BUNDLE, copyFixture } from "../integration/support.ts";

/**
 * A JS workspace is one graph-aware unit, proven by running what the shipped bundle generates: one job installs at
 * the root, runs the root's own scripts, and on a branch re-tests only the members a change affects, including the
 * members that depend on the changed one.
 */

type Step = { name: string; run?: string; uses?: string; "working-directory"?: string };
type Job = { name: string; steps: Step[] };

/** The environment of a CI job: this test runner's own node:test context and loaders stay out of it. */
const ciEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^NODE_(TEST_CONTEXT|OPTIONS)$/.test(k)));
function sh(cwd: string, cmd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync("bash", ["-eo", "pipefail", "-c", cmd], { cwd, encoding: "utf8", env: { ...ciEnv, ...env } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}
function ok(cwd: string, cmd: string) {
  const r = sh(cwd, cmd);
  assert.equal(r.code, 0, `${cmd} failed:\n${r.out}`);
  return r.out;
}

function generate(fixture: string, platform: string, stages: string): string {
  const dir = copyFixture(fixture);
  const r = spawnSync(process.execPath, [CLI_BUNDLE, "pipeline", dir, "--platform", platform, "--stages", stages], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return dir;
}

/** The generated project repository pushed to a bare "origin" whose main is the fixture, then cloned for CI. */
function ciCheckout(dir: string): { clone: string } {
  const git = 'git -c user.email=ci@example.invalid -c user.name=ci';
  ok(dir, `git init -q -b main && ${git} add -A && ${git} commit -qm base`);
  const origin = join(tempDir("sd-origin-"), "origin.git");
  ok(dir, `git clone -q --bare . ${origin}`);
  const clone = join(tempDir("sd-clone-"), "repo");
  ok(dir, `git clone -q ${origin} ${clone}`);
  return { clone };
}

/** Runs a job's run: steps like the runner does (bash -eo pipefail, one shell per step); `uses:` steps are set-up only. */
function runJob(job: Job, cwd: string): { out: string; failed?: string } {
  let out = "";
  for (const step of job.steps) {
    if (!step.run) continue;
    const r = sh(step["working-directory"] ? join(cwd, step["working-directory"]) : cwd, step.run);
    out += `\n### ${step.name}\n${r.out}`;
    if (r.code !== 0) return { out, failed: step.name };
  }
  return { out };
}

const testsRan = (out: string) => new Set([...out.matchAll(/^# Subtest: (\w+):/gm), ...out.matchAll(/^✔ (\w+):/gm)].map((m) => m[1]!));

test("npm workspace: one job; on a branch, a change in packages/db re-tests db and api (its dependent), not web", () => {
  const dir = generate("monorepo-npm-chain", "github-actions", "lint,test,build");
  const wf = parse(readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8")) as { jobs: Record<string, Job> };
  const projectJobs = Object.keys(wf.jobs);
  assert.deepEqual(projectJobs, ["chain-root"], "one job for the workspace, not one per member");
  const job = wf.jobs["chain-root"]!;
  const runs = job.steps.filter((s) => s.run).map((s) => s.run!);
  assert.equal(runs.filter((r) => /^npm ci$/.test(r)).length, 1, "one install at the root");
  assert.ok(runs.includes("npm run lint") && runs.includes("npm test"), "the root's own lint and test scripts run");
  assert.ok(job.steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.["with" as keyof Step] !== undefined);

  const { clone } = ciCheckout(dir);
  // On the default branch itself every member is tested.
  const onMain = runJob(job, clone);
  assert.equal(onMain.failed, undefined, onMain.out);
  assert.deepEqual([...testsRan(onMain.out)].sort(), ["api", "db", "root", "web"], onMain.out);

  // A pull request branch that changes only packages/db.
  ok(clone, "git checkout -q -b change-db");
  appendFileSync(join(clone, "packages/db/index.js"), "\nmodule.exports.count = () => rows.size;\n");
  ok(clone, "git -c user.email=ci@example.invalid -c user.name=ci commit -qam 'db: count rows'");
  ok(clone, "rm -rf node_modules packages/api/dist");
  const branch = runJob(job, clone);
  assert.equal(branch.failed, undefined, branch.out);
  assert.deepEqual([...testsRan(branch.out)].sort(), ["api", "db", "root"], `api depends on db and is re-tested; web is not:\n${branch.out}`);

  // A change in web alone tests web only (and the root suite).
  ok(clone, "git checkout -q main && git checkout -q -b change-web");
  appendFileSync(join(clone, "packages/web/format.js"), "\nmodule.exports.upper = (t) => t.toUpperCase();\n");
  ok(clone, "git -c user.email=ci@example.invalid -c user.name=ci commit -qam 'web: upper'");
  const web = runJob(job, clone);
  assert.equal(web.failed, undefined, web.out);
  assert.deepEqual([...testsRan(web.out)].sort(), ["root", "web"], web.out);
});

test("npm workspace: a failing test of an affected member fails the job (nothing swallowed)", () => {
  const dir = generate("monorepo-npm-chain", "github-actions", "lint,test,build");
  const job = (parse(readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8")) as { jobs: Record<string, Job> }).jobs["chain-root"]!;
  const { clone } = ciCheckout(dir);
  ok(clone, "git checkout -q -b break-db");
  // db still passes its own test, but the change breaks api, which depends on it.
  appendFileSync(join(clone, "packages/db/index.js"), "\nmodule.exports.find = () => undefined;\n");
  ok(clone, "git -c user.email=ci@example.invalid -c user.name=ci commit -qam 'db: break find'");
  const r = runJob(job, clone);
  assert.match(r.failed ?? "", /packages\/(db|api)/, r.out);
});

test("gitlab-ci: the workspace is one job whose script runs the same graph-aware commands", () => {
  const dir = generate("monorepo-npm-chain", "gitlab-ci", "lint,test,build");
  const doc = parse(readFileSync(join(dir, ".gitlab-ci.yml"), "utf8")) as Record<string, { script?: string[]; image?: string }>;
  const jobs = Object.entries(doc).filter(([, v]) => v && typeof v === "object" && Array.isArray(v.script));
  assert.deepEqual(jobs.map(([k]) => k), ["chain-root"]);
  const script = jobs[0]![1].script!;
  assert.equal(jobs[0]![1].image, "node:24-bookworm-slim", "engines >=20 runs on the newest maintained line, not its floor");
  assert.ok(script.some((l) => /git diff --quiet origin\/main\.\.\.HEAD -- packages\/api packages\/db /.test(l)), script.join("\n"));
  for (const line of script) assert.equal(sh(dir, `bash -n <<'EOS'\n${line}\nEOS`).code, 0, line);
});

test("images: only deployable compose services get image jobs, built from compose's context and Dockerfile", () => {
  const dir = tempDir("sd-compose-");
  const put = (rel: string, text: string) => { spawnSync("mkdir", ["-p", join(dir, rel, "..")]); appendFileSync(join(dir, rel), text); };
  put("package.json", JSON.stringify({ name: "shop", private: true, workspaces: ["src/*"] }));
  put("package-lock.json", JSON.stringify({ name: "shop", lockfileVersion: 3, requires: true, packages: {} }));
  put("src/api/package.json", JSON.stringify({ name: "api", scripts: { start: "node index.js", test: "node --test" }, dependencies: { express: "^4" } }));
  put("src/api/Dockerfile", "FROM node:24-bookworm-slim\nWORKDIR /app\nCOPY ./src/api/ ./\nCMD [\"node\", \"index.js\"]\n");
  put("src/api/Dockerfile.dev", "FROM node:24-bookworm-slim\nCMD [\"npx\", \"nodemon\"]\n");
  put("src/loadgen/Dockerfile", "FROM python:3.13-slim\nRUN pip install locust\n");
  put("src/api-tests/Dockerfile", "FROM node:24-bookworm-slim\nCMD [\"npm\", \"test\"]\n");
  put("compose.yaml", [
    "services:",
    "  api:", "    build:", "      context: .", "      dockerfile: src/api/Dockerfile", "    ports: [\"8080:8080\"]",
    "  api-dev:", "    build:", "      context: src/api", "      dockerfile: Dockerfile.dev",
    "  loadgen:", "    build: ./src/loadgen",
    "  api-tests:", "    build: ./src/api-tests",
    "",
  ].join("\n"));
  const r = spawnSync(process.execPath, [CLI_BUNDLE, "pipeline", dir, "--platform", "github-actions", "--stages", "test,docker"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const wf = parse(readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8")) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }> };
  const dockerJobs = Object.keys(wf.jobs).filter((k) => k.startsWith("docker-"));
  assert.deepEqual(dockerJobs, ["docker-api"], Object.keys(wf.jobs).join(", "));
  const build = wf.jobs["docker-api"]!.steps.find((s) => s.uses?.startsWith("docker/build-push-action@"))!;
  assert.equal(build.with?.context, ".", "compose's build.context is the context (the Dockerfile copies ./src/api from the root)");
  assert.equal(build.with?.file, "src/api/Dockerfile");
  for (const s of ["api-dev", "loadgen", "api-tests"]) assert.match(r.stdout + r.stderr, new RegExp(`service ${s} .*gets no image`), s);
});

test("node versions: never the floor of engines.node; a library with a range gets a matrix over the maintained lines", () => {
  const make = (files: Record<string, unknown>) => {
    const dir = tempDir("sd-node-");
    for (const [rel, v] of Object.entries(files)) {
      spawnSync("mkdir", ["-p", join(dir, rel, "..")]);
      appendFileSync(join(dir, rel), typeof v === "string" ? v : JSON.stringify(v));
    }
    return dir;
  };
  // A pnpm 11 workspace whose members declare old engines: pnpm 11 needs Node >= 22.13, so jobs run on 24 (images exist).
  const ws = make({
    "package.json": { name: "w", private: true, packageManager: "pnpm@11.1.0", scripts: { test: "vitest run" } },
    "pnpm-workspace.yaml": "packages:\n  - packages/*\n",
    "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
    "packages/a/package.json": { name: "a", engines: { node: ">=12" }, scripts: { test: "node --test" } },
    "packages/b/package.json": { name: "b", engines: { node: ">=14" }, scripts: { test: "node --test" } },
  });
  const gl = spawnSync(process.execPath, [CLI_BUNDLE, "pipeline", ws, "--platform", "gitlab-ci", "--stages", "test"], { encoding: "utf8" });
  assert.equal(gl.status, 0, gl.stderr + gl.stdout);
  const images = [...readFileSync(join(ws, ".gitlab-ci.yml"), "utf8").matchAll(/image: "?(node:[^"\s]+)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(images)], ["node:24-bookworm-slim"]);

  // A publishable library with engines ">=20": tested on 24 and 22 (20 is end of life), one job with a matrix.
  const lib = make({
    "package.json": { name: "tiny-lib", version: "1.0.0", main: "index.js", engines: { node: ">=20" }, scripts: { test: "node --test" } },
    "package-lock.json": { name: "tiny-lib", lockfileVersion: 3, requires: true, packages: {} },
  });
  const gh = spawnSync(process.execPath, [CLI_BUNDLE, "pipeline", lib, "--platform", "github-actions", "--stages", "test"], { encoding: "utf8" });
  assert.equal(gh.status, 0, gh.stderr + gh.stdout);
  const wf = parse(readFileSync(join(lib, ".github/workflows/ci.yml"), "utf8")) as { jobs: Record<string, { strategy?: { matrix: { node: string[] } }; steps: { uses?: string; with?: Record<string, string> }[] }> };
  const job = Object.values(wf.jobs)[0]!;
  assert.deepEqual(job.strategy?.matrix.node, ["24", "22"]);
  assert.equal(job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"], "${{ matrix.node }}");
});

test("go.work: a member is re-tested when a workspace module it imports changes (path filters from the dependency closure)", () => {
  const gh = generate("monorepo-go-work", "github-actions", "test");
  const changes = readFileSync(join(gh, ".github/workflows/ci.yml"), "utf8");
  assert.match(changes, /^\s*check worker worker\/ go\.work shared\/ \.github\/workflows\/ci\.yml$/m, "worker imports github.com/acme/fleet/shared/clock");
  assert.match(changes, /^\s*check api api\/ go\.work \.github\/workflows\/ci\.yml$/m, "api imports no workspace module");
  const gl = generate("monorepo-go-work", "gitlab-ci", "test");
  const doc = parse(readFileSync(join(gl, ".gitlab-ci.yml"), "utf8")) as Record<string, { rules?: { changes?: { paths: string[] } }[] }>;
  assert.ok(doc.worker!.rules![0]!.changes!.paths.includes("shared/**/*"), JSON.stringify(doc.worker!.rules));
  assert.ok(!doc.api!.rules![0]!.changes!.paths.includes("shared/**/*"));
});
