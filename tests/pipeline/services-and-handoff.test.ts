import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { CLI_BUNDLE, copyFixture } from "../integration/support.ts";

/**
 * What the shipped bundle writes for two hand-offs that no single-job check sees: test services reaching the test
 * step (CircleCI secondary containers, GitLab services), and the pushed digest reaching the deploy job on GitLab
 * (dotenv report), Jenkins (build environment) and CircleCI (workspace): the writer and the reader use one name.
 */

function generate(fixture: string, platform: string, stages?: string): string {
  const dir = copyFixture(fixture);
  const args = [CLI_BUNDLE, "pipeline", dir, "--platform", platform, "--quiet", ...(stages ? ["--stages", stages] : [])];
  const r = spawnSync(process.execPath, args, { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return dir;
}

type CircleStep = string | { run?: { name: string; command: string } } & Record<string, unknown>;
type CircleJob = { docker: { image: string; environment?: Record<string, string> }[]; environment?: Record<string, string>; steps: CircleStep[] };

/** A connection setting that names `host`: a *_HOST variable, or the host part of a URL. */
const reachesHost = ([key, value]: [string, string], host: string) =>
  (/HOST$/.test(key) && value === host) || value.includes(`@${host}:`) || value.includes(`//${host}:`);

const SERVICE_FIXTURES: [fixture: string, kind: string, port: number][] = [
  ["python-flask-postgres", "postgres", 5432],
  ["php-laravel-mysql", "mysql", 3306],
  ["node-redis", "redis", 6379],
  ["node-mongo", "mongodb", 27017],
];

test("CircleCI: test services are secondary containers with their settings; the job waits for them before its commands", () => {
  for (const [fixture, kind, port] of SERVICE_FIXTURES) {
    const dir = generate(fixture, "circleci");
    const config = parse(readFileSync(join(dir, ".circleci/config.yml"), "utf8")) as { jobs: Record<string, CircleJob> };
    const withService = Object.entries(config.jobs).filter(([, job]) => job.docker.length > 1);
    assert.equal(withService.length, 1, `${fixture}: one project job runs the tests`);
    const [id, job] = withService[0]!;
    const secondary = job.docker.slice(1);
    assert.ok(secondary.some((c) => c.image.startsWith(kind === "mongodb" ? "mongo:" : kind)), `${fixture}: ${kind} image among ${JSON.stringify(secondary)}`);
    for (const c of secondary) assert.deepEqual(Object.keys(c).filter((k) => k !== "image" && k !== "environment"), [], `${fixture}: only documented keys`);
    if (kind !== "redis" && kind !== "mongodb") assert.ok(secondary.some((c) => Object.keys(c.environment ?? {}).length > 0), `${fixture}: the database gets its credentials`);
    // Secondary containers share the primary's network: the connection env points at localhost.
    for (const entry of Object.entries(job.environment ?? {})) assert.ok(!reachesHost(entry, kind), `${fixture}: ${entry.join("=")} names the ${kind} container, not localhost`);
    assert.ok(Object.entries(job.environment ?? {}).some((e) => reachesHost(e, "127.0.0.1")), `${fixture}: connection env on localhost`);
    const runs = job.steps.flatMap((s) => (typeof s === "object" && s.run ? [s.run] : []));
    const wait = runs.findIndex((r) => r.name.startsWith("Wait for"));
    assert.ok(wait >= 0, `${fixture}/${id}: a wait step`);
    assert.match(runs[wait]!.command, new RegExp(`/dev/tcp/127\\.0\\.0\\.1/${port}\\b`));
    const firstProjectCommand = runs.findIndex((r) => /test|install|lint|migrate/i.test(r.name) && !r.name.startsWith("Wait"));
    assert.ok(firstProjectCommand === -1 || wait < runs.findIndex((r) => /test/i.test(r.name)), `${fixture}: waits before the tests`);
  }
});

test("GitLab: test services run as services with their alias, and the job's variables configure them", () => {
  for (const [fixture, kind] of SERVICE_FIXTURES) {
    const dir = generate(fixture, "gitlab-ci");
    const jobs = parse(readFileSync(join(dir, ".gitlab-ci.yml"), "utf8")) as Record<string, { services?: { name: string; alias: string }[]; variables?: Record<string, string> }>;
    const withService = Object.values(jobs).filter((job) => job?.services?.some((s) => s.alias === kind));
    assert.equal(withService.length, 1, fixture);
    assert.ok(Object.entries(withService[0]!.variables ?? {}).some((e) => reachesHost(e, kind)), `${fixture}: connection through the alias ${kind}`);
  }
});

const STAGES = "lint,test,build,security,docker,deploy";

test("GitLab digest hand-off: the push job's dotenv report names the variable both deploy jobs read, through needs", () => {
  const dir = generate("node-npm", "gitlab-ci", STAGES);
  const jobs = parse(readFileSync(join(dir, ".gitlab-ci.yml"), "utf8")) as Record<string, { script?: string[]; needs?: { job: string }[]; artifacts?: { reports?: { dotenv?: string } } }>;
  const pushIds = Object.keys(jobs).filter((id) => id.endsWith("-image-push"));
  assert.ok(pushIds.length > 0);
  for (const id of pushIds) {
    const push = jobs[id]!;
    assert.equal(push.artifacts?.reports?.dotenv, "image.env");
    const written = push.script!.join("\n").match(/echo "([A-Z0-9_]+)=\$DIGEST" > image\.env/);
    assert.ok(written, `${id}: writes its digest to image.env`);
    assert.match(push.script!.join("\n"), /--metadata-file image-metadata\.json --push/);
    assert.match(push.script!.join("\n"), /--sbom=true --provenance=mode=max/);
    assert.match(push.script!.join("\n"), /cosign sign --yes "\$IMAGE@\$DIGEST"/);
    for (const env of ["staging", "production"]) {
      const deploy = jobs[`deploy-${env}`]!;
      assert.ok(deploy.needs?.some((n) => n.job === id), `deploy-${env} needs ${id} (dotenv reports reach a job through needs)`);
      assert.match(deploy.script!.at(-1)!, new RegExp(`"\\$\\{${written[1]}:-\\}"`), `deploy-${env} reads ${written[1]}`);
    }
  }
  for (const scan of ["secret-scan", "filesystem-scan"]) assert.ok(jobs["deploy-staging"]!.needs!.some((n) => n.job === scan), `${scan} gates the deploy`);
  for (const [id, job] of Object.entries(jobs)) {
    if ((job as { stage?: string })?.stage === "check") assert.ok(jobs["deploy-staging"]!.needs!.some((n) => n.job === id), `the tests of ${id} gate the deploy`);
  }
});

test("Jenkins digest hand-off: the push stage sets a build environment variable the deploy stages read", () => {
  const dir = generate("go-service", "jenkins", STAGES);
  const jenkinsfile = readFileSync(join(dir, "Jenkinsfile"), "utf8");
  const names = [...jenkinsfile.matchAll(/env\.([A-Z0-9_]+) = sh\(label: 'Pushed digest', returnStdout: true/g)].map((m) => m[1]!);
  assert.ok(names.length > 0, "a push stage records its digest");
  for (const name of names) {
    const reads = [...jenkinsfile.matchAll(new RegExp(`deploy_overlay deploy/[a-z0-9-]+/overlays/(staging|production) \\S+ "\\$\\{${name}:-\\}"`, "g"))].map((m) => m[1]);
    assert.deepEqual(reads.sort(), ["production", "staging"], `${name} read by both deploy stages`);
  }
});

test("CircleCI digest hand-off: image jobs persist the digest file the deploy jobs attach and read; no other job touches the workspace", () => {
  const dir = generate("rust-cargo", "circleci", STAGES);
  const config = parse(readFileSync(join(dir, ".circleci/config.yml"), "utf8")) as { jobs: Record<string, CircleJob> };
  const stepOf = (job: CircleJob, key: string) => job.steps.find((s) => typeof s === "object" && key in s) as Record<string, any> | undefined;
  let imageJobs = 0;
  for (const [id, job] of Object.entries(config.jobs)) {
    const persist = stepOf(job, "persist_to_workspace");
    const attach = stepOf(job, "attach_workspace");
    const commands = job.steps.flatMap((s) => (typeof s === "object" && s.run ? [s.run.command] : [])).join("\n");
    if (id.startsWith("image-")) {
      imageJobs++;
      assert.deepEqual(persist?.persist_to_workspace, { root: "/tmp/workspace", paths: ["digests"] }, id);
      const file = commands.match(/: > (\/tmp\/workspace\/digests\/[A-Z0-9_]+)/)?.[1];
      assert.ok(file, `${id}: creates its digest file on every branch (the workspace must have it)`);
      assert.ok(commands.includes(`> ${file}\nfi`), `${id}: writes the pushed digest to ${file}`);
      for (const deployId of Object.keys(config.jobs).filter((d) => d.startsWith("deploy-"))) {
        const deploy = config.jobs[deployId]!;
        assert.deepEqual(stepOf(deploy, "attach_workspace")?.attach_workspace, { at: "/tmp/workspace" }, deployId);
        assert.ok(deploy.steps.some((s) => typeof s === "object" && s.run?.command.includes(`"$(cat ${file} 2>/dev/null || true)"`)), `${deployId} reads ${file}`);
      }
    } else if (!id.startsWith("deploy-")) {
      assert.equal(persist, undefined, `${id} must not persist a workspace it has nothing in`);
      assert.equal(attach, undefined, id);
    }
  }
  assert.ok(imageJobs > 0);
});

test("CircleCI: the security scans gate every deploy chain (in a path-filtered monorepo, each deploying workflow runs them on the default branch)", () => {
  for (const fixture of ["node-npm", "monorepo-multi-service"]) {
    const dir = generate(fixture, "circleci", STAGES);
    const file = fixture === "node-npm" ? ".circleci/config.yml" : ".circleci/continue_config.yml";
    const config = parse(readFileSync(join(dir, file), "utf8")) as { workflows: Record<string, { jobs: (string | Record<string, { name?: string; requires?: string[]; filters?: unknown }>)[] }> };
    let chains = 0;
    for (const [name, wf] of Object.entries(config.workflows)) {
      const entries = wf.jobs.map((e) => (typeof e === "string" ? { job: e, opts: {} as { name?: string; requires?: string[]; filters?: unknown } } : { job: Object.keys(e)[0]!, opts: Object.values(e)[0] ?? {} }));
      for (const staging of entries.filter((e) => e.job.startsWith("deploy-staging"))) {
        chains++;
        const scans = entries.filter((e) => e.job === "security" || e.job === "secret-scan").map((e) => e.opts.name ?? e.job);
        assert.equal(scans.length, 2, `${fixture}/${name}: both scans in the deploying workflow`);
        for (const scan of scans) assert.ok(staging.opts.requires?.includes(scan), `${fixture}/${name}: ${staging.job} requires ${scan}`);
      }
    }
    assert.ok(chains > 0, fixture);
  }
});

test("Jenkins and CircleCI: each pushed digest gets an SBOM, a signature and a signed SBOM attestation, with checksum-verified tools and a stored key", () => {
  const jenkins = readFileSync(join(generate("go-service", "jenkins", STAGES), "Jenkinsfile"), "utf8");
  assert.match(jenkins, /withCredentials\(\[file\(credentialsId: 'cosign-key', variable: 'COSIGN_KEY_FILE'\), string\(credentialsId: 'cosign-password', variable: 'COSIGN_PASSWORD'\)\]\) \{\n\s+sh label: 'SBOM, signature and SBOM attestation'/);
  const circle = parse(readFileSync(join(generate("rust-cargo", "circleci", STAGES), ".circleci/config.yml"), "utf8")) as { jobs: Record<string, CircleJob> };
  const imageJobs = Object.entries(circle.jobs).filter(([id]) => id.startsWith("image-"));
  assert.ok(imageJobs.length > 0);
  const scripts = [
    ...[...jenkins.matchAll(/sh label: 'SBOM, signature and SBOM attestation', script: '((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]!.replace(/\\n/g, "\n").replace(/\\'/g, "'")),
    ...imageJobs.map(([, job]) => job.steps.flatMap((s) => (typeof s === "object" && s.run?.name.startsWith("SBOM") ? [s.run.command] : [])).join("\n")),
  ];
  assert.equal(scripts.length, 1 + imageJobs.length);
  for (const script of scripts) {
    assert.match(script, /sha256sum -c -\)\n[^\n]*tar -xzf [^\n]*syft/, "syft checked against its release checksums before use");
    assert.match(script, /grep " cosign-linux-amd64\$" cosign_checksums\.txt \| sha256sum -c -/);
    assert.doesNotMatch(script, /curl [^\n]*-\w*O\b/, "curl -O saves only the first URL; --remote-name-all saves each");
    assert.match(script, /syft scan "registry:\$IMAGE@\$DIGEST" -o spdx-json=sbom\.spdx\.json/);
    assert.match(script, /cosign sign --yes --key \S+ "\$IMAGE@\$DIGEST"/);
    assert.match(script, /cosign attest --yes --key \S+ --type spdxjson --predicate sbom\.spdx\.json "\$IMAGE@\$DIGEST"/);
  }
  for (const [, job] of imageJobs) {
    const sign = job.steps.find((s) => typeof s === "object" && s.run?.name.startsWith("SBOM")) as { run: { command: string } };
    assert.match(sign.run.command, /^if \[ "\$CIRCLE_BRANCH" = main \]; then/m, "default branch only");
  }
});

test("a ruff configured but not declared runs through pipx; the python images lack it, so the container jobs install it first", () => {
  const dir = copyFixture("python-pip");
  writeFileSync(join(dir, "ruff.toml"), "line-length = 100\n");
  writeFileSync(join(dir, "requirements-dev.txt"), "-r requirements.txt\npytest==8.3.3\n");
  const r = spawnSync(process.execPath, [CLI_BUNDLE, "pipeline", dir, "--platform", "gitlab-ci", "--quiet"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const jobs = parse(readFileSync(join(dir, ".gitlab-ci.yml"), "utf8")) as Record<string, { script?: string[] }>;
  const script = Object.values(jobs).find((j) => j?.script?.some((l) => l.includes("pipx run ruff check .")))?.script ?? [];
  assert.ok(script.length > 0, "pipx run ruff is the lint command");
  const install = script.indexOf("python -m pip install pipx");
  assert.ok(install >= 0 && install < script.findIndex((l) => l.includes("pipx run")), script.join("\n"));
});

test("with no image built, deploy jobs exist only for apps whose overlays are committed; otherwise the deploy stage is dropped, loudly", () => {
  // go-cmd-layout's shared module pattern, reduced: a Go library (no main package) gets no image.
  const dir = copyFixture("go-cmd-layout");
  spawnSync("rm", ["-rf", join(dir, "cmd")]);
  const run = () => spawnSync(process.execPath, [CLI_BUNDLE, "pipeline", dir, "--platform", "gitlab-ci", "--stages", "test,docker,deploy", "--json", "--quiet"], { encoding: "utf8" });
  let r = run();
  assert.equal(r.status, 0, r.stderr);
  let out = JSON.parse(r.stdout) as { warnings: string[] };
  assert.ok(out.warnings.some((w) => w.startsWith("deploy stage dropped: no image is built")), out.warnings.join("\n"));
  let jobs = parse(readFileSync(join(dir, ".gitlab-ci.yml"), "utf8")) as Record<string, { stage?: string; script?: string[] }>;
  assert.deepEqual(Object.keys(jobs).filter((n) => n.startsWith("deploy")), []);

  assert.ok(jobs.orders, "the project's job is named after its module");
  const id = "orders";
  mkdirSync(join(dir, "deploy", id, "overlays", "staging"), { recursive: true });
  writeFileSync(join(dir, "deploy", id, "overlays", "staging", "kustomization.yaml"), "resources: []\n");
  r = spawnSync(process.execPath, [CLI_BUNDLE, "pipeline", dir, "--platform", "gitlab-ci", "--stages", "test,docker,deploy", "--json", "--quiet", "--force"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  out = JSON.parse(r.stdout) as { warnings: string[] };
  assert.ok(!out.warnings.some((w) => w.startsWith("deploy stage dropped")), out.warnings.join("\n"));
  jobs = parse(readFileSync(join(dir, ".gitlab-ci.yml"), "utf8")) as Record<string, { stage?: string; script?: string[] }>;
  const deploys = Object.entries(jobs).filter(([n]) => n.startsWith("deploy")).map(([, j]) => j);
  assert.ok(deploys.length > 0, "deploy jobs for the committed overlay");
  assert.ok(deploys.every((j) => j.script!.join("\n").includes(`deploy/${id}/overlays/`)), JSON.stringify(deploys, null, 1));
});

test("GitHub: setup-ruby always gets a version (it fails without one when the repository has no .ruby-version)", () => {
  const dir = copyFixture("ruby-rails");
  rmSync(join(dir, ".ruby-version"));
  writeFileSync(join(dir, "Gemfile"), readFileSync(join(dir, "Gemfile"), "utf8").replace(/^ruby .*\n/m, ""));
  writeFileSync(join(dir, "Gemfile.lock"), readFileSync(join(dir, "Gemfile.lock"), "utf8").replace(/RUBY VERSION\n.*\n\n?/, ""));
  const r = spawnSync(process.execPath, [CLI_BUNDLE, "pipeline", dir, "--platform", "github-actions", "--stages", "lint,test", "--json", "--quiet"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { warnings: string[] };
  assert.ok(out.warnings.some((w) => w.includes("no Ruby version declared") && w.includes("add a .ruby-version")), out.warnings.join("\n"));
  const workflow = parse(readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8")) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }> };
  const setups = Object.values(workflow.jobs).flatMap((j) => j.steps.filter((s) => s.uses?.startsWith("ruby/setup-ruby@")));
  assert.ok(setups.length > 0 && setups.every((s) => /^\d+\.\d+/.test(s.with?.["ruby-version"] ?? "")), JSON.stringify(setups));
});

test("GitLab: a setting both the service container and the tests name is written once (GitLab has one variables map)", () => {
  // full-stack-fastapi-template: the root .env names POSTGRES_PASSWORD, which the postgres service also sets.
  const dir = copyFixture("python-flask-postgres");
  writeFileSync(join(dir, ".env.example"), "POSTGRES_SERVER=localhost\nPOSTGRES_USER=notes\nPOSTGRES_PASSWORD=changethis\nPOSTGRES_DB=notes\n");
  const r = spawnSync(process.execPath, [CLI_BUNDLE, "pipeline", dir, "--platform", "gitlab-ci", "--stages", "test", "--quiet"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const text = readFileSync(join(dir, ".gitlab-ci.yml"), "utf8");
  const jobs = parse(text) as Record<string, { variables?: Record<string, string> }>;
  const vars = Object.values(jobs).find((j) => j?.variables?.POSTGRES_SERVER)?.variables ?? {};
  assert.equal(vars.POSTGRES_SERVER, "postgres");
  assert.equal(vars.POSTGRES_PASSWORD, "notes", "the service's password, which the tests use too");
  assert.equal((text.match(/^\s+POSTGRES_PASSWORD:/gm) ?? []).length, 1, text);
});

test("slim images have no git: a workspace job that asks git for the merge base installs it (GitLab) or takes the full image (Jenkins, non-root)", () => {
  const gitlab = generate("monorepo-pnpm-turbo", "gitlab-ci", "lint,test");
  const jobs = parse(readFileSync(join(gitlab, ".gitlab-ci.yml"), "utf8")) as Record<string, { image?: string; script?: string[] }>;
  const ws = Object.values(jobs).find((j) => j?.script?.some((l) => /\bgit (fetch|rev-parse|merge-base)\b/.test(l)));
  assert.ok(ws, "the workspace job compares with the default branch");
  assert.match(ws.image ?? "", /-slim$/);
  const install = ws.script!.findIndex((l) => l.includes("apt-get install") && l.includes(" git"));
  const firstGit = ws.script!.findIndex((l) => /\bgit (fetch|rev-parse|merge-base)\b/.test(l));
  assert.ok(install >= 0 && install < firstGit, ws.script!.join("\n"));

  const jenkins = generate("monorepo-pnpm-turbo", "jenkins", "lint,test");
  const text = readFileSync(join(jenkins, "Jenkinsfile"), "utf8");
  assert.ok(text.includes("image 'node:20-bookworm'") && !text.includes("apt-get"), text);
});
