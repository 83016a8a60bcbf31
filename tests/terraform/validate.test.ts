// Opt-in: `terraform init -backend=false` and `terraform validate` with the real google and random provider plugins
// on every directory of every generated GCP tree, installed from a local filesystem mirror only. Set
// SD_GOOGLE_PROVIDER_DIR to a mirror built by tests/terraform/build-providers.sh (building google takes 15-30
// minutes, so CI does not: it checks the committed reduced schema in lint.test.ts instead).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../helpers.ts";
import { loadGoogleSchema } from "./google-schema.ts";
import { MIRROR_ENV, mirrorEnv, reducedSchemaFromMirror } from "./provider-mirror.ts";
import { loudSkip, terraformBinary } from "./support.ts";
import { generateTrees } from "./trees.ts";

const mirror = process.env[MIRROR_ENV];
const terraform = terraformBinary();

describe("generated GCP Terraform passes terraform validate with the real providers (opt-in)", () => {
  const base = tempDir("sd-tf-validate-");

  it("terraform init -backend=false && terraform validate in every directory of every GCP tree", (t) => {
    if (!terraform) return loudSkip(t, "terraform is not on PATH");
    if (!mirror) return loudSkip(t, `${MIRROR_ENV} is not set (a provider mirror built by tests/terraform/build-providers.sh)`);
    assert.ok(existsSync(join(mirror, "registry.terraform.io", "hashicorp", "google")), `${mirror} holds the google provider`);
    const env = mirrorEnv(mirror, base);
    const failures: string[] = [];
    let valid = 0;
    let total = 0;
    for (const tree of generateTrees(join(base, "trees"), ["gcp"])) {
      const dirs = [...new Set(readdirSync(tree.root, { recursive: true }).map(String).filter((f) => f.endsWith(".tf")).map((f) => dirname(f)))].sort();
      for (const dir of dirs) {
        total++;
        const cwd = join(tree.root, dir);
        const run = (args: string[]) => spawnSync(terraform, args, { cwd, env, encoding: "utf8", timeout: 600_000 });
        const init = run(["init", "-backend=false", "-input=false", "-no-color"]);
        if (init.status !== 0) { failures.push(`${tree.label} ${dir}: init failed\n${init.stderr}${init.stdout}`.trim()); continue; }
        const validate = run(["validate", "-no-color"]);
        if (validate.status !== 0) { failures.push(`${tree.label} ${dir}: validate failed\n${validate.stderr}${validate.stdout}`.trim()); continue; }
        valid++;
        rmSync(join(cwd, ".terraform"), { recursive: true, force: true });
      }
    }
    t.diagnostic(`terraform validate: ${valid} of ${total} directories valid`);
    assert.ok(total >= 38, `validated ${total} directories`);
    assert.deepEqual(failures, []);
  });

  it("the committed google-schema.json is the reduction of the mirrored providers' schemas", (t) => {
    if (!terraform) return loudSkip(t, "terraform is not on PATH");
    if (!mirror) return loudSkip(t, `${MIRROR_ENV} is not set (a provider mirror built by tests/terraform/build-providers.sh)`);
    const committed = loadGoogleSchema();
    const fresh = reducedSchemaFromMirror(mirror);
    const versions = (s: typeof fresh) => Object.fromEntries(Object.entries(s.providers).map(([a, p]) => [a, p.version]));
    assert.deepEqual(versions(fresh), versions(committed), "the mirror holds the versions google-schema.json was reduced from");
    assert.deepEqual(fresh, committed, "google-schema.json is stale: regenerate it with tests/terraform/reduce-provider-schema.ts");
  });
});
