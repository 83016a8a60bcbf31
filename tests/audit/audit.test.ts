import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, it } from "node:test";
import { diffLines } from "diff";
import { parseDocument } from "yaml";
import { type ToolResult, toolResultSchema } from "../../mcp-server/src/engine/core/types.ts";
import { validateAndWrite } from "../../mcp-server/src/engine/writer/index.ts";
import { CLI_BUNDLE, copyFixture, listFiles, REPO, useShippedServer } from "../integration/support.ts";

// Audit fixtures are repositories with seeded problems, not analysis fixtures, so they live beside these tests.
const AUDIT_FIXTURES = join(REPO, "tests", "audit", "fixtures");

// Runs the shipped bundle (CLI and MCP server) on fixture repositories written for the audit.
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI_BUNDLE, ...args], { cwd: REPO, encoding: "utf8", timeout: 120_000 });
function audit(...args: string[]): ToolResult {
  const run = cli("audit", ...args, "--json", "--quiet");
  assert.equal(run.status, 0, run.stderr);
  return toolResultSchema.parse(JSON.parse(run.stdout));
}
const WORKFLOWS = [".github/workflows/ci.yml", ".github/workflows/pr-target.yml", ".github/actions/setup/action.yml"];

/** Every finding the mixed fixture must produce, as rule@file:line (positions come from the parsers). */
const EXPECTED = [
  "GHA003@.github/workflows/ci.yml:13", "GHA010@.github/workflows/ci.yml:14", "GHA001@.github/workflows/ci.yml:21", "GHA007@.github/workflows/ci.yml:21",
  "GHA001@.github/workflows/ci.yml:24", "GHA001@.github/workflows/ci.yml:28", "GHA012@.github/workflows/ci.yml:31", "GHA010@.github/workflows/ci.yml:34",
  "GHA005@.github/workflows/ci.yml:39", "GHA001@.github/workflows/ci.yml:43", "GHA011@.github/workflows/ci.yml:4",
  "GHA004@.github/workflows/pr-target.yml:5", "GHA006@.github/workflows/pr-target.yml:13", "GHA008@.github/workflows/pr-target.yml:17",
  "GHA001@.github/actions/setup/action.yml:10", "GHA005@.github/actions/setup/action.yml:14",
  "GL003@.gitlab-ci.yml:2", "GL002@.gitlab-ci.yml:6", "GL001@.gitlab-ci.yml:9",
  "CC002@.circleci/config.yml:3", "CC003@.circleci/config.yml:9",
  "JK002@Jenkinsfile:1", "JK003@Jenkinsfile:6", "JK004@Jenkinsfile:15",
  "DF001@Dockerfile:1", "DF002@Dockerfile:7", "DF004@Dockerfile:7", "DF003@Dockerfile:8", "DF003@Dockerfile:9", "DF003@Dockerfile:12",
  "DC001@docker-compose.yml:6", "DC002@docker-compose.yml:11", "DC003@docker-compose.yml:13",
  "K8S006@k8s/deployment.yaml:2", "K8S001@k8s/deployment.yaml:14", "K8S002@k8s/deployment.yaml:14", "K8S003@k8s/deployment.yaml:14",
  "K8S007@k8s/deployment.yaml:15", "K8S004@k8s/deployment.yaml:19", "K8S005@k8s/deployment.yaml:23", "K8S007@k8s/kustomization.yaml:7",
  "TF001@infra/main.tf:2", "TF004@infra/main.tf:8", "TF002@infra/main.tf:20", "TF003@infra/main.tf:29", "TF004@infra/main.tf:34",
];
const key = (f: { rule: string; file: string; line: number }) => `${f.rule}@${f.file}:${f.line}`;

/** A tool the test drives: present, or (under CI, which installs it) a failure; elsewhere a loud skip. */
function tool(name: string, t: { skip(message: string): void }): boolean {
  if (spawnSync(name, ["--version"]).status === 0) return true;
  if (process.env.CI) assert.fail(`${name} is not installed; .ci/install-tools installs it (.ci/tools/${name}.sh)`);
  t.skip(`SKIPPED: ${name} not installed (bash .ci/tools/${name}.sh)`);
  return false;
}

