import { posix } from "node:path";
import type { GeneratedFile } from "../core/types.ts";
import type { TemplateEngine } from "../templating/render.ts";
import {
  BINDINGS, type Binding, MODULE_TITLES, MODULES, type ModuleName, profileOf, providersFor,
  type RootVariableSpec, type TfValue, type VarType,
} from "./spec.ts";
import { type CloudProvider, LINT_TABLE, VERSION_TABLE } from "./versions.ts";
import { loadHclParser } from "../validate/wasm.ts";

export const INFRA_DIR = "infrastructure";

export interface TerraformPlanInput {
  provider: CloudProvider;
  environments: string[];
  modules: ModuleName[];
  /** DNS-like service/project name: prefixes every resource name. */
  service: string;
  region: string;
  team: string;
  costCenter: string;
  /** CI platform the README describes; default none. */
  ci?: "github-actions" | "gitlab-ci" | "none";
  /** Branch whose pipelines may plan and (GitLab) apply; the bootstrap's OIDC trust names it. Default main. */
  defaultBranch?: string;
}

/** A module's interface as declared by its rendered variables.tf/outputs.tf (parsed, never hand-copied). */
export interface ModuleInterface {
  variables: { name: string; type: string; description: string; required: boolean; default?: unknown }[];
  outputs: { name: string; description: string }[];
}

/** State storage names, derived from the service name; the same names go into bootstrap and every backend. */
export function stateNames(input: Pick<TerraformPlanInput, "provider" | "service">) {
  const compact = input.service.replace(/-/g, "");
  return {
    bucket: `${input.service}-terraform-state`,
    resourceGroup: `rg-${input.service}-tfstate`,
    storageAccount: `${compact.slice(0, 17)}tfstate`,
    container: "tfstate",
  };
}

type TaggedValue = { kind: "string" | "literal"; value: string } | { kind: "list"; value: string[] };

