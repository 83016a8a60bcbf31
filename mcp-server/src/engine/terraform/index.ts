import { basename } from "node:path";
import { z } from "zod";
import { analyzeRepository } from "../analyze/index.ts";
import { commonInput, defineCapability } from "../core/capability.ts";
import { InputError } from "../core/types.ts";
import { templateEngine } from "../templating/render.ts";
import "../validate/pipeline-validators.ts";
import "../validate/terraform-register.ts";
import { readManifest } from "../writer/manifest.ts";
import { assertSafeSegment } from "../writer/paths.ts";
import { resolveRoot, validateAndWrite } from "../writer/index.ts";
import { CI_PLATFORMS, type CiPlatform, generateCi } from "./ci.ts";
import { generateTerraform, INFRA_DIR, stateNames } from "./generate.ts";
import { DEFAULT_REGION, MODULE_ALIASES, MODULES, type ModuleName, REGION_EXAMPLES, REGION_PATTERN } from "./spec.ts";
import { localTerraformVersion, localTerraformWarnings, PROVIDERS, resolveTerraformVersion, VERSION_TABLE } from "./versions.ts";

export { generateTerraform } from "./generate.ts";

/** Resource-name prefix: 2–24 characters, DNS-like, starting with a letter (GCP names must). */
const PROJECT_NAME = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;
/** Environment names become directories and resource-name suffixes: 1–15 characters. */
const ENV_NAME = /^[a-z]([a-z0-9-]{0,13}[a-z0-9])?$/;
/** Tag/label values every cloud accepts (GCP labels are the strictest). */
const LABEL_VALUE = /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/;

const MODULE_WORDS = [...MODULES, ...Object.keys(MODULE_ALIASES)] as [string, ...string[]];

const envName = z.string().regex(ENV_NAME, {
  message: "environment names must be 1-15 characters: lowercase letters, digits and '-', starting with a letter (e.g. staging, production)",
});

export const terraformInputShape = {
  ...commonInput,
  provider: z.enum(PROVIDERS).describe("Cloud provider"),
  environments: z.array(envName).min(1).max(10).default(["staging", "production"])
    .describe("One directory and state each"),
  modules: z.array(z.enum(MODULE_WORDS)).min(1).optional()
    .describe(
      "Default: all",
    )
    // tools/list advertises the canonical names only; the cloud aliases (vpc, eks, rds, s3, …) stay accepted.
    .meta({ items: { enum: [...MODULES] } }),
  ci: z.enum(CI_PLATFORMS).optional()
    .describe("CI for plan/apply/drift; default: the one in use, else github-actions"),
  project: z.string().regex(PROJECT_NAME, {
    message: "project names must be 2-24 characters: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit",
  }).optional().describe("Resource name prefix; default: directory name"),
  region: z.string().min(1).max(40).optional()
    .describe("Default us-east-1 / us-central1 / eastus"),
  team: z.string().regex(LABEL_VALUE, { message: "team must be a lowercase tag/label value (letters, digits, '-', '_')" }).default("platform")
    .describe("team tag/label"),
  costCenter: z.string().regex(LABEL_VALUE, { message: "costCenter must be a lowercase tag/label value (letters, digits, '-', '_')" }).default("engineering")
    .describe("cost-center tag/label"),
  resolveLatest: z.boolean().default(false)
    .describe(`Latest Terraform from HashiCorp (else ${VERSION_TABLE.terraform})`),
};

type TerraformInput = z.infer<z.ZodObject<typeof terraformInputShape>>;

function normaliseModules(words: string[] | undefined): ModuleName[] {
  if (!words) return [...MODULES];
  const chosen = new Set<ModuleName>();
  for (const word of words) {
    const module = (MODULES as readonly string[]).includes(word) ? (word as ModuleName) : MODULE_ALIASES[word];
    if (!module) throw new InputError(`unknown module "${word}": valid modules are ${MODULES.join(", ")} (or ${Object.keys(MODULE_ALIASES).join(", ")})`);
    chosen.add(module);
  }
  return MODULES.filter((m) => chosen.has(m));
}

/** The directory's name made DNS-like, when that yields a valid project name. */
function projectFromDirectory(root: string): string {
  const derived = basename(root).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^[^a-z]+/, "").slice(0, 24).replace(/-+$/, "");
  if (!PROJECT_NAME.test(derived)) {
    throw new InputError(`cannot derive a project name from the directory name "${basename(root)}": pass project (--project <name>), 2-24 characters of lowercase letters, digits and '-'`);
  }
  return derived;
}

function validateInput(input: TerraformInput, root: string) {
  const environments = input.environments;
  const duplicate = environments.find((e, i) => environments.indexOf(e) !== i);
  if (duplicate) throw new InputError(`environment "${duplicate}" is listed twice`);
  for (const env of environments) assertSafeSegment(env, "environment");
  const region = input.region ?? DEFAULT_REGION[input.provider];
  if (!REGION_PATTERN[input.provider].test(region)) {
    throw new InputError(`region "${region}" is not a ${input.provider} region name (e.g. ${REGION_EXAMPLES[input.provider]})`);
  }
  const service = input.project ?? projectFromDirectory(root);
  return { environments, region, service, modules: normaliseModules(input.modules) };
}

