// tflint (with the cloud's ruleset, exactly as the generated .tflint.hcl pins it) and checkov over every Terraform
// tree the shipped bundle generates: 3 clouds × (all modules with GitHub and with GitLab CI, and each module alone).
// No finding may be left unsuppressed; checkov suppressions must say why.
import assert from "node:assert/strict";
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { MODULES } from "../../mcp-server/src/engine/terraform/spec.ts";
import { LINT_TABLE, PROVIDERS } from "../../mcp-server/src/engine/terraform/versions.ts";
import { CLI_BUNDLE, REPO } from "../integration/support.ts";
import { loadProviderSchema, type ProviderSchema, unknownArguments } from "./provider-schema.ts";
import { parseHcl, type JsonObject } from "./support.ts";

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

interface Tree { label: string; provider: (typeof PROVIDERS)[number]; root: string }

/** Generates one tree with the shipped CLI (not the sources), as a user would. */
function generate(root: string, provider: string, args: string[]): void {
  mkdirSync(root, { recursive: true });
  execFileSync(process.execPath, [CLI_BUNDLE, "terraform", root, "--provider", provider, "--project", "shop-api", "--quiet", ...args], {
    encoding: "utf8", stdio: "pipe", timeout: 300_000,
  });
}

const trees: Tree[] = [];

describe("generated Terraform passes tflint, checkov and the providers' schemas", () => {
  // One directory for every tree, removed after the suite (tempDir's own clean-up would run after the first test).
  const base = mkdtempSync(join(tmpdir(), "sd-tf-lint-"));
  after(() => rmSync(base, { recursive: true, force: true }));
  before(() => {
    for (const provider of PROVIDERS) {
      for (const ci of ["github-actions", "gitlab-ci"]) {
        const root = join(base, `${provider}-all-${ci}`);
        generate(root, provider, ["--ci", ci, "--env", "dev,staging,production"]);
        trees.push({ label: `${provider} all modules, ${ci}`, provider, root });
      }
      for (const module of MODULES) {
        const root = join(base, `${provider}-${module}`);
        generate(root, provider, ["--ci", "none", "--modules", module]);
        trees.push({ label: `${provider} ${module} alone`, provider, root });
      }
    }
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

  it("every resource and data source type, argument and block is in its provider's schema (aws 6.66, azurerm 4.73, google 6.50)", async (t) => {
    const dir = join(TOOLS, "provider-schemas");
    if (!existsSync(join(dir, "aws", "lib"))) {
      if (process.env.CI) assert.fail("provider schemas are not installed (.ci/tools/provider-schemas.sh)");
      return t.skip("provider schemas are not installed (run .ci/install-tools)");
    }
    const schemas: Record<string, ProviderSchema> = {
      aws: loadProviderSchema(join(dir, "aws")),
      azurerm: loadProviderSchema(join(dir, "azurerm")),
      google: loadProviderSchema(join(dir, "google")),
    };
    assert.match(schemas.aws!.providerVersion, /^6\./, "aws package matches the ~> 6.0 pin");
    assert.match(schemas.azurerm!.providerVersion, /^4\./, "azurerm package matches the ~> 4.40 pin");
    // google is pinned ~> 7.0 but no 7.x package exists: checked against 6.x, see the generated README's note.
    assert.match(schemas.google!.providerVersion, /^6\./);

    // The checker itself: a misspelt argument and a misplaced block are found.
    const eks = schemas.aws!.resources.get("aws_eks_cluster")!;
    assert.deepEqual(unknownArguments({ name: "x", role_arn: "r", vpc_config: [{ subnet_ids: [], public_acess_cidrs: [] }] }, eks), ["vpc_config.public_acess_cidrs"]);
    assert.deepEqual(unknownArguments({ name: "x", rule: [{}] }, eks), ["rule"]);

    const problems: string[] = [];
    let checked = 0;
    for (const tree of trees) {
      const files = readdirSync(tree.root, { recursive: true }).map(String).filter((f) => f.endsWith(".tf"));
      for (const file of files) {
        const json = await parseHcl({ path: file, content: readFileSync(join(tree.root, file), "utf8"), kind: "terraform" });
        for (const kind of ["resource", "data"] as const) {
          for (const [type, named] of Object.entries((json[kind] ?? {}) as Record<string, Record<string, JsonObject[]>>)) {
            const schema = schemas[type.split("_")[0]!];
            if (!schema) continue; // random_password: the random provider is not checked here
            const level = (kind === "resource" ? schema.resources : schema.dataSources).get(type);
            if (!level) { problems.push(`${tree.label} ${file}: unknown ${kind} type ${type}`); continue; }
            for (const [name, bodies] of Object.entries(named)) {
              checked++;
              for (const u of unknownArguments(bodies[0]!, level)) problems.push(`${tree.label} ${file}: ${type}.${name}: unknown ${u}`);
            }
          }
        }
      }
    }
    assert.ok(checked > 400, `checked ${checked} blocks`);
    assert.deepEqual(problems, []);
  });
});
