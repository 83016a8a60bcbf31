// tflint (with the cloud's ruleset, exactly as the generated .tflint.hcl pins it) and checkov over every Terraform
// tree the shipped bundle generates: 3 clouds × (all modules with GitHub and with GitLab CI, and each module alone).
// No finding may be left unsuppressed; checkov suppressions must say why.
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { MODULES } from "../../mcp-server/src/engine/terraform/spec.ts";
import semver from "semver";
import { LINT_TABLE, PROVIDERS, VERSION_TABLE } from "../../mcp-server/src/engine/terraform/versions.ts";
import { REPO } from "../integration/support.ts";
import { loadGoogleSchema } from "./google-schema.ts";
import { deprecatedArguments, loadProviderSchema, type ProviderSchema, type ReducedSchemaFile, schemaProblems, unknownArguments } from "./provider-schema.ts";
import { parseHcl, type JsonObject } from "./support.ts";
import { generateTrees, type Tree } from "./trees.ts";

const TOOLS = process.env.SD_TOOLS ?? join(process.env.HOME ?? "", ".cache", "senior-devops", "tools");
const PLUGIN_DIR = join(TOOLS, "tflint-plugins");

/** A tool the tests need: its path, or a failure under CI and undefined (the test then says it skipped) elsewhere. */
function tool(name: string, versionArgs: string[]): string | undefined {
  // checkov imports hundreds of modules at start: give a loaded machine time.
  const probe = spawnSync(name, versionArgs, { encoding: "utf8", timeout: 300_000 });
  if (probe.status === 0) return name;
  if (process.env.CI) throw new Error(`${name} is not on PATH; CI installs it with .ci/install-tools (.ci/tools/${name}.sh)`);
  return undefined;
}

const trees: Tree[] = [];

/** The resource and data blocks of every .tf file under a tree: [file, kind, type, name, body]. */
async function blocksOf(root: string): Promise<[string, "resource" | "data", string, string, JsonObject][]> {
  const out: [string, "resource" | "data", string, string, JsonObject][] = [];
  const files = readdirSync(root, { recursive: true }).map(String).filter((f) => f.endsWith(".tf")).sort();
  for (const file of files) {
    const json = await parseHcl({ path: file, content: readFileSync(join(root, file), "utf8"), kind: "terraform" });
    for (const kind of ["resource", "data"] as const) {
      for (const [type, named] of Object.entries((json[kind] ?? {}) as Record<string, Record<string, JsonObject[]>>)) {
        for (const [name, bodies] of Object.entries(named)) out.push([file, kind, type, name, bodies[0]!]);
      }
    }
  }
  return out;
}

/** google_* and random_* blocks of a tree checked against the reduced provider schemas. */
async function reducedSchemaProblems(root: string, schema: ReducedSchemaFile): Promise<{ problems: string[]; deprecated: string[]; checked: number }> {
  const problems: string[] = [];
  const deprecated: string[] = [];
  let checked = 0;
  for (const [file, kind, type, name, body] of await blocksOf(root)) {
    const provider = schema.providers[`registry.terraform.io/hashicorp/${type.split("_")[0]}`];
    if (!provider) continue;
    const block = (kind === "resource" ? provider.resources : provider.data_sources)[type];
    if (!block) { problems.push(`${file}: unknown ${kind} type ${type} (or missing from google-schema.json: regenerate it)`); continue; }
    checked++;
    for (const p of schemaProblems(body, block)) problems.push(`${file}: ${type}.${name}: ${p}`);
    for (const d of deprecatedArguments(body, block)) deprecated.push(`${file}: ${type}.${name}: ${d}`);
  }
  return { problems, deprecated, checked };
}

/** The semver range of a Terraform version constraint of the `~> X.Y` form the version table uses. */
function pessimistic(constraint: string): string {
  const m = /^~> (\d+)\.(\d+)$/.exec(constraint);
  assert.ok(m, `constraint ${constraint} is of the form ~> X.Y`);
  return `>=${m[1]}.${m[2]}.0 <${Number(m[1]) + 1}.0.0`;
}