export const terraformCapability = defineCapability({
  tool: "terraform-scaffolder",
  title: "Scaffold Terraform infrastructure",
  description:
    "Use to start infrastructure as code: writes validated Terraform for AWS, GCP or Azure (network, cluster, database, storage, registry), " +
    "a locked, encrypted remote state per environment and plan/apply/drift CI with OIDC.",
  inputShape: terraformInputShape,
  // Updates files it generated earlier (force overwrites user edits); resolveLatest asks HashiCorp's release API.
  annotations: { title: "Scaffold Terraform infrastructure", readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  // --dry-run/--force come from commonCliOptions, which the CLI adds to every writing capability itself.
  cli: {
    command: "terraform",
    summary: "scaffold Terraform modules, environments, remote state and CI (aws, gcp, azure)",
    options: [
      { flags: "--provider <provider>", key: "provider", description: `cloud provider: ${PROVIDERS.join(", ")}` },
      { flags: "--env <list>", key: "environments", type: "list", description: "comma-separated environments (default staging,production)" },
      { flags: "--modules <list>", key: "modules", type: "list", description: `comma-separated modules: ${MODULES.join(", ")} (default all)` },
      { flags: "--ci <platform>", key: "ci", description: `CI platform: ${CI_PLATFORMS.join(", ")}` },
      { flags: "--project <name>", key: "project", description: "service/project name prefixing resource names (default: directory name)" },
      { flags: "--region <region>", key: "region", description: "cloud region" },
      { flags: "--team <name>", key: "team", description: "team tag/label (default platform)" },
      { flags: "--cost-center <name>", key: "costCenter", description: "cost-center tag/label (default engineering)" },
      { flags: "--resolve-latest", key: "resolveLatest", type: "bool", description: "resolve the latest Terraform release online for CI" },
    ],
  },
  async run(input, context) {
    const root = resolveRoot(input.path);
    const { environments, region, service, modules } = validateInput(input, root);
    context.progress(`analysing ${root}`);
    const analysis = await analyzeRepository(root, { progress: context.progress });
    const ci: CiPlatform = input.ci
      ?? (analysis.existingCi.includes("github-actions") ? "github-actions" : analysis.existingCi.includes("gitlab-ci") ? "gitlab-ci" : "github-actions");
    const warnings: string[] = [];
    const terraform = await resolveTerraformVersion(input.resolveLatest, context.signal);
    if (terraform.warning) warnings.push(terraform.warning);
    const localTerraform = await localTerraformVersion();
    warnings.push(...localTerraformWarnings(localTerraform, terraform));

    const engine = templateEngine(context.templatesDir);
    context.progress(`rendering ${input.provider} Terraform: ${modules.join(", ")} × ${environments.join(", ")}`);
    const generated = await generateTerraform(engine, {
      provider: input.provider, environments, modules, service, region, team: input.team, costCenter: input.costCenter, ci,
      defaultBranch: analysis.defaultBranch,
    });
    const files = [...generated.files];
    const nextSteps: string[] = [];
    const state = stateNames({ provider: input.provider, service });
    nextSteps.push(
      `Bootstrap the state storage once: cd ${INFRA_DIR}/bootstrap && terraform init && terraform apply (creates ${
        input.provider === "azure" ? `storage account ${state.storageAccount}` : `bucket ${state.bucket}`
      }; rename it in bootstrap/terraform.tfvars and every environments/*/backend.tf if the name is taken).`,
    );
    if (generated.requiredInputs.length > 0) {
      nextSteps.push(`Set these values before the first plan:\n${generated.requiredInputs.map((r) => `  - ${r}`).join("\n")}`);
    }
    nextSteps.push(`Then per environment: cd ${INFRA_DIR}/environments/<env> && terraform init && terraform plan; commit the .terraform.lock.hcl files.`);

    if (ci !== "none") {
      const { manifest } = readManifest(root);
      const ciFiles = generateCi(engine, {
        platform: ci, provider: input.provider, environments, region, defaultBranch: analysis.defaultBranch,
        terraformVersion: terraform.version, root, manifest,
      });
      files.push(...ciFiles.files);
      nextSteps.push(...ciFiles.nextSteps);
    }
    context.progress(`rendered ${files.length} file(s)`);
    return validateAndWrite({
      tool: "terraform-scaffolder",
      root,
      files,
      dryRun: input.dryRun,
      force: input.force,
      warnings: [...analysis.warnings, ...warnings],
      nextSteps,
      analysis,
      details: {
        provider: input.provider,
        environments,
        modules,
        project: service,
        region,
        ci,
        terraformVersion: terraform.version,
        terraformVersionSource: terraform.source,
        localTerraformVersion: localTerraform ?? null,
        requiredVersion: VERSION_TABLE.requiredVersion,
        providers: VERSION_TABLE.providers,
      },
      progress: context.progress,
    });
  },
});
