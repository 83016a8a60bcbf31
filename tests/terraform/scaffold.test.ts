import assert from "node:assert/strict";
import { posix } from "node:path";
import { describe, it } from "node:test";
import type { GeneratedFile } from "../../mcp-server/src/engine/core/types.ts";
import { generateTerraform } from "../../mcp-server/src/engine/terraform/generate.ts";
import { MODULES, type ModuleName } from "../../mcp-server/src/engine/terraform/spec.ts";
import { type CloudProvider, PROVIDERS } from "../../mcp-server/src/engine/terraform/versions.ts";
import { templateEngine } from "../../mcp-server/src/engine/templating/render.ts";
import { checkTerraformReferences } from "../../mcp-server/src/engine/validate/terraform-references.ts";
import { tempDir } from "../helpers.ts";
import { fmtCheck, type Json, type JsonObject, loudSkip, parseHcl, resources, terraformBinary, writeTree } from "./support.ts";

const SUBSETS: { label: string; modules: ModuleName[]; environments: string[]; ci?: "github-actions" | "gitlab-ci" }[] = [
  { label: "full", modules: [...MODULES], environments: ["dev", "staging", "production"], ci: "github-actions" },
  { label: "network", modules: ["network"], environments: ["staging", "production"] },
  { label: "database", modules: ["database"], environments: ["staging", "production"] },
  { label: "storage+registry", modules: ["storage", "registry"], environments: ["qa", "prod"] },
  { label: "cluster alone", modules: ["cluster"], environments: ["staging", "production"], ci: "gitlab-ci" },
];
const REGION: Record<CloudProvider, string> = { aws: "eu-west-1", gcp: "europe-west4", azure: "westeurope" };

/** Data stores: losing one loses data, so each must carry lifecycle { prevent_destroy = true }. */
const DATA_STORES = new Set([
  "aws_db_instance", "aws_s3_bucket",
  "google_sql_database_instance", "google_sql_database", "google_storage_bucket",
  "azurerm_postgresql_flexible_server", "azurerm_postgresql_flexible_server_database", "azurerm_storage_account",
]);
/** azurerm resources that have no tags argument. */
const AZURE_UNTAGGABLE = new Set([
  "azurerm_subnet", "azurerm_nat_gateway_public_ip_association", "azurerm_subnet_nat_gateway_association",
  "azurerm_role_assignment", "azurerm_storage_container", "azurerm_postgresql_flexible_server_active_directory_administrator",
  "azurerm_postgresql_flexible_server_configuration", "azurerm_postgresql_flexible_server_database", "azurerm_federated_identity_credential",
]);
const TAG_KEYS = ["cost-center", "environment", "service", "team"];

const engine = templateEngine();
const terraform = terraformBinary();

