// The proof harness: generates pipelines with the SHIPPED bundle for the fixture projects of every ecosystem, then
// EXECUTES the generated jobs: GitLab jobs through gitlab-ci-local's shell executor, GitHub jobs step by step, with
// toolchains standing in for the images and setup actions (tests/e2e/toolchains.ts) and real services on loopback.
// A job passes only when it exits 0 AND its output proves it did its work (tests/e2e/evidence.ts). Failures that
// only this sandbox causes are reported by name and do not count as passes.
//
//   npm run test:e2e                       every fixture, both platforms
//   npm run test:e2e -- python-pip go      fixtures whose name contains a word; --platform gitlab-ci|github-actions
// Writes a JSON report to $SD_E2E_REPORT when set. Exit 1 when any job fails for a reason that is not the sandbox's.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type YAMLMap, type YAMLSeq, parse, parseDocument } from "yaml";
import { missingProof, runsTests, sandboxCause, sandboxDegraded } from "./evidence.ts";
import { imageRefs, unpublished } from "./published-images.ts";
import { type Running, type ServiceSpec, startServices } from "./services.ts";
import { TOOLS, type Toolchain, forImage, merge, nodeToolchain, pythonToolchain, goToolchain, javaToolchain, rubyToolchain, phpToolchain, bunToolchain, rustToolchain, uvToolchain } from "./toolchains.ts";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const FIXTURES = join(REPO, "tests", "fixtures");
const require = createRequire(import.meta.url);
const GCL = join(dirname(require.resolve("gitlab-ci-local/package.json")), "dist", "index.js");

/** Fixture -> ecosystem label for the report; every fixture with a project is run. */
export const ECOSYSTEM: Record<string, string> = {
  // awkward-examples and awkward-gitignored are analysis edge cases of npm projects that node-npm covers; not run here.
  "node-npm": "node/npm", "awkward-two-lockfiles": "node/yarn classic",
  "node-pnpm": "node/pnpm", "node-yarn-berry": "node/yarn", "node-bun": "node/bun", "node-redis": "node/npm", "node-mongo": "node/npm",
  "node-workspaces-examples": "node/npm (workspaces)", "monorepo-pnpm-turbo": "node/pnpm (monorepo)",
  "python-pip": "python/pip", "python-poetry": "python/poetry", "python-uv": "python/uv", "python-pdm": "python/pdm", "python-pipenv": "python/pipenv",
  "python-flask-postgres": "python/pip", "go-service": "go", "monorepo-go-work": "go (workspace)", "monorepo-multi-service": "polyglot (monorepo)",
  "rust-cargo": "rust", "rust-workspace": "rust", "rust-multi-bin": "rust", "go-cmd-layout": "go", "java-maven": "java/maven", "java-gradle-kotlin-dsl": "java/gradle",
  "dotnet-sln": "dotnet", "ruby-rails": "ruby", "php-laravel": "php", "php-laravel-mysql": "php", "monorepo-npm-chain": "node/npm (monorepo)",
};

