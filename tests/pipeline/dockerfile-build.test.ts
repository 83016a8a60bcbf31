// Generated Go and Rust Dockerfiles are built for real, as far as this machine can without a Docker engine: the
// build stage's RUN commands run with the local toolchain on a copy of the build context the workflow names, and
// the final stage's COPY --from=build source and CMD must be the program that build produced. A Dockerfile that
// names a binary the project does not build (a bin target, a main package in cmd/, a go.work member that imports a
// sibling module) fails here, not on the user's first push.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { accessSync, constants, cpSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { tempDir } from "../helpers.ts";
import { FIXTURES, generateShipped } from "../shipped.ts";

interface Stage { from: string; alias?: string; lines: { op: string; args: string }[] }

/** Stages of a Dockerfile as instruction lists (our templates: one instruction per line, no continuations). */
function stages(dockerfile: string): Stage[] {
  const out: Stage[] = [];
  for (const raw of dockerfile.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [op, ...rest] = line.split(/\s+/);
    const args = rest.join(" ");
    if (op!.toUpperCase() === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      out.push({ from: m[1]!, alias: m[2], lines: [] });
    } else out.at(-1)!.lines.push({ op: op!.toUpperCase(), args });
  }
  return out;
}

/** Docker build steps of the generated workflow: Dockerfile path -> build context. */
function buildContexts(workflow: string): Map<string, string> {
  const doc = parse(workflow) as { jobs: Record<string, { steps?: { uses?: string; with?: Record<string, string> }[] }> };
  const out = new Map<string, string>();
  for (const job of Object.values(doc.jobs)) {
    for (const step of job.steps ?? []) {
      if (step.uses?.startsWith("docker/build-push-action@") && step.with?.file) out.set(step.with.file, step.with.context ?? ".");
    }
  }
  return out;
}

const toolchain = (cmd: string) => spawnSync(cmd, ["version"], { encoding: "utf8" }).status === 0 || spawnSync(cmd, ["--version"], { encoding: "utf8" }).status === 0;
// The image's toolchain is the project's version; here the machine's own builds it (no downloads of other versions).
const BUILD_ENV = { ...process.env, GOTOOLCHAIN: "local", RUSTUP_TOOLCHAIN: "stable", CARGO_TERM_COLOR: "never" };

const CASES: { fixture: string; tool: string; programs: Record<string, string>; builds?: Record<string, string> }[] = [
  // Package `kvstore` declares [[bin]] kvstore-server and kvstore-cli: the image runs the server.
  { fixture: "rust-multi-bin", tool: "cargo", programs: { Dockerfile: "kvstore-server" } },
  // A virtual workspace manifest: the program is the `logq` bin of the crates/cli member.
  { fixture: "rust-workspace", tool: "cargo", programs: { Dockerfile: "logq" } },
  // Main packages cmd/orders-api and cmd/migrate (and a `//go:build ignore` generator): the image runs the API.
  { fixture: "go-cmd-layout", tool: "go", programs: { Dockerfile: "app" }, builds: { Dockerfile: "-o /out/app ./cmd/orders-api" } },
  // worker imports the shared module through go.work, so its build context is the workspace root.
  { fixture: "monorepo-go-work", tool: "go", programs: { "api/Dockerfile": "app", "worker/Dockerfile": "app" }, builds: { "api/Dockerfile": "-o /out/app .\"", "worker/Dockerfile": "-o /out/app ./worker\"" } },
];

for (const c of CASES) {
  test(`${c.fixture}: the generated Dockerfile's build stage produces the program its final stage copies and runs`, { skip: toolchain(c.tool) ? false : `${c.tool} not installed` }, async () => {
    const dir = tempDir(`sd-dockerbuild-${c.fixture}-`);
    cpSync(join(FIXTURES, c.fixture), dir, { recursive: true });
    const result = await generateShipped(dir, { platform: "github-actions", stages: ["test", "docker"] });
    const workflow = result.written.find((f) => f.path.startsWith(".github/workflows/"));
    assert.ok(workflow, "no workflow written");
    const contexts = buildContexts(workflow.content);
    for (const [path, program] of Object.entries(c.programs)) {
      const dockerfile = result.written.find((f) => f.path === path);
      assert.ok(dockerfile, `${path} not generated; wrote ${result.written.map((f) => f.path).join(", ")}`);
      const context = contexts.get(path);
      assert.ok(context !== undefined, `${path} is not built by the workflow`);
      const [build, final] = stages(dockerfile.content);
      if (c.builds?.[path]) assert.ok(dockerfile.content.includes(c.builds[path]), `${path} does not build ${c.builds[path]}:\n${dockerfile.content}`);
      assert.equal(build?.alias, "build");

      // The build stage, with / of the image mapped to a private directory.
      const root = tempDir("sd-dockerroot-");
      const src = join(root, "src");
      cpSync(join(FIXTURES, c.fixture, context), src, { recursive: true });
      const inRoot = (cmd: string) => cmd.replace(/(^|[\s=])\/(out|usr\/local\/bin)\//g, (_m, pre: string, d: string) => `${pre}${root}/${d}/`);
      mkdirSync(join(root, "out"), { recursive: true });
      mkdirSync(join(root, "usr/local/bin"), { recursive: true });
      for (const { op, args } of build!.lines) {
        if (op !== "RUN") continue;
        const argv = (JSON.parse(args) as string[]).map(inRoot);
        const r = spawnSync(argv[0]!, argv.slice(1), { cwd: src, env: BUILD_ENV, encoding: "utf8", timeout: 600_000 });
        assert.equal(r.status, 0, `${path}: RUN ${args} failed:\n${r.stdout}\n${r.stderr}`);
      }

      const copy = final!.lines.find((l) => l.op === "COPY" && l.args.startsWith("--from=build "));
      assert.ok(copy, `${path}: the final stage copies nothing from the build`);
      const [from, to] = copy.args.split(/\s+/).slice(1);
      const built = join(root, from!);
      assert.ok(existsSync(built) && statSync(built).isFile(), `${path}: the build produced no ${from}`);
      accessSync(built, constants.X_OK);
      assert.ok(to!.endsWith(`/${program}`), `${path}: copies ${to}, expected the program ${program}`);
      const cmd = JSON.parse(final!.lines.find((l) => l.op === "CMD")!.args) as string[];
      assert.equal(cmd[0], to, `${path}: CMD runs ${cmd[0]}, not the program copied to ${to}`);
    }
  });
}
