// Real provider plugins for offline `terraform init`: a filesystem mirror (the unpacked layout,
// <dir>/registry.terraform.io/hashicorp/<name>/<version>/<os>_<arch>/terraform-provider-<name>_v<version>) that
// tests/terraform/build-providers.sh fills from the providers' Go sources. SD_GOOGLE_PROVIDER_DIR names it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VERSION_TABLE } from "../../mcp-server/src/engine/terraform/versions.ts";
import { REPO } from "../shipped.ts";
import { reduceSchema, type ProvidersSchemaJson, type ReducedSchemaFile } from "./provider-schema.ts";

export const MIRROR_ENV = "SD_GOOGLE_PROVIDER_DIR";

/** The providers the generated GCP trees require, which the mirror must hold. */
export const MIRRORED = ["registry.terraform.io/hashicorp/google", "registry.terraform.io/hashicorp/random"];

/**
 * The environment for terraform to install providers from the mirror only (no registry: a provider missing there
 * fails `init` instead of being fetched): writes a CLI config file into `scratch`.
 */
export function mirrorEnv(mirror: string, scratch: string): NodeJS.ProcessEnv {
  const config = join(scratch, "terraformrc");
  writeFileSync(config, [
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(mirror)}`,
    `    include = ${JSON.stringify(MIRRORED)}`,
    "  }",
    "}",
    "",
  ].join("\n"));
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: config, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
  delete env.TF_PLUGIN_CACHE_DIR;
  return env;
}

/** Resource and data source types of the google and random providers that the GCP templates can emit. */
export function emittedTypes(templatesDir: string): { resources: string[]; dataSources: string[] } {
  const resources = new Set<string>();
  const dataSources = new Set<string>();
  for (const file of readdirSync(templatesDir, { recursive: true }).map(String).filter((f) => f.endsWith(".tf.hbs"))) {
    for (const m of readFileSync(join(templatesDir, file), "utf8").matchAll(/^\s*(resource|data) "((?:google|random)_\w+)"/gm)) {
      (m[1] === "resource" ? resources : dataSources).add(m[2]!);
    }
  }
  return { resources: [...resources].sort(), dataSources: [...dataSources].sort() };
}

/**
 * Installs the google and random providers the version table pins from the mirror only, runs `terraform providers
 * schema -json` and keeps the resource and data source types that templates/terraform/gcp can emit, with the
 * provider versions terraform selected.
 */
export function reducedSchemaFromMirror(mirror: string): ReducedSchemaFile {
  const scratch = mkdtempSync(join(tmpdir(), "sd-provider-schema-"));
  try {
    const { google, random } = VERSION_TABLE.providers;
    writeFileSync(join(scratch, "versions.tf"), [
      "terraform {",
      "  required_providers {",
      `    google = { source = "${google.source}", version = "${google.version}" }`,
      `    random = { source = "${random.source}", version = "${random.version}" }`,
      "  }",
      "}",
      "",
    ].join("\n"));
    const env = mirrorEnv(mirror, scratch);
    const terraform = (...args: string[]) =>
      execFileSync("terraform", args, { cwd: scratch, env, encoding: "utf8", stdio: "pipe", maxBuffer: 512 * 1024 * 1024, timeout: 300_000 });
    terraform("init", "-backend=false", "-input=false", "-no-color");
    const selections = (JSON.parse(terraform("version", "-json")) as { provider_selections: Record<string, string> }).provider_selections;
    const full = JSON.parse(terraform("providers", "schema", "-json")) as ProvidersSchemaJson;
    return reduceSchema(full, selections, emittedTypes(join(REPO, "templates", "terraform", "gcp")),
      "The google and random providers' schemas (terraform providers schema -json of the real plugins, at the " +
      "versions below), reduced to the resource and data source types templates/terraform/gcp emits. Regenerate " +
      "with tests/terraform/reduce-provider-schema.ts (see .ci/tools/README.md).");
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