describe("generated Terraform passes tflint, checkov and the providers' schemas", () => {
  // One directory for every tree, removed after the suite (tempDir's own clean-up would run after the first test).
  const base = mkdtempSync(join(tmpdir(), "sd-tf-lint-"));
  after(() => rmSync(base, { recursive: true, force: true }));
  before(() => {
    trees.push(...generateTrees(base, PROVIDERS));
  });

  it("the installers pin the versions the generated CI pins", () => {
    const script = (name: string) => readFileSync(join(REPO, ".ci", "tools", `${name}.sh`), "utf8");
    assert.match(script("tflint"), new RegExp(`^version=${LINT_TABLE.tflint.replace(/\./g, "\\.")}$`, "m"));
    assert.match(script("checkov"), new RegExp(`^version=${LINT_TABLE.checkov.replace(/\./g, "\\.")}$`, "m"));
    const rulesets = /^rulesets=\((.*)\)$/m.exec(script("tflint-rulesets"))?.[1]?.split(/\s+/).sort();
    assert.deepEqual(rulesets, Object.values(LINT_TABLE.rulesets).map((r) => `${r.name}@${r.version}`).sort());
  });

  it("tflint --recursive with the terraform (all rules) and cloud rulesets reports nothing", (t) => {
    const tflint = tool("tflint", ["--version"]);
    if (!tflint) return t.skip("tflint is not on PATH (run .ci/install-tools)");
    for (const r of Object.values(LINT_TABLE.rulesets)) {
      const plugin = join(PLUGIN_DIR, r.source, r.version, `tflint-ruleset-${r.name}`);
      if (!existsSync(plugin)) {
        if (process.env.CI) assert.fail(`tflint ruleset ${r.name} ${r.version} is not installed (.ci/tools/tflint-rulesets.sh)`);
        return t.skip(`tflint ruleset ${r.name} is not installed`);
      }
    }
    assert.equal(trees.length, PROVIDERS.length * (2 + MODULES.length));
    const findings: string[] = [];
    for (const tree of trees) {
      const infra = join(tree.root, "infrastructure");
      const config = join(infra, ".tflint.hcl");
      assert.match(readFileSync(config, "utf8"), new RegExp(`plugin "${LINT_TABLE.rulesets[tree.provider].name}"`));
      const run: SpawnSyncReturns<string> = spawnSync(tflint, ["--recursive", "--config", config, "--format", "compact", "--force"], {
        cwd: infra, encoding: "utf8", timeout: 300_000, env: { ...process.env, TFLINT_PLUGIN_DIR: PLUGIN_DIR },
      });
      assert.equal(run.error, undefined, `${tree.label}: ${run.error}`);
      const out = `${run.stdout}${run.stderr}`.trim();
      // --force keeps the exit code 0 with findings: every line it prints is one. Errors (a plugin that failed to
      // load, a config it cannot read) are printed the same way and count too.
      if (run.status !== 0 || out) findings.push(`${tree.label} (exit ${run.status}):\n${out}`);
    }
    assert.deepEqual(findings, []);
  });

  it("checkov reports no failed check, and each suppression gives its reason", (t) => {
    const checkov = tool("checkov", ["--version"]);
    if (!checkov) return t.skip("checkov is not on PATH (run .ci/install-tools)");
    // One checkov run over all trees: its start-up dominates the time.
    const run: SpawnSyncReturns<string> = spawnSync(checkov, ["--directory", base, "--framework", "terraform", "--quiet", "--compact", "--output", "json"], {
      encoding: "utf8", timeout: 900_000, maxBuffer: 256 * 1024 * 1024,
    });
    assert.equal(run.error, undefined, String(run.error));
    type Check = { check_id: string; file_path: string; resource: string; check_name: string };
    type Report = { check_type: string; summary: { passed: number; failed: number; skipped: number }; results: { failed_checks: Check[]; skipped_checks: Check[] } };
    const parsed = JSON.parse(run.stdout) as Report | Report[];
    const reports = Array.isArray(parsed) ? parsed : [parsed];
    const terraform = reports.find((r) => r.check_type === "terraform");
    assert.ok(terraform, `checkov ran its terraform checks: ${run.stderr.slice(-2000)}`);
    assert.ok(terraform.summary.passed > 300, `checkov evaluated the trees (passed ${terraform.summary.passed})`);
    assert.deepEqual(terraform.results.failed_checks.map((c) => `${c.file_path} ${c.resource}: ${c.check_id} ${c.check_name}`), []);
    assert.equal(run.status, 0);

    // Every inline suppression in the templates has a reason of a few words, not a bare id.
    const templates = join(REPO, "templates", "terraform");
    const skips = readdirSync(templates, { recursive: true }).map(String).filter((f) => f.endsWith(".tf.hbs"))
      .flatMap((f) => readFileSync(join(templates, f), "utf8").split("\n").filter((l) => l.includes("checkov:skip")).map((l) => `${f}: ${l.trim()}`));
    assert.ok(skips.length > 0);
    for (const skip of skips) assert.match(skip, /checkov:skip=CKV2?_[A-Z]+_\d+:\S+( \S+){3,}/, `suppression without a reason: ${skip}`);
  });

  it("every aws and azurerm resource and data source type, argument and block is in its provider's schema (aws 6.66, azurerm 4.73)", async (t) => {
    const dir = join(TOOLS, "provider-schemas");
    if (!existsSync(join(dir, "aws", "lib"))) {
      if (process.env.CI) assert.fail("provider schemas are not installed (.ci/tools/provider-schemas.sh)");
      return t.skip("provider schemas are not installed (run .ci/install-tools)");
    }
    const schemas: Record<string, ProviderSchema> = {
      aws: loadProviderSchema(join(dir, "aws")),
      azurerm: loadProviderSchema(join(dir, "azurerm")),
    };
    assert.match(schemas.aws!.providerVersion, /^6\./, "aws package matches the ~> 6.0 pin");
    assert.match(schemas.azurerm!.providerVersion, /^4\./, "azurerm package matches the ~> 4.40 pin");

    // The checker itself: a misspelt argument and a misplaced block are found.
    const eks = schemas.aws!.resources.get("aws_eks_cluster")!;
    assert.deepEqual(unknownArguments({ name: "x", role_arn: "r", vpc_config: [{ subnet_ids: [], public_acess_cidrs: [] }] }, eks), ["vpc_config.public_acess_cidrs"]);
    assert.deepEqual(unknownArguments({ name: "x", rule: [{}] }, eks), ["rule"]);

    const problems: string[] = [];
    let checked = 0;
    for (const tree of trees) {
      for (const [file, kind, type, name, body] of await blocksOf(tree.root)) {
        const schema = schemas[type.split("_")[0]!];
        if (!schema) continue; // google and random: checked against their reduced schemas below
        const level = (kind === "resource" ? schema.resources : schema.dataSources).get(type);
        if (!level) { problems.push(`${tree.label} ${file}: unknown ${kind} type ${type}`); continue; }
        checked++;
        for (const u of unknownArguments(body, level)) problems.push(`${tree.label} ${file}: ${type}.${name}: unknown ${u}`);
      }
    }
    assert.ok(checked > 300, `checked ${checked} blocks`);
    assert.deepEqual(problems, []);
  });

  it("every google and random type, argument and block matches the providers' own schemas (google-schema.json)", async () => {
    const schema = loadGoogleSchema();
    const google = schema.providers["registry.terraform.io/hashicorp/google"]!;
    const random = schema.providers["registry.terraform.io/hashicorp/random"]!;
    assert.ok(semver.satisfies(google.version, pessimistic(VERSION_TABLE.providers.google.version)), `google ${google.version} matches the pin`);
    assert.ok(semver.satisfies(random.version, pessimistic(VERSION_TABLE.providers.random.version)), `random ${random.version} matches the pin`);
    // The generated README and ours name the release the check used.
    assert.match(readFileSync(join(REPO, "templates", "terraform", "README.md.hbs"), "utf8"), new RegExp(`google provider ${google.version.replace(/\./g, "\\.")} itself`));
    assert.match(readFileSync(join(REPO, "README.md"), "utf8"), new RegExp(`google ${google.version.replace(/\./g, "\\.")} and random ${random.version.replace(/\./g, "\\.")}`));

    const problems: string[] = [];
    const deprecated: string[] = [];
    let checked = 0;
    for (const tree of trees.filter((t) => t.provider === "gcp")) {
      const found = await reducedSchemaProblems(tree.root, schema);
      problems.push(...found.problems.map((p) => `${tree.label} ${p}`));
      deprecated.push(...found.deprecated.map((p) => `${tree.label} ${p}`));
      checked += found.checked;
    }
    assert.ok(checked > 90, `checked ${checked} blocks`);
    assert.deepEqual(problems, []);
    // A deprecated argument is removed by the provider's next major: the generator uses none.
    assert.deepEqual(deprecated, []);
  });

  it("the reduced-schema check finds planted errors in a generated google tree", async () => {
    const schema = loadGoogleSchema();
    const tree = trees.find((t) => t.provider === "gcp" && t.label.includes("all modules"))!;
    const planted = join(base, "gcp-planted");
    cpSync(tree.root, planted, { recursive: true });
    const edit = (file: string, from: RegExp, to: string) => {
      const path = join(planted, "infrastructure", file);
      const text = readFileSync(path, "utf8");
      assert.match(text, from, `${file} has ${from}`);
      writeFileSync(path, text.replace(from, to));
    };
    // An unknown argument, a required argument removed, a block written as an attribute, an unknown type.
    edit("modules/cluster/main.tf", /(resource "google_container_cluster" "this" \{\n)/, "$1  enable_autopilott = true\n");
    edit("modules/database/main.tf", /(resource "google_sql_database" "\w+" \{[^}]*?)\n\s*instance\s*=[^\n]*/, "$1");
    edit("modules/network/main.tf", /(resource "google_compute_router_nat" "\w+" \{[^]*?)\n  log_config \{([^}]*)\}/, "$1\n  log_config = {$2}");
    edit("modules/registry/main.tf", /resource "google_artifact_registry_repository"/, 'resource "google_artifact_registry_repo"');
    const { problems } = await reducedSchemaProblems(planted, schema);
    const expected = [
      /modules\/cluster\/main\.tf: google_container_cluster\.this: enable_autopilott: unknown argument/,
      /modules\/database\/main\.tf: google_sql_database\.\w+: instance: required argument missing/,
      /modules\/network\/main\.tf: google_compute_router_nat\.\w+: log_config: is a block, written as an attribute/,
      /modules\/registry\/main\.tf: unknown resource type google_artifact_registry_repo/,
    ];
    for (const e of expected) assert.ok(problems.some((p) => e.test(p)), `${e} among:\n${problems.join("\n")}`);
    assert.equal(problems.length, expected.length, problems.join("\n"));
  });
});