describe("audit (shipped CLI bundle)", () => {
  it("finds every seeded problem at its file:line across all seven scopes, in a result under 40 KB", () => {
    const run = cli("audit", copyFixture("audit-mixed", AUDIT_FIXTURES), "--json", "--quiet");
    assert.equal(run.status, 0, run.stderr);
    assert.ok(Buffer.byteLength(run.stdout) < 40_000, `result is ${Buffer.byteLength(run.stdout)} bytes`);
    const result = toolResultSchema.parse(JSON.parse(run.stdout));
    assert.equal(result.tool, "devops-auditor");
    const found = new Set(result.findings!.map(key));
    const missing = EXPECTED.filter((e) => !found.has(e));
    assert.deepEqual(missing, [], `not found: ${missing.join(", ")}`);
    for (const f of result.findings!) {
      assert.ok(f.message.length > 10 && f.fix.length > 10, key(f));
      assert.ok(f.line >= 1 && f.column >= 1, key(f));
    }
    // the safe ones are offered as fixes, the rest are not
    const fixable = result.findings!.filter((f) => f.fixable).map(key).sort();
    assert.deepEqual(fixable, [
      "GHA001@.github/actions/setup/action.yml:10", "GHA001@.github/workflows/ci.yml:21", "GHA001@.github/workflows/ci.yml:28",
      "GHA005@.github/actions/setup/action.yml:14", "GHA005@.github/workflows/ci.yml:39", "GHA005@.github/workflows/ci.yml:39",
      "GHA010@.github/workflows/ci.yml:14", "GHA010@.github/workflows/ci.yml:34",
    ]);
    assert.deepEqual(result.files, [], "report only: nothing written");
  });

  it("reports nothing on a hardened repository (no false positives on good practice)", () => {
    const result = audit(copyFixture("audit-hardened", AUDIT_FIXTURES));
    assert.deepEqual(result.findings!.map(key), []);
    assert.ok((result.details as { audited: number }).audited >= 4);
  });

  it("--scope limits what is read; an unknown scope is rejected with exit 2 and nothing written", () => {
    const root = copyFixture("audit-mixed", AUDIT_FIXTURES);
    const result = audit(root, "--scope", "terraform,kubernetes");
    assert.ok(result.findings!.length > 0);
    assert.ok(result.findings!.every((f) => f.file.endsWith(".tf") || f.file.startsWith("k8s/")));
    const before = listFiles(root);
    const bad = cli("audit", root, "--scope", "ansible");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /github-actions.*terraform/);
    assert.deepEqual(listFiles(root), before);
  });

  it("writes SARIF 2.1.0 that validates against the SARIF schema, one result per finding", () => {
    const root = copyFixture("audit-mixed", AUDIT_FIXTURES);
    const result = audit(root, "--sarif", "reports/audit.sarif");
    assert.equal(result.files.find((f) => f.path === "reports/audit.sarif")?.action, "create");
    const log = JSON.parse(readFileSync(join(root, "reports", "audit.sarif"), "utf8"));
    // The schema as published in @microsoft/jest-sarif (draft-04), validated with the ajv that package uses.
    const requireFromSarif = createRequire(createRequire(import.meta.url).resolve("@microsoft/jest-sarif/package.json"));
    const Ajv = requireFromSarif("ajv");
    const ajv = new Ajv({ schemaId: "auto", validateSchema: false, allErrors: true });
    ajv.addMetaSchema(requireFromSarif("ajv/lib/refs/json-schema-draft-04.json"));
    const validate = ajv.compile(requireFromSarif("./lib/schemas/sarif-2.1.0-rtm.5.json"));
    assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5)));
    assert.equal(log.version, "2.1.0");
    const results = log.runs[0].results as { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[];
    assert.equal(results.length, result.findings!.length);
    const fromSarif = new Set(results.map((r) => `${r.ruleId}@${r.locations[0]!.physicalLocation.artifactLocation.uri}:${r.locations[0]!.physicalLocation.region.startLine}`));
    for (const f of result.findings!) assert.ok(fromSarif.has(key(f)), key(f));
    // a path that leaves the root is refused before anything is written
    const escape = cli("audit", root, "--sarif", "../out.sarif");
    assert.equal(escape.status, 2);
  });

  it("--fix --dry-run shows the diffs and writes nothing", () => {
    const root = copyFixture("audit-mixed", AUDIT_FIXTURES);
    const before = Object.fromEntries(WORKFLOWS.map((f) => [f, readFileSync(join(root, f), "utf8")]));
    const files = listFiles(root);
    const result = audit(root, "--fix", "--dry-run", "--diffs", "*");
    assert.equal(result.dryRun, true);
    const ci = result.files.find((f) => f.path === ".github/workflows/ci.yml")!;
    assert.equal(ci.action, "update");
    assert.match(ci.diff!, /\+ {6}- uses: actions\/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7\.0\.1/);
    assert.deepEqual(listFiles(root), files);
    for (const f of WORKFLOWS) assert.equal(readFileSync(join(root, f), "utf8"), before[f]);
  });

  it("--fix edits in place without touching anything else, keeps the files the user's, and converges in one run", () => {
    const root = copyFixture("audit-mixed", AUDIT_FIXTURES);
    const original = readFileSync(join(root, ".github/workflows/ci.yml"), "utf8");
    const others = ["Dockerfile", ".gitlab-ci.yml", "Jenkinsfile", "k8s/deployment.yaml", "infra/main.tf", ".github/workflows/pr-target.yml"]
      .map((f) => [f, readFileSync(join(root, f), "utf8")] as const);
    const result = audit(root, "--fix");
    assert.deepEqual(result.files.map((f) => [f.path, f.action]).sort(), [[".github/actions/setup/action.yml", "update"], [".github/workflows/ci.yml", "update"]]);
    for (const [f, text] of others) assert.equal(readFileSync(join(root, f), "utf8"), text, `${f} untouched`);
    const fixed = readFileSync(join(root, ".github/workflows/ci.yml"), "utf8");

    // every original line is still there, in order, except the lines a fix rewrote; comments survive
    const removed = diffLines(original, fixed).filter((c) => c.removed).flatMap((c) => c.value.split("\n").filter(Boolean));
    assert.deepEqual(removed.map((l) => l.trim()), [
      "- uses: actions/checkout@v7   # we want the full history below",
      "uses: actions/cache@v5",
      'echo "Thanks for ${{ github.event.pull_request.title }}"',
      "echo 'branch: ${{ github.head_ref }}'",
    ]);
    assert.match(fixed, /^# CI for the shop service\.  Keep the matrix in sync with package\.json engines\.$/m);
    assert.match(fixed, /paths-ignore: \['docs\/\*\*'\] {3}# docs build elsewhere/);
    assert.match(fixed, /actions\/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7\.0\.1 we want the full history below/);
    assert.match(fixed, /actions\/setup-node@v4\n/, "a tag the pinned table does not have is reported, not guessed");
    assert.match(fixed, / {8}env:\n {10}PULL_REQUEST_TITLE: \$\{\{ github\.event\.pull_request\.title \}\}\n {10}HEAD_REF: \$\{\{ github\.head_ref \}\}\n/);
    assert.match(fixed, /echo "Thanks for \$\{PULL_REQUEST_TITLE\}"/);
    assert.match(fixed, /echo 'branch: '"\$\{HEAD_REF\}"\n/);
    assert.equal(fixed.match(/timeout-minutes: 60/g)?.length, 2);
    assert.equal(parseDocument(fixed).errors.length, 0);

    // the user's files are not recorded as generated: a later pipeline-generator run cannot take them over
    const manifestPath = join(root, ".senior-devops", "manifest.json");
    const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, "utf8")) : { files: {} };
    assert.deepEqual(Object.keys(manifest.files), []);

    const second = audit(root);
    assert.deepEqual(second.findings!.filter((f) => f.fixable).map(key), [], "nothing left to fix");
    const third = audit(root, "--fix");
    assert.deepEqual(third.files, [], "a second --fix writes nothing");
  });

  it("finds a credential of a well-known shape anywhere in a CI file, not only in assignments", () => {
    const root = copyFixture("audit-mixed", AUDIT_FIXTURES);
    const path = join(root, "Jenkinsfile");
    // built at run time so that no token-shaped literal is committed
    const token = `sqp_${"3f".repeat(20)}`;
    writeFileSync(path, readFileSync(path, "utf8").replace("./deploy.sh", `mvn sonar:sonar -Dsonar.token=${token} && ./deploy.sh`));
    const result = audit(root, "--scope", "jenkins");
    assert.ok(result.findings!.some((f) => f.rule === "JK003" && f.line === 15 && /sqp_3f/.test(f.message)), JSON.stringify(result.findings));
  });

  it("--fix keeps a CRLF file CRLF", () => {
    const root = copyFixture("audit-mixed", AUDIT_FIXTURES);
    const path = join(root, ".github/workflows/ci.yml");
    writeFileSync(path, readFileSync(path, "utf8").replace(/\n/g, "\r\n"));
    audit(root, "--fix");
    const fixed = readFileSync(path, "utf8");
    assert.match(fixed, /timeout-minutes: 60\r\n/);
    assert.equal(fixed.replace(/\r\n/g, "").includes("\n"), false, "no bare LF was inserted");
    assert.equal(parseDocument(fixed).errors.length, 0);
  });

  it("fixed workflows still pass actionlint and zizmor (offline) finds nothing new and no injection", (t) => {
    if (!tool("actionlint", t) || !tool("zizmor", t)) return;
    const root = copyFixture("audit-mixed", AUDIT_FIXTURES);
    const zizmor = () => {
      const run = spawnSync("zizmor", ["--offline", "--format", "json", "--no-progress", "."], { cwd: root, encoding: "utf8" });
      assert.ok(run.stdout.trim().startsWith("["), run.stderr);
      return (JSON.parse(run.stdout) as { ident: string }[]).map((f) => f.ident);
    };
    const before = zizmor();
    assert.ok(before.includes("template-injection") && before.includes("unpinned-uses"));
    audit(root, "--fix");
    const lint = spawnSync("actionlint", ["-no-color", ".github/workflows/ci.yml", ".github/workflows/pr-target.yml"], { cwd: root, encoding: "utf8" });
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);
    const afterIdents = zizmor();
    assert.ok(!afterIdents.includes("template-injection"), afterIdents.join(", "));
    assert.ok(afterIdents.length < before.length);
    for (const ident of afterIdents) assert.ok(before.includes(ident), `zizmor: new ${ident}`);
    assert.ok(afterIdents.filter((i) => i === "unpinned-uses").length < before.filter((i) => i === "unpinned-uses").length);
  });

  it("a user file changed after it was read is a conflict, and nothing of the run is written", async () => {
    const root = copyFixture("audit-mixed", AUDIT_FIXTURES);
    const path = ".github/workflows/ci.yml";
    const read = readFileSync(join(root, path), "utf8");
    writeFileSync(join(root, path), `${read}# edited meanwhile\n`);
    const files = listFiles(root);
    const result = await validateAndWrite({
      tool: "devops-auditor", root, dryRun: false, force: false, warnings: [], nextSteps: [], progress: () => undefined,
      files: [{ path, content: `${read}# fixed\n`, kind: "yaml" }, { path: "audit.sarif", content: "{}\n", kind: "json" }],
      userFiles: { [path]: read },
    });
    assert.equal(result.status, "conflict");
    assert.equal(result.files.find((f) => f.path === path)?.action, "conflict");
    assert.match(readFileSync(join(root, path), "utf8"), /# edited meanwhile\n$/);
    assert.deepEqual(listFiles(root), files, "the SARIF file was not written either");
  });
});