const isObject = (v: Json | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const dirOf = (f: GeneratedFile) => posix.dirname(f.path);

/** The keys of a tags/labels map, following `local.x` into the directory's locals. */
function mapKeys(value: Json | undefined, locals: JsonObject): string[] {
  if (isObject(value)) return Object.keys(value).sort();
  const local = typeof value === "string" ? /^\$\{local\.(\w+)\}$/.exec(value) : null;
  if (local) return mapKeys(locals[local[1]!], locals);
  return [];
}

for (const provider of PROVIDERS) {
  describe(`${provider} Terraform`, () => {
    for (const subset of SUBSETS) {
      it(`${subset.label} × ${subset.environments.join(",")}: parses, resolves, fmt-clean, locked encrypted backends, pinned versions, safe defaults`, async (t) => {
        const { files } = await generateTerraform(engine, {
          provider, environments: subset.environments, modules: subset.modules, service: "shop-api", region: REGION[provider],
          team: "payments", costCenter: "cc-1234", ci: subset.ci,
        });
        const tfFiles = files.filter((f) => f.kind === "terraform" || f.kind === "tfvars");
        assert.ok(tfFiles.length > 0);
        for (const f of tfFiles) assert.equal(f.group, dirOf(f), `${f.path} is grouped by its directory`);

        // Layout: modules, environments and bootstrap, nothing else.
        const dirs = new Set(tfFiles.map(dirOf));
        assert.deepEqual([...dirs].filter((d) => d.startsWith("infrastructure/modules/")).sort(), subset.modules.map((m) => `infrastructure/modules/${m}`).sort());
        for (const env of subset.environments) {
          for (const name of ["main.tf", "variables.tf", "versions.tf", "backend.tf", "terraform.tfvars"]) {
            assert.ok(files.some((f) => f.path === `infrastructure/environments/${env}/${name}`), `${env}/${name}`);
          }
        }
        assert.ok(files.some((f) => f.path === "infrastructure/bootstrap/main.tf"));
        assert.ok(files.some((f) => f.path === "infrastructure/.gitignore" && f.content.includes(".terraform/") && f.content.includes("*.tfstate")));
        for (const m of subset.modules) assert.ok(files.some((f) => f.path === `infrastructure/modules/${m}/README.md`));

        // 1. Every file parses with HashiCorp's parser.
        const parsed = new Map<string, JsonObject>();
        for (const f of tfFiles) parsed.set(f.path, await parseHcl(f));

        // 2. Every reference resolves; every module call passes exactly its module's variables.
        const refs = await checkTerraformReferences(files);
        assert.equal(refs.length, tfFiles.length);
        assert.deepEqual(refs.filter((r) => !r.ok).map((r) => `${r.path}: ${r.messages.join("; ")}`), []);

        // 3. terraform fmt -check -recursive on the written tree.
        if (terraform) {
          const root = tempDir("sd-tf-fmt-");
          writeTree(root, files);
          assert.deepEqual(fmtCheck(terraform, root), [], "terraform fmt would rewrite these files");
        } else {
          loudSkip(t, "terraform is not on PATH: fmt -check not run (the remaining checks ran)");
        }

        const localsOf = (dir: string): JsonObject =>
          Object.assign({}, ...[...parsed].filter(([p]) => posix.dirname(p) === dir).flatMap(([, j]) => (Array.isArray(j.locals) ? j.locals : [])));

        // 4. One remote, locked, encrypted state per environment.
        const stateKeys = new Set<string>();
        for (const env of subset.environments) {
          const backend = parsed.get(`infrastructure/environments/${env}/backend.tf`)!;
          const block = (backend.terraform as JsonObject[])[0]!.backend as Record<string, JsonObject[]>;
          const [type, [config]] = Object.entries(block)[0]! as [string, JsonObject[]];
          assert.equal(Object.keys(block).length, 1);
          if (provider === "aws") {
            assert.equal(type, "s3");
            assert.equal(config!.use_lockfile, true);
            assert.equal(config!.encrypt, true);
            assert.equal(config!.dynamodb_table, undefined);
            stateKeys.add(`${config!.bucket}/${config!.key}`);
          } else if (provider === "gcp") {
            assert.equal(type, "gcs");
            stateKeys.add(`${config!.bucket}/${config!.prefix}`);
          } else {
            assert.equal(type, "azurerm");
            assert.equal(config!.use_azuread_auth, true);
            stateKeys.add(`${config!.storage_account_name}/${config!.container_name}/${config!.key}`);
          }
        }
        assert.equal(stateKeys.size, subset.environments.length, "each environment has its own state");

        // 5. Pinned required_version (>= 1.10 for S3 lockfiles) and ~> provider constraints, declared wherever used.
        for (const dir of dirs) {
          const versions = parsed.get(`${dir}/versions.tf`);
          assert.ok(versions, `${dir} has versions.tf`);
          const block = (versions.terraform as JsonObject[])[0]!;
          const required = /^~> 1\.(\d+)$/.exec(String(block.required_version));
          assert.ok(required && Number(required[1]) >= 10, `${dir}: required_version ${block.required_version}`);
          const providers = (block.required_providers as JsonObject[])[0]!;
          for (const [name, spec] of Object.entries(providers)) {
            assert.match(String((spec as JsonObject).version), /^~> \d+\.\d+$/, `${dir}: ${name}`);
            assert.match(String((spec as JsonObject).source), /^hashicorp\//);
          }
          const used = new Set([...parsed].filter(([p]) => posix.dirname(p) === dir).flatMap(([, j]) => resources(j).map(([type]) => type.split("_")[0]!)));
          for (const prefix of used) assert.ok(prefix in providers, `${dir} uses ${prefix}_* but does not require that provider`);
        }

        // 6. prevent_destroy on every data store, including the state storage.
        let stores = 0;
        for (const [path, json] of parsed) {
          for (const [type, name, body] of resources(json)) {
            if (!DATA_STORES.has(type)) continue;
            stores += 1;
            const lifecycle = (body.lifecycle as JsonObject[] | undefined)?.[0];
            assert.equal(lifecycle?.prevent_destroy, true, `${path}: ${type}.${name} lacks prevent_destroy`);
          }
        }
        assert.ok(stores >= 1, "at least the state storage is a protected data store");

        // 7. Default tags/labels on every taggable resource.
        for (const [path, json] of parsed) {
          const dir = posix.dirname(path);
          const providerBlocks = (json.provider ?? {}) as Record<string, JsonObject[]>;
          if (provider === "aws" && providerBlocks.aws) {
            const tags = (providerBlocks.aws[0]!.default_tags as JsonObject[])[0]!.tags;
            assert.deepEqual(mapKeys(tags, localsOf(dir)), TAG_KEYS, `${path}: aws default_tags`);
          }
          if (provider === "gcp" && providerBlocks.google) {
            assert.deepEqual(mapKeys(providerBlocks.google[0]!.default_labels, localsOf(dir)), TAG_KEYS, `${path}: google default_labels`);
          }
          if (provider === "azure") {
            for (const [type, name, body] of resources(json)) {
              if (AZURE_UNTAGGABLE.has(type)) continue;
              assert.ok("tags" in body, `${path}: ${type}.${name} has no tags`);
              const keys = mapKeys(body.tags, localsOf(dir));
              if (keys.length > 0) assert.deepEqual(keys, TAG_KEYS, `${path}: ${type}.${name}`);
              else assert.equal(body.tags, "${var.tags}", `${path}: ${type}.${name} takes the tags the environment passes`);
            }
          }
          for (const [, call] of Object.entries((json.module ?? {}) as Record<string, JsonObject[]>)) {
            for (const key of ["tags", "labels"]) if (key in call[0]!) assert.match(String(call[0]![key]), /^\$\{local\.(tags|labels)\}$/);
          }
          if (provider === "aws" || provider === "gcp") {
            if (posix.dirname(path).startsWith("infrastructure/environments/") && path.endsWith("main.tf")) {
              assert.ok(providerBlocks[provider === "aws" ? "aws" : "google"], `${path} configures the provider with default tags/labels`);
            }
          }
        }

        // 8. No secret values: managed/stored passwords only, nothing sensitive in outputs.
        for (const f of tfFiles) {
          assert.doesNotMatch(f.content, /(password|secret|token|access_key)\w*\s*=\s*"[^"$]/i, `${f.path}: literal secret-like value`);
        }
        for (const [path, json] of parsed) {
          for (const [name, [body]] of Object.entries((json.output ?? {}) as Record<string, JsonObject[]>)) {
            assert.doesNotMatch(String(body!.value), /random_password|\.password\b|administrator_password|master_password/, `${path}: output ${name}`);
          }
          for (const [type, name, body] of resources(json)) {
            if (type === "aws_db_instance") {
              assert.equal(body.manage_master_user_password, true, `${type}.${name}`);
              assert.equal(body.password, undefined);
              assert.equal(body.storage_encrypted, true);
              assert.equal(body.publicly_accessible, false);
            }
            if (type === "google_sql_user") assert.equal(body.password, "${random_password.app.result}");
            if (type === "google_secret_manager_secret_version") assert.equal(body.secret_data, "${random_password.app.result}");
            if (type === "google_sql_database_instance") {
              const ip = ((body.settings as JsonObject[])[0]!.ip_configuration as JsonObject[])[0]!;
              assert.equal(ip.ipv4_enabled, false);
            }
            if (type === "azurerm_postgresql_flexible_server") {
              assert.equal(body.administrator_password, undefined);
              assert.equal((body.authentication as JsonObject[])[0]!.password_auth_enabled, false);
              assert.equal(body.public_network_access_enabled, false);
            }
          }
        }
        if (subset.modules.includes("database") && provider === "gcp") {
          const main = parsed.get("infrastructure/modules/database/main.tf")!;
          assert.ok(resources(main).some(([type]) => type === "google_secret_manager_secret_version"), "the generated password goes to Secret Manager");
        }

        // 9. A module whose dependency is not generated takes its inputs as root variables.
        for (const env of subset.environments) {
          const main = parsed.get(`infrastructure/environments/${env}/main.tf`)!;
          const calls = (main.module ?? {}) as Record<string, JsonObject[]>;
          assert.deepEqual(Object.keys(calls).sort(), [...subset.modules].sort());
          const text = JSON.stringify(calls);
          if (!subset.modules.includes("network")) assert.doesNotMatch(text, /module\.network/);
          if (subset.label === "cluster alone") {
            const args = Object.values(calls.cluster![0]!).map(String);
            assert.ok(args.some((a) => /^\$\{var\.cluster_subnet/.test(a)), `cluster takes network ids as variables: ${args.join(", ")}`);
          }
          if (subset.label === "full" && provider !== "gcp") {
            assert.match(text, /module\.network\./, "the full set wires the network into its consumers");
          }
        }

        // 10. Module READMEs document exactly the variables and outputs the module declares.
        for (const m of subset.modules) {
          const readme = files.find((f) => f.path === `infrastructure/modules/${m}/README.md`)!.content;
          const [inputs, outputs] = readme.split("## Outputs");
          const names = (section: string) => [...section!.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((x) => x[1]).sort();
          const declared = (file: string, block: string) => Object.keys(parsed.get(`infrastructure/modules/${m}/${file}`)![block] as JsonObject).sort();
          assert.deepEqual(names(inputs!), declared("variables.tf", "variable"), `${m} README inputs`);
          assert.deepEqual(names(outputs!), declared("outputs.tf", "output"), `${m} README outputs`);
        }

        // 11. Environments differ only by tfvars: every environment's .tf files are identical except backend.tf.
        const [first, ...rest] = subset.environments;
        for (const env of rest) {
          for (const name of ["main.tf", "variables.tf", "versions.tf", "outputs.tf"]) {
            const a = files.find((f) => f.path === `infrastructure/environments/${first}/${name}`)?.content;
            const b = files.find((f) => f.path === `infrastructure/environments/${env}/${name}`)?.content;
            assert.equal(b, a, `${env}/${name} differs from ${first}/${name}`);
          }
        }
      });
    }
  });
}

describe("reviewed defaults (regressions)", () => {
  const generate = (provider: CloudProvider, modules: ModuleName[]) => generateTerraform(engine, {
    provider, environments: ["staging", "production"], modules, service: "shop-api", region: REGION[provider], team: "payments", costCenter: "cc-1234",
  });
  const fileOf = (files: GeneratedFile[], path: string) => {
    const file = files.find((f) => f.path === path);
    assert.ok(file, `${path} is generated`);
    return file;
  };

  it("aws: PostgreSQL is reachable from the private subnets only, and storage autoscaling stays on in every environment", async () => {
    const { files } = await generate("aws", ["network", "database"]);
    for (const env of ["staging", "production"]) {
      const main = await parseHcl(fileOf(files, `infrastructure/environments/${env}/main.tf`));
      const call = (main.module as Record<string, JsonObject[]>).database?.[0];
      assert.ok(call, `${env} calls the database module`);
      assert.equal(call.allowed_cidr_blocks, "${module.network.private_subnet_cidr_blocks}", `${env}: not the whole VPC (public subnets included)`);
      const tfvars = await parseHcl(fileOf(files, `infrastructure/environments/${env}/terraform.tfvars`));
      const allocated = Number(tfvars.database_allocated_storage);
      const max = Number(tfvars.database_max_allocated_storage);
      // RDS turns autoscaling off (or rejects the call) when the ceiling is not above the allocated storage.
      assert.ok(max > allocated, `${env}: max_allocated_storage ${max} must exceed allocated_storage ${allocated}`);
    }
    const variables = fileOf(files, "infrastructure/modules/database/variables.tf").content;
    assert.match(variables, /var\.max_allocated_storage > var\.allocated_storage/, "the module validates the ceiling itself");
  });

  it("gcp: every module enables the APIs it calls before creating anything, and never disables them on destroy", async () => {
    const { files } = await generate("gcp", [...MODULES]);
    const needs: Record<ModuleName, string[]> = {
      network: ["compute.googleapis.com"],
      cluster: ["container.googleapis.com", "iam.googleapis.com"],
      database: ["servicenetworking.googleapis.com", "sqladmin.googleapis.com", "secretmanager.googleapis.com"],
      storage: ["storage.googleapis.com"],
      registry: ["artifactregistry.googleapis.com"],
    };
    for (const m of MODULES) {
      const main = await parseHcl(fileOf(files, `infrastructure/modules/${m}/main.tf`));
      const all = resources(main);
      const service = all.find(([type]) => type === "google_project_service");
      assert.ok(service, `${m} enables its APIs`);
      assert.equal(service[2].disable_on_destroy, false, `${m}: destroying the module must not switch APIs off for everything else`);
      for (const api of needs[m]) assert.match(String(service[2].for_each), new RegExp(api.replace(/\./g, "\\.")), `${m} enables ${api}`);
      // Every resource either depends on the APIs directly or on something that does (no root of the graph skips them).
      for (const [type, name, body] of all) {
        if (type === "google_project_service" || !type.startsWith("google_")) continue;
        assert.match(JSON.stringify(body), /\$\{google_/, `${m}: ${type}.${name} may be created before its API is enabled`);
      }
    }
  });

  it("azure: AKS egresses through the network's NAT gateway (not extra load balancer IPs), created after the NAT is attached", async () => {
    const { files } = await generate("azure", ["network", "cluster"]);
    const outputs = await parseHcl(fileOf(files, "infrastructure/modules/network/outputs.tf"));
    const out = outputs.output as Record<string, JsonObject[]>;
    assert.equal(out.private_subnet_id?.[0]?.value, "${azurerm_subnet_nat_gateway_association.private.subnet_id}");
    assert.equal(out.private_subnet_outbound_type?.[0]?.value, "userAssignedNATGateway");
    const cluster = await parseHcl(fileOf(files, "infrastructure/modules/cluster/main.tf"));
    const aks = resources(cluster).find(([type]) => type === "azurerm_kubernetes_cluster");
    assert.ok(aks);
    assert.equal((aks[2].network_profile as JsonObject[])[0]!.outbound_type, "${var.outbound_type}");
    const main = await parseHcl(fileOf(files, "infrastructure/environments/staging/main.tf"));
    assert.equal((main.module as Record<string, JsonObject[]>).cluster?.[0]?.outbound_type, "${module.network.private_subnet_outbound_type}");
    // Without the network module the user states how their own subnet egresses.
    const alone = await generate("azure", ["cluster"]);
    const aloneMain = await parseHcl(fileOf(alone.files, "infrastructure/environments/staging/main.tf"));
    assert.equal((aloneMain.module as Record<string, JsonObject[]>).cluster?.[0]?.outbound_type, "${var.cluster_outbound_type}");
  });
});