interface JobResult {
  fixture: string;
  ecosystem: string;
  platform: "gitlab-ci" | "github-actions";
  job: string;
  status: "pass" | "fail" | "sandbox" | "not-run";
  reason: string;
  notes: string[];
  seconds: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Shipped bundle: mcp-server/dist + templates copied away from node_modules, as a user gets it. SD_E2E_BUNDLE_FROM
// names another checkout's root to measure (e.g. an export of main, for before/after figures).
function shippedCli(): string {
  const dir = mkdtempSync(join(tmpdir(), "sd-e2e-shipped-"));
  const from = process.env.SD_E2E_BUNDLE_FROM ?? REPO;
  for (const entry of ["mcp-server/dist", "templates", "package.json"]) cpSync(join(from, entry), join(dir, entry), { recursive: true });
  return join(dir, "mcp-server", "dist", "cli.js");
}

function generate(cli: string, dir: string, platform: string): { warnings: string[] } {
  const out = execFileSync(process.execPath, [cli, "pipeline", dir, "--platform", platform, "--stages", "lint,test,build,security", "--json", "--force"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return JSON.parse(out) as { warnings: string[] };
}

function gitInit(dir: string): void {
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, stdio: "pipe" });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("-c", "user.email=ci@example.invalid", "-c", "user.name=ci", "commit", "-q", "-m", "init");
  git("remote", "add", "origin", "https://gitlab.example.invalid/group/project.git");
  git("update-ref", "refs/remotes/origin/main", "HEAD");
}

// Jobs run in their own process groups; stopping the harness stops them too.
const groups = new Set<number>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const g of groups) {
      try {
        process.kill(-g, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    process.exit(130);
  });
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    if (child.pid) groups.add(child.pid);
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[harness] timed out after ${opts.timeoutMs / 1000}s\n`;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    }, opts.timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (child.pid) groups.delete(child.pid);
      resolve({ code, output });
    });
  });
}

function envWith(tc: Toolchain, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  // A job sees a clean environment: nothing of the harness's own Node/npm configuration leaks in.
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|NODE_OPTIONS$|NODE_PATH$|INIT_CWD$|TSX|VIRTUAL_ENV$|PYENV_VERSION$|CARGO_TARGET_DIR$|RUSTUP_AUTO_INSTALL$|GOFLAGS$|JAVA_HOME$|CI$)/i.test(k)) base[k] = v;
  const path = [...tc.path, ...(process.env.PATH ?? "").split(delimiter).filter((p) => !p.includes("node_modules") && !p.startsWith(join(TOOLS, "bin")))];
  // The sandbox's npm registry mirror serves package metadata without signatures, which Corepack verifies when it
  // resolves a package manager's version: that check is off here (and only here). Yarn 2+ comes from
  // repo.yarnpkg.com, which this sandbox cannot resolve: Corepack takes the same release from the npm registry
  // (@yarnpkg/cli-dist) instead.
  return {
    ...base,
    ...tc.env,
    ...extra,
    PATH: path.join(delimiter),
    CI: "true",
    HOME: process.env.HOME,
    COREPACK_INTEGRITY_KEYS: "0",
    COREPACK_ENABLE_DOWNLOAD_PROMPT: "0",
    COREPACK_NPM_REGISTRY: "https://registry.npmjs.org",
  };
}

/**
 * Dependency and build caches shared by every job of a run and kept between runs (outside the repository), so the
 * harness downloads and compiles each thing once: the jobs' own cache locations (inside the checkout, for the CI
 * platform's cache) are pointed here. Only where caches live changes; what the jobs run does not. (Yarn classic's
 * cache is not safe for concurrent use, so it stays per job.)
 */
const CACHE = process.env.SD_E2E_CACHE ?? join(TOOLS, "..", "e2e-cache");
const SHARED_CACHES: Record<string, string> = {
  npm_config_cache: join(CACHE, "npm"),
  npm_config_store_dir: join(CACHE, "pnpm-store"),
  BUN_INSTALL_CACHE_DIR: join(CACHE, "bun"),
  PIP_CACHE_DIR: join(CACHE, "pip"),
  POETRY_CACHE_DIR: join(CACHE, "poetry"),
  UV_CACHE_DIR: join(CACHE, "uv"),
  PDM_CACHE_DIR: join(CACHE, "pdm"),
  GOMODCACHE: join(CACHE, "gomod"),
  GOCACHE: join(CACHE, "gobuild"),
  CARGO_HOME: join(CACHE, "cargo"),
  MAVEN_OPTS: `-Dmaven.repo.local=${join(CACHE, "m2")}`,
  GRADLE_USER_HOME: join(CACHE, "gradle"),
  COMPOSER_CACHE_DIR: join(CACHE, "composer"),
};

const SECONDS = (t0: number) => Math.round((Date.now() - t0) / 1000);

/** The command that failed: the last "$ command" a job echoed (gitlab-ci-local and our GitHub runner both echo). */
function lastCommand(output: string, commands: string[]): string | undefined {
  let last: string | undefined;
  for (const c of commands) {
    const firstLine = c.split("\n")[0]!;
    const at = output.lastIndexOf(firstLine.slice(0, 60));
    if (at >= 0 && (last === undefined || at > output.lastIndexOf(last.split("\n")[0]!.slice(0, 60)))) last = c;
  }
  return last;
}

function judge(base: Omit<JobResult, "status" | "reason">, code: number | null, output: string, commands: string[]): JobResult {
  // eslint-disable-next-line no-control-regex
  output = output.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
  const degraded = sandboxDegraded(commands, output);
  const notes = [...base.notes, ...degraded];
  if (code !== 0) {
    const failed = lastCommand(output, commands);
    const cause = sandboxCause(failed, output);
    const tail = output.trim().split("\n").slice(-12).join("\n");
    if (cause) {
      // Sandbox failure in a late step (an audit): the work before it must still be proven.
      const before = failed ? commands.slice(0, commands.indexOf(failed)) : commands;
      const missing = missingProof(before, output);
      if (missing.length === 0) return { ...base, notes, status: "sandbox", reason: `${cause} (in: ${failed?.split("\n")[0]})` };
      return { ...base, notes, status: "sandbox", reason: `${cause} (in: ${failed?.split("\n")[0]}); work before it not proven: ${missing.join(", ")}` };
    }
    return { ...base, notes, status: "fail", reason: `exit ${code}${failed ? ` in: ${failed.split("\n")[0]}` : ""}\n${tail}` };
  }
  const missing = missingProof(commands, output);
  if (missing.length) return { ...base, notes, status: "fail", reason: `exit 0 but no proof that: ${missing.join(", ")}\n${output.trim().split("\n").slice(-8).join("\n")}` };
  if (!runsTests(commands) && commands.some((c) => /test/.test(c))) notes.push("test command without a known proof line");
  return { ...base, notes, status: degraded.length ? "sandbox" : "pass", reason: degraded.join("; ") || (runsTests(commands) ? "tests ran" : "commands ran") };
}

// ---------------------------------------------------------------------------------------------------------------
// Services: GitLab `services:` and GitHub `services:` become Debian servers on loopback. GitLab reaches them by
// alias (postgres, mysql, redis): those names resolve to 127.0.0.1 through /etc/hosts while the job runs.
const HOSTS = "/etc/hosts";
function withAliases<T>(aliases: string[], fn: () => Promise<T>): Promise<T> {
  if (aliases.length === 0) return fn();
  const original = readFileSync(HOSTS, "utf8");
  writeFileSync(HOSTS, `${original.trimEnd()}\n127.0.0.1 ${aliases.join(" ")} # senior-devops e2e\n`);
  return fn().finally(() => writeFileSync(HOSTS, original));
}