describe("pipeline-generator on a repository with its own CI", () => {
  it("does not offer to replace it: writes nothing, warns, and points to the audit", () => {
    const root = copyFixture("audit-mixed", AUDIT_FIXTURES);
    const before = listFiles(root);
    const ci = readFileSync(join(root, ".github/workflows/ci.yml"), "utf8");
    const run = cli("pipeline", root, "--platform", "github-actions", "--json", "--quiet");
    assert.equal(run.status, 0, run.stderr);
    const result = toolResultSchema.parse(JSON.parse(run.stdout));
    assert.equal(result.status, "ok");
    assert.ok(result.files.length > 0 && result.files.every((f) => f.action === "skip" && !f.diff));
    assert.ok(result.warnings.some((w) => /already has its own github-actions CI \(\.github\/workflows\/ci\.yml/.test(w)));
    assert.ok(result.nextSteps.some((s) => /senior-devops audit .*devops-auditor/.test(s)));
    assert.ok(result.nextSteps.some((s) => /--dry-run --force/.test(s)));
    assert.deepEqual(listFiles(root), before);
    assert.equal(readFileSync(join(root, ".github/workflows/ci.yml"), "utf8"), ci);
    // the upgrade path: a forced dry run shows the diff against their file and still writes nothing
    const forced = toolResultSchema.parse(JSON.parse(cli("pipeline", root, "--platform", "github-actions", "--json", "--quiet", "--dry-run", "--force", "--diffs", ".github/workflows/ci.yml").stdout));
    assert.ok(forced.files.some((f) => f.path === ".github/workflows/ci.yml" && f.action === "update" && f.diff));
    assert.deepEqual(listFiles(root), before);
  });
});

describe("devops-auditor over MCP (shipped server, real SDK client)", () => {
  const server = useShippedServer("senior-devops-audit-tests");

  it("is listed with honest annotations and a compact schema, and returns the same findings as the CLI", async () => {
    const { tools } = await server().listTools();
    const auditor = tools.find((t) => t.name === "devops-auditor")!;
    assert.ok(auditor, "devops-auditor is listed");
    assert.deepEqual(
      { ...auditor.annotations, title: undefined },
      { title: undefined, readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    );
    const schemaBytes = JSON.stringify({ d: auditor.description, s: auditor.inputSchema }).length;
    assert.ok(schemaBytes < 2_500, `description + input schema: ${schemaBytes} bytes`);
    const root = copyFixture("audit-mixed", AUDIT_FIXTURES);
    const response = await server().callTool({ name: "devops-auditor", arguments: { path: root } });
    assert.equal(response.isError, false);
    const result = toolResultSchema.parse(response.structuredContent);
    assert.deepEqual(result.findings!.map(key).sort(), audit(root).findings!.map(key).sort());
    assert.match((response.content as { text: string }[])[0]!.text, /findings: \d+/);
    const bad = await server().callTool({ name: "devops-auditor", arguments: { path: root, scope: ["nope"] } });
    assert.equal(bad.isError, true);
  });
});