function tag(value: TfValue, type: VarType): TaggedValue {
  if (Array.isArray(value)) {
    if (type !== "list(string)") throw new Error(`value ${JSON.stringify(value)} does not match type ${type}`);
    return { kind: "list", value };
  }
  if (typeof value === "number") {
    if (type !== "number" || !Number.isFinite(value)) throw new Error(`value ${value} does not match type ${type}`);
    return { kind: "literal", value: String(value) };
  }
  if (typeof value === "boolean") {
    if (type !== "bool") throw new Error(`value ${value} does not match type ${type}`);
    return { kind: "literal", value: String(value) };
  }
  if (type !== "string") throw new Error(`value ${JSON.stringify(value)} does not match type ${type}`);
  return { kind: "string", value };
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a Terraform identifier: ${JSON.stringify(name)}`);
  return name;
}

/** Pads keys so `=` signs line up the way `terraform fmt` aligns consecutive attributes. */
function aligned<T extends { name: string }>(items: T[]): (T & { key: string })[] {
  const width = Math.max(0, ...items.map((i) => i.name.length));
  return items.map((i) => ({ ...i, key: identifier(i.name).padEnd(width) }));
}

interface RootVariable extends RootVariableSpec {
  /** Per-environment value written to terraform.tfvars; absent for values only the user knows. */
  value?: (env: string, index: number) => TfValue;
}

function commonRootVariables(input: TerraformPlanInput): RootVariable[] {
  const vars: RootVariable[] = [
    { name: "environment", type: "string", description: "Environment name; part of every resource name.", value: (env) => env },
    { name: "service", type: "string", description: "Service (project) name; prefixes every resource name.", value: () => input.service },
    { name: "team", type: "string", description: "Owning team (tag/label).", value: () => input.team },
    { name: "cost_center", type: "string", description: "Cost center for cost allocation (tag/label).", value: () => input.costCenter },
  ];
  if (input.provider === "azure") {
    vars.push({ name: "location", type: "string", description: "Azure region.", value: () => input.region });
  } else {
    vars.push({ name: "region", type: "string", description: input.provider === "aws" ? "AWS region." : "Google Cloud region.", value: () => input.region });
  }
  if (input.provider === "gcp") {
    vars.push({ name: "project_id", type: "string", description: "Google Cloud project ID of this environment." });
  }
  return vars;
}

type ArgValue =
  | { kind: "expr"; expr: string }
  | { kind: "var"; name: string }
  | { kind: "module"; module: string; output: string };

/** Root variables and module arguments of one environment's root module. */
function rootModule(input: TerraformPlanInput, interfaces: Map<ModuleName, ModuleInterface>) {
  const variables = commonRootVariables(input);
  const declare = (v: RootVariable) => {
    if (!variables.some((x) => x.name === v.name)) variables.push(v);
  };
  const calls = input.modules.map((module) => {
    const bindings = BINDINGS[input.provider][module];
    const iface = interfaces.get(module);
    if (!iface) throw new Error(`no interface parsed for module ${module}`);
    for (const variable of iface.variables) {
      if (variable.required && !bindings[variable.name]) {
        throw new Error(`module ${input.provider}/${module}: required variable ${variable.name} has no binding`);
      }
    }
    const args = Object.entries(bindings).map(([name, binding]): { name: string; value: ArgValue } => {
      if (!iface.variables.some((v) => v.name === name)) throw new Error(`module ${input.provider}/${module} has no variable ${name}`);
      return { name, value: argument(binding, input, declare) };
    });
    return { name: module, source: `../../modules/${module}`, args: aligned(args) };
  });
  return { variables, calls };
}

function argument(binding: Binding, input: TerraformPlanInput, declare: (v: RootVariable) => void): ArgValue {
  switch (binding.kind) {
    case "expr":
      return { kind: "expr", expr: binding.expr };
    case "sized": {
      const { values } = binding;
      declare({
        ...binding.variable,
        value: (env, index) => (typeof values === "function" ? values(index) : values[profileOf(env)]),
      });
      return { kind: "var", name: binding.variable.name };
    }
    case "user":
      declare(binding.variable);
      return { kind: "var", name: binding.variable.name };
    case "module":
      if (input.modules.includes(binding.module)) {
        return { kind: "module", module: binding.module, output: identifier(binding.output) };
      }
      declare(binding.fallback);
      return { kind: "var", name: binding.fallback.name };
  }
}

function variablesContext(variables: RootVariableSpec[]) {
  return {
    variables: variables.map((v) => ({ name: identifier(v.name), description: v.description, type: v.type })),
  };
}

function tfvarsContext(variables: RootVariable[], env: string, index: number) {
  const set = variables.filter((v) => v.value);
  const values = aligned(set.map((v) => ({ name: v.name, value: tag(v.value!(env, index), v.type) })));
  const required = variables.filter((v) => !v.value).map((v) => ({ name: v.name, description: v.description }));
  return { values, required };
}

function versionsContext(provider: CloudProvider, modules: readonly ModuleName[]) {
  return {
    requiredVersion: VERSION_TABLE.requiredVersion,
    providers: providersFor(provider, modules).map((name) => ({ name, ...VERSION_TABLE.providers[name] })),
  };
}

const tf = (path: string, content: string, group: string, kind: "terraform" | "tfvars" = "terraform"): GeneratedFile =>
  ({ path, content, kind, group });

/** Markdown table cell: one line, pipes escaped. */
const cell = (text: string) => text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");

/** Parses a module's rendered variables.tf and outputs.tf into its interface. */
export async function parseModuleInterface(variablesTf: string, outputsTf: string): Promise<ModuleInterface> {
  const parse = await loadHclParser();
  type Block = Record<string, unknown>;
  const vars = ((await parse("variables.tf", variablesTf)) as { variable?: Record<string, Block[]> }).variable ?? {};
  const outs = ((await parse("outputs.tf", outputsTf)) as { output?: Record<string, Block[]> }).output ?? {};
  const unwrap = (expr: unknown) => String(expr ?? "").replace(/^\$\{(.*)\}$/s, "$1");
  return {
    variables: Object.entries(vars).map(([name, [body]]) => ({
      name,
      type: unwrap(body?.type ?? "any"),
      description: String(body?.description ?? ""),
      required: !(body && "default" in body),
      ...(body && "default" in body ? { default: body.default } : {}),
    })),
    outputs: Object.entries(outs).map(([name, [body]]) => ({ name, description: String(body?.description ?? "") })),
  };
}

export interface GeneratedTerraform {
  files: GeneratedFile[];
  /** Root variables without a value, per environment directory: the user must set them. */
  requiredInputs: string[];
}

/** Renders the whole Terraform tree (modules, environments, bootstrap, README, .gitignore) for one request. */
export async function generateTerraform(engine: TemplateEngine, input: TerraformPlanInput): Promise<GeneratedTerraform> {
  const { provider } = input;
  const files: GeneratedFile[] = [];
  const interfaces = new Map<ModuleName, ModuleInterface>();
  const moduleDocs: { name: string; title: string; path: string }[] = [];

  for (const module of MODULES.filter((m) => input.modules.includes(m))) {
    const dir = `${INFRA_DIR}/modules/${module}`;
    const base = `terraform/${provider}/modules/${module}`;
    const main = engine.render(`${base}/main.tf`, {});
    const variables = engine.render(`${base}/variables.tf`, {});
    const outputs = engine.render(`${base}/outputs.tf`, {});
    const versions = engine.render("terraform/versions.tf", versionsContext(provider, module === "database" ? [module] : []));
    const iface = await parseModuleInterface(variables, outputs);
    interfaces.set(module, iface);
    files.push(tf(`${dir}/main.tf`, main, dir), tf(`${dir}/variables.tf`, variables, dir), tf(`${dir}/outputs.tf`, outputs, dir), tf(`${dir}/versions.tf`, versions, dir));
    const title = MODULE_TITLES[provider][module];
    moduleDocs.push({ name: module, title, path: `modules/${module}` });
    files.push({
      path: `${dir}/README.md`,
      kind: "markdown",
      content: engine.render("terraform/module-readme.md", {
        name: module,
        title,
        inputs: iface.variables.map((v) => ({
          name: cell(v.name), type: cell(v.type), description: cell(v.description), required: v.required,
          default: v.required ? "" : cell(JSON.stringify(v.default)),
        })),
        outputs: iface.outputs.map((o) => ({ name: cell(o.name), description: cell(o.description) })),
      }),
    });
  }

  const { variables, calls } = rootModule(input, interfaces);
  const state = stateNames(input);
  const outputs = calls.flatMap((call) =>
    interfaces.get(call.name as ModuleName)!.outputs.map((o) => ({
      name: identifier(`${call.name}_${o.name}`), description: o.description, module: call.name, output: identifier(o.name),
    })),
  );
  const requiredInputs: string[] = [];
  input.environments.forEach((env, index) => {
    const dir = `${INFRA_DIR}/environments/${env}`;
    const base = `terraform/${provider}/environment`;
    const moduleNames = calls.map((c) => c.name);
    files.push(
      tf(`${dir}/main.tf`, engine.render(`${base}/main.tf`, { moduleNames, modules: calls }), dir),
      tf(`${dir}/backend.tf`, engine.render(`${base}/backend.tf`, {
        environment: env,
        bucket: state.bucket,
        key: `${env}/terraform.tfstate`,
        prefix: env,
        region: input.region,
        resourceGroup: state.resourceGroup,
        storageAccount: state.storageAccount,
        container: state.container,
      }), dir),
      tf(`${dir}/variables.tf`, engine.render("terraform/variables.tf", variablesContext(variables)), dir),
      // The root configures only its cloud's provider; random is the database module's own (declared there).
      tf(`${dir}/versions.tf`, engine.render("terraform/versions.tf", versionsContext(provider, [])), dir),
      tf(`${dir}/terraform.tfvars`, engine.render("terraform/terraform.tfvars", tfvarsContext(variables, env, index)), dir, "tfvars"),
    );
    if (outputs.length > 0) files.push(tf(`${dir}/outputs.tf`, engine.render("terraform/outputs.tf", { outputs }), dir));
    for (const v of variables) if (!v.value) requiredInputs.push(`${dir}/terraform.tfvars: ${v.name} (${v.description})`);
  });

  // Bootstrap: the state storage itself, applied once with local state.
  const bootstrapDir = `${INFRA_DIR}/bootstrap`;
  const bootstrapVars = bootstrapVariables(input, state);
  files.push(
    tf(`${bootstrapDir}/main.tf`, engine.render(`terraform/${provider}/bootstrap/main.tf`, {}), bootstrapDir),
    tf(`${bootstrapDir}/outputs.tf`, engine.render(`terraform/${provider}/bootstrap/outputs.tf`, { ci: input.ci ?? "none" }), bootstrapDir),
    tf(`${bootstrapDir}/variables.tf`, engine.render("terraform/variables.tf", variablesContext(bootstrapVars)), bootstrapDir),
    tf(`${bootstrapDir}/versions.tf`, engine.render("terraform/versions.tf", versionsContext(provider, [])), bootstrapDir),
    tf(`${bootstrapDir}/terraform.tfvars`, engine.render("terraform/terraform.tfvars", tfvarsContext(bootstrapVars, "shared", 0)), bootstrapDir, "tfvars"),
  );
  if (input.ci && input.ci !== "none") {
    // CI's OIDC trust: the identity provider, a read-only plan identity and an apply identity, per cloud.
    files.push(tf(`${bootstrapDir}/ci.tf`, engine.render(`terraform/${provider}/bootstrap/ci.tf`, { ci: input.ci }), bootstrapDir));
  }
  for (const v of bootstrapVars) if (!v.value) requiredInputs.push(`${bootstrapDir}/terraform.tfvars: ${v.name} (${v.description})`);

  files.push({ path: `${INFRA_DIR}/.gitignore`, kind: "text", content: engine.render("terraform/gitignore", {}) });
  files.push({ path: `${INFRA_DIR}/.tflint.hcl`, kind: "text", content: engine.render("terraform/tflint.hcl", { ruleset: LINT_TABLE.rulesets[provider] }) });
  files.push({
    path: `${INFRA_DIR}/README.md`,
    kind: "markdown",
    content: engine.render("terraform/README.md", {
      provider,
      ci: input.ci ?? "none",
      service: input.service,
      region: input.region,
      environments: input.environments,
      modules: moduleDocs,
      state,
      backend: { aws: "S3 (native lockfile locking, KMS encryption)", gcp: "GCS (native locking, encrypted at rest)", azure: "azurerm blob (lease locking, encrypted at rest, Entra ID auth)" }[provider],
      terraformRequired: VERSION_TABLE.requiredVersion,
      providers: providersFor(provider, input.modules).map((name) => ({ name, ...VERSION_TABLE.providers[name] })),
      required: [...new Set(variables.filter((v) => !v.value).map((v) => v.name))],
      bootstrapRequired: bootstrapVars.filter((v) => !v.value).map((v) => v.name),
    }),
  });
  for (const file of files) if (posix.isAbsolute(file.path)) throw new Error(`absolute path generated: ${file.path}`);
  return { files, requiredInputs };
}

function bootstrapVariables(input: TerraformPlanInput, state: ReturnType<typeof stateNames>): RootVariable[] {
  const vars = commonRootVariables(input).filter((v) => v.name !== "environment");
  if (input.provider === "azure") {
    vars.push(
      { name: "state_resource_group_name", type: "string", description: "Resource group of the state storage account.", value: () => state.resourceGroup },
      { name: "state_storage_account_name", type: "string", description: "Globally unique name of the state storage account.", value: () => state.storageAccount },
      { name: "state_container_name", type: "string", description: "Blob container for the state files.", value: () => state.container },
    );
  } else {
    vars.push({ name: "state_bucket_name", type: "string", description: "Globally unique name of the state bucket.", value: () => state.bucket });
  }
  if (input.ci && input.ci !== "none") {
    const github = input.ci === "github-actions";
    vars.push(
      {
        name: "ci_repository", type: "string",
        description: github ? "GitHub repository (owner/name) whose workflows may plan and apply." : "GitLab project path (group/project) whose pipelines may plan and apply.",
      },
    );
    // GCP binds the apply identity per environment (GitHub and GitLab tokens both carry it) and needs no branch;
    // AWS and Azure trust subjects name the branch, and on GitHub the environment.
    if (input.provider !== "gcp") {
      vars.push({ name: "ci_default_branch", type: "string", description: "Default branch: its pipelines plan (and on GitLab apply).", value: () => input.defaultBranch ?? "main" });
    }
    if (github || input.provider === "gcp") {
      vars.push({ name: "ci_environments", type: "list(string)", description: "Deployment environments whose jobs may assume the apply identity.", value: () => input.environments });
    }
    if (!github) {
      vars.push({ name: "ci_gitlab_url", type: "string", description: "GitLab instance URL: the OIDC issuer and audience.", value: () => "https://gitlab.com" });
    }
  }
  return vars;
}