async function withServices<T>(specs: ServiceSpec[], work: string, fn: (running: Running[]) => Promise<T>): Promise<T | { code: number; output: string }> {
  if (specs.length === 0) return fn([]);
  let started: Awaited<ReturnType<typeof startServices>>;
  try {
    started = await startServices(specs, work);
  } catch (e) {
    // A service that does not start fails the job (with the reason), not the whole run.
    return { code: 1, output: `[harness] services did not start: ${(e as Error).message}\n` };
  }
  const { running, unknown } = started;
  try {
    if (unknown.length) throw new Error(`service images with no stand-in: ${unknown.join(", ")}`);
    return await fn(running);
  } finally {
    for (const r of running) await r.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// GitLab
type GitlabJob = { image?: string | { name: string }; script?: (string | string[])[]; services?: (string | { name: string; alias?: string; variables?: Record<string, string> })[]; variables?: Record<string, string> };

/**
 * Release downloads from github.com cannot work here: the golangci-lint release install (download, checksum, untar)
 * is replaced by the same version built from the Go module proxy (.ci/tools/golangci-lint.sh). Returns the notes.
 */
function substituteGithubDownloads(file: string): string[] {
  const doc = parseDocument(readFileSync(file, "utf8"));
  const notes: string[] = [];
  const bin = join(TOOLS, "golangci-lint", "bin", "golangci-lint");
  for (const item of (doc.contents as YAMLMap).items) {
    const script = (item.value as YAMLMap | null)?.get?.("script") as YAMLSeq | undefined;
    if (!script?.items) continue;
    const lines = script.items.map((n) => String((n as { value?: unknown }).value ?? n));
    if (!lines.some((l) => l.includes("golangci-lint/releases/download"))) continue;
    const out: string[] = [];
    for (const entry of lines) {
      const kept: string[] = [];
      for (const l of entry.split("\n")) {
        if (l.includes("golangci-lint/releases/download")) continue;
        const untar = l.match(/^tar -xzf \/tmp\/golangci-lint\/\S+ -C (\S+) /);
        kept.push(untar ? `cp ${JSON.stringify(bin)} ${untar[1]}/golangci-lint` : l);
      }
      if (kept.length) out.push(kept.join("\n"));
    }
    (item.value as YAMLMap).set("script", out);
    notes.push("golangci-lint release download (github.com) -> same version built from the Go module proxy");
  }
  writeFileSync(file, doc.toString());
  return [...new Set(notes)];
}

async function runGitlab(fixture: string, dir: string, work: string): Promise<JobResult[]> {
  const doc = parse(readFileSync(join(dir, ".gitlab-ci.yml"), "utf8")) as Record<string, GitlabJob>;
  const substituted = substituteGithubDownloads(join(dir, ".gitlab-ci.yml"));
  // gitlab-ci-local creates a Docker network for any job with services, even with the shell executor: the harness
  // starts the services itself (from the definitions read above) and hides them from gitlab-ci-local.
  const stripped = parseDocument(readFileSync(join(dir, ".gitlab-ci.yml"), "utf8"));
  let strippedAny = false;
  for (const item of (stripped.contents as YAMLMap).items) {
    const job = item.value as YAMLMap | null;
    if (job?.has?.("services")) {
      job.delete("services");
      strippedAny = true;
    }
  }
  if (strippedAny) writeFileSync(join(dir, ".gitlab-ci.yml"), stripped.toString());
  const results: JobResult[] = [];
  const node22 = join(TOOLS, "bin", "node22");
  for (const [name, job] of Object.entries(doc)) {
    if (!job || typeof job !== "object" || !("script" in job) || name.startsWith(".")) continue;
    const base = { fixture, ecosystem: ECOSYSTEM[fixture] ?? "?", platform: "gitlab-ci" as const, job: name, notes: [...substituted] as string[], seconds: 0 };
    const image = typeof job.image === "string" ? job.image : job.image?.name ?? "";
    const tc = forImage(image, join(work, `gl-${name}`));
    if (tc.unavailable) {
      results.push({ ...base, status: "not-run", reason: tc.unavailable });
      continue;
    }
    if (!existsSync(node22)) throw new Error("gitlab-ci-local needs Node 22: run bash .ci/install-tools e2e (node-runtimes.sh)");
    const commands = (job.script ?? []).flat().map(String);
    const globals = (doc.variables ?? {}) as Record<string, string>;
    const specs: ServiceSpec[] = (job.services ?? []).map((s) => ({ image: typeof s === "string" ? s : s.name, env: { ...globals, ...(job.variables ?? {}), ...(typeof s === "string" ? {} : s.variables ?? {}) } }));
    const aliases = (job.services ?? []).map((s) => (typeof s === "string" ? s.split(":")[0]!.split("/").pop()! : s.alias ?? s.name.split(":")[0]!.split("/").pop()!));
    const t0 = Date.now();
    const { code, output } = await withServices(specs, join(work, `gl-${name}-svc`), (running) =>
      withAliases(aliases, async () => {
        base.notes.push(...tc.notes, ...running.map((r) => r.note));
        const cacheVars = Object.entries(job.variables ?? {}).filter(([k]) => k in SHARED_CACHES).flatMap(([k]) => ["--variable", `${k}=${SHARED_CACHES[k]}`]);
        return run(node22, [GCL, "--force-shell-executor", "--variable", `CI_PROJECT_DIR=${dir}`, ...cacheVars, "--no-color", name], { cwd: dir, env: envWith(tc), timeoutMs: 20 * 60_000 });
      }),
    );
    base.seconds = SECONDS(t0);
    writeFileSync(join(work, `gitlab-${name}.log`), output);
    // gitlab-ci-local's own verdict line must agree with the exit code.
    const verdict = code === 0 && new RegExp(`PASS\\s+${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`).test(output) ? 0 : code === 0 ? 1 : code;
    results.push(judge(base, verdict, output, commands));
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// GitHub Actions: `run:` steps under bash -eo pipefail (GitHub's default shell), setup actions emulated by toolchains.
type Step = { name?: string; uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string>; if?: string; "working-directory"?: string; shell?: string };
type GhJob = { "runs-on"?: string; steps?: Step[]; env?: Record<string, string>; services?: Record<string, { image: string; env?: Record<string, string> }>; defaults?: { run?: { "working-directory"?: string } }; if?: string; strategy?: { matrix?: Record<string, unknown[]> }; container?: unknown };

/** Setup actions this harness emulates; any other `uses:` makes the job "not run", naming the action. */
function emulateAction(step: Step, work: string): Toolchain | "noop" | string {
  const action = step.uses!.split("@")[0]!;
  const w = step.with ?? {};
  switch (action) {
    case "actions/checkout":
    case "actions/cache":
    // A cache action on a cold cache restores nothing, as on a runner's first run.
    case "Swatinem/rust-cache":
    case "actions/upload-artifact":
      return "noop";
    case "actions/setup-node": return nodeToolchain(String(w["node-version"] ?? "24"));
    case "actions/setup-python": return pythonToolchain(String(w["python-version"] ?? "3.13"), work);
    case "actions/setup-go": return goToolchain(String(w["go-version"] ?? "stable"), work);
    case "actions/setup-java": return javaToolchain(String(w["java-version"] ?? "17"));
    case "ruby/setup-ruby": return rubyToolchain(String(w["ruby-version"] ?? "3"));
    case "shivammathur/setup-php": return phpToolchain();
    case "oven-sh/setup-bun": return bunToolchain(String(w["bun-version"] ?? "1.3"));
    case "astral-sh/setup-uv": return uvToolchain();
    case "dtolnay/rust-toolchain": return rustToolchain(String(w.toolchain ?? "stable"));
    case "pnpm/action-setup": return "pnpm";
    case "golangci/golangci-lint-action": return "golangci-lint";
    default: return `${action} is not emulated (no container/remote service here)`;
  }
}

const expr = (s: string, ctx: Record<string, string>) => s.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (all, e: string) => (e in ctx ? ctx[e]! : all));

async function runGithub(fixture: string, dir: string, work: string): Promise<JobResult[]> {
  const results: JobResult[] = [];
  const wfDir = join(dir, ".github", "workflows");
  for (const file of readdirSync(wfDir)) {
    const wf = parse(readFileSync(join(wfDir, file), "utf8")) as { jobs: Record<string, GhJob>; env?: Record<string, string> };
    for (const [name, job] of Object.entries(wf.jobs)) {
      const base = { fixture, ecosystem: ECOSYSTEM[fixture] ?? "?", platform: "github-actions" as const, job: `${file}:${name}`, notes: [] as string[], seconds: 0 };
      if (name === "changes" || (job.steps ?? []).some((st) => /github\.event\.(pull_request|before)/.test(JSON.stringify(st.env ?? {})))) {
        results.push({ ...base, status: "not-run", reason: "path-filter job: needs the GitHub event payload (base SHA), which no local run has" });
        continue;
      }
      if (job.if && /needs\.changes/.test(job.if)) base.notes.push(`run although it is gated on the changes job (${job.if})`);
      if (job.if && /event_name == 'push'|github\.ref ==|startsWith\(github\.ref/.test(job.if)) {
        results.push({ ...base, status: "not-run", reason: `runs only on pushes to the default branch (if: ${job.if})` });
        continue;
      }
      const jwork = join(work, `gh-${name}`);
      const matrix: Record<string, string> = {};
      for (const [k, v] of Object.entries(job.strategy?.matrix ?? {})) if (Array.isArray(v) && v.length) matrix[`matrix.${k}`] = String(v[0]);
      if (Object.keys(matrix).length) base.notes.push(`matrix: first entry only (${Object.entries(matrix).map(([k, v]) => `${k}=${v}`).join(", ")})`);
      let tc: Toolchain = { path: [], env: {}, notes: [] };
      let blocked: string | undefined;
      const steps: { name: string; run: string; cwd: string; env: Record<string, string> }[] = [];
      const pre: string[] = [];
      for (const step of job.steps ?? []) {
        if (step.if && /event_name == 'push'|github\.ref ==|failure\(\)/.test(step.if)) continue;
        if (step.uses) {
          const e = emulateAction({ ...step, with: Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expr(String(v), matrix)])) }, jwork);
          if (e === "noop") continue;
          if (e === "pnpm") {
            pre.push("corepack enable --install-directory \"$SD_E2E_BIN\" pnpm");
            continue;
          }
          if (e === "golangci-lint") {
            // The action downloads the release from github.com; the same version built from the Go module proxy runs instead.
            base.notes.push("golangci-lint-action -> golangci-lint built from the Go module proxy");
            const wd = step.with?.["working-directory"] ?? ".";
            steps.push({ name: "golangci-lint (action)", run: `${JSON.stringify(join(TOOLS, "golangci-lint", "bin", "golangci-lint"))} run ${step.with?.args ?? ""}`.trim(), cwd: join(dir, wd), env: {} });
            continue;
          }
          if (typeof e === "string") {
            blocked = e;
            break;
          }
          if (e.unavailable) {
            blocked = e.unavailable;
            break;
          }
          tc = merge(tc, e);
          if (step.uses.startsWith("ruby/setup-ruby") && String(step.with?.["bundler-cache"]) === "true") steps.push({ name: "bundler-cache (ruby/setup-ruby)", run: "bundle install", cwd: dir, env: {} });
          continue;
        }
        if (step.run === undefined) continue;
        const run = expr(step.run, matrix);
        if (/\$\{\{/.test(run)) base.notes.push(`unresolved expression left to bash in: ${run.split("\n")[0]}`);
        const wd = step["working-directory"] ?? job.defaults?.run?.["working-directory"] ?? ".";
        steps.push({ name: step.name ?? run.split("\n")[0]!, run, cwd: join(dir, expr(wd, matrix)), env: Object.fromEntries(Object.entries({ ...(wf.env ?? {}), ...(job.env ?? {}), ...(step.env ?? {}) }).map(([k, v]) => [k, expr(String(v), matrix)])) });
      }
      if (blocked) {
        results.push({ ...base, status: "not-run", reason: blocked });
        continue;
      }
      const bin = join(jwork, "bin");
      execFileSync("mkdir", ["-p", bin]);
      // ubuntu-latest ships pipx; give the job one (from PyPI) when it uses it.
      if (steps.some((s) => /\bpipx\b/.test(s.run))) {
        const pv = join(jwork, "pipx-venv");
        execFileSync("python3", ["-m", "venv", pv]);
        execFileSync(join(pv, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", "pipx"]);
        execFileSync("ln", ["-sf", join(pv, "bin", "pipx"), join(bin, "pipx")]);
        tc = merge(tc, { path: [], env: { PIPX_HOME: join(jwork, "pipx"), PIPX_BIN_DIR: bin }, notes: ["pipx from PyPI (ubuntu-latest ships it)"] });
      }
      const specs: ServiceSpec[] = Object.values(job.services ?? {}).map((s) => ({ image: s.image, env: s.env ?? {} }));
      const t0 = Date.now();
      const env = envWith(merge({ path: [bin], env: { SD_E2E_BIN: bin, GITHUB_WORKSPACE: dir, RUNNER_TEMP: jwork, ...SHARED_CACHES }, notes: [] }, tc));
      const all = [...pre.map((p) => ({ name: "pnpm/action-setup (corepack)", run: p, cwd: dir, env: {} })), ...steps];
      let output = "";
      let code: number | null = 0;
      const svc = await withServices(specs, join(jwork, "svc"), async (running) => {
        base.notes.push(...tc.notes, ...running.map((r) => r.note));
        for (const s of all) {
          output += `\n[step] ${s.name}\n$ ${s.run}\n`;
          const r = await run("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", s.run], { cwd: s.cwd, env: { ...env, ...s.env }, timeoutMs: 20 * 60_000 });
          output += r.output;
          if (r.code !== 0) {
            code = r.code;
            break;
          }
        }
      });
      if (svc && typeof svc === "object") ({ code, output } = svc);
      base.seconds = SECONDS(t0);
      writeFileSync(join(work, `github-${name}.log`), output);
      results.push(judge(base, code, output, all.map((s) => s.run)));
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const platformArg = args.indexOf("--platform");
  const platforms = platformArg >= 0 ? [args[platformArg + 1]!] : ["gitlab-ci", "github-actions"];
  const words = args.filter((a, i) => !a.startsWith("--") && (platformArg < 0 || i !== platformArg + 1));
  const fixtures = readdirSync(FIXTURES).filter((f) => ECOSYSTEM[f] && (words.length === 0 || words.some((w) => f.includes(w)))).sort();
  if (fixtures.length === 0) throw new Error("no fixture matched");
  const cli = shippedCli();
  const results: JobResult[] = [];
  const imageProblems: string[] = [];
  const keep = process.env.SD_E2E_KEEP === "1";
  for (const fixture of fixtures) {
    // Image tags: every platform's generated files, checked against the published tags.
    for (const platform of ["gitlab-ci", "github-actions", "circleci", "jenkins"]) {
      const d = mkdtempSync(join(tmpdir(), `sd-e2e-img-${fixture}-`));
      cpSync(join(FIXTURES, fixture), d, { recursive: true });
      generate(cli, d, platform);
      for (const f of ["Jenkinsfile", ".gitlab-ci.yml", ".circleci/config.yml", ...(existsSync(join(d, ".github/workflows")) ? readdirSync(join(d, ".github/workflows")).map((w) => `.github/workflows/${w}`) : [])]) {
        if (!existsSync(join(d, f))) continue;
        for (const ref of imageRefs(readFileSync(join(d, f), "utf8"))) {
          const why = unpublished(ref);
          if (why) imageProblems.push(`${fixture} ${platform} ${f}: ${why}`);
        }
      }
      rmSync(d, { recursive: true, force: true });
    }
    for (const platform of platforms) {
      const work = mkdtempSync(join(tmpdir(), `sd-e2e-${fixture}-${platform}-`));
      const dir = join(work, fixture);
      cpSync(join(FIXTURES, fixture), dir, { recursive: true });
      const { warnings } = generate(cli, dir, platform);
      gitInit(dir);
      const t0 = Date.now();
      const got = platform === "gitlab-ci" ? await runGitlab(fixture, dir, work) : await runGithub(fixture, dir, work);
      if (got.length === 0) got.push({ fixture, ecosystem: ECOSYSTEM[fixture]!, platform: platform as JobResult["platform"], job: "-", status: "fail", reason: `no job generated; warnings: ${warnings.join(" | ")}`, notes: [], seconds: 0 });
      for (const r of got) {
        results.push(r);
        const mark = { pass: "PASS", fail: "FAIL", sandbox: "SANDBOX", "not-run": "NOT RUN" }[r.status];
        console.log(`${mark.padEnd(8)} ${platform.padEnd(15)} ${fixture}:${r.job} (${r.seconds}s) ${r.reason.split("\n")[0]}`);
        if (r.status === "fail") console.log(r.reason.split("\n").slice(1).map((l) => `         | ${l}`).join("\n"));
        if (r.notes.length) console.log(`         notes: ${r.notes.join("; ")}`);
      }
      console.log(`         (${fixture} on ${platform}: ${SECONDS(t0)}s; logs in ${relative(process.cwd(), work) && work})`);
      if (!keep && got.every((r) => r.status === "pass")) rmSync(work, { recursive: true, force: true });
    }
  }
  // Per ecosystem: jobs run / passing, sandbox failures by name.
  console.log("\nper ecosystem (platform: passed/run, sandbox, not run):");
  const byEco = new Map<string, JobResult[]>();
  for (const r of results) byEco.set(r.ecosystem, [...(byEco.get(r.ecosystem) ?? []), r]);
  for (const [eco, rs] of [...byEco].sort()) {
    const line = ["gitlab-ci", "github-actions"].map((p) => {
      const x = rs.filter((r) => r.platform === p);
      const ran = x.filter((r) => r.status !== "not-run");
      return `${p} ${x.filter((r) => r.status === "pass").length}/${ran.length}${x.some((r) => r.status === "sandbox") ? ` sandbox ${x.filter((r) => r.status === "sandbox").length}` : ""}${x.some((r) => r.status === "not-run") ? ` not-run ${x.filter((r) => r.status === "not-run").length}` : ""}`;
    });
    console.log(`  ${eco.padEnd(24)} ${line.join(" | ")}`);
  }
  const sandbox = [...new Set(results.filter((r) => r.status === "sandbox").map((r) => r.reason.replace(/ \(in: .*$/, "")))];
  if (sandbox.length) console.log(`sandbox-only failures: ${sandbox.join("; ")}`);
  const notRun = [...new Set(results.filter((r) => r.status === "not-run").map((r) => r.reason))];
  if (notRun.length) console.log(`not run: ${notRun.join("; ")}`);
  if (imageProblems.length) console.log(`unpublished image tags:\n  ${imageProblems.join("\n  ")}`);
  if (process.env.SD_E2E_REPORT) writeFileSync(process.env.SD_E2E_REPORT, JSON.stringify({ results, imageProblems }, null, 2));
  const passed = results.filter((r) => r.status === "pass").length;
  const failed = results.filter((r) => r.status === "fail").length + imageProblems.length;
  console.log(`\ne2e jobs: ${results.length} (sandbox-only ${results.filter((r) => r.status === "sandbox").length}, not run ${results.filter((r) => r.status === "not-run").length}); image tags checked`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
