import { existsSync } from "node:fs";
import { join } from "node:path";
import type { GeneratedFile } from "../core/types.ts";
import { containerImage, pinned, pinnedComment } from "../pipeline/pinned-actions.ts";
import type { TemplateEngine } from "../templating/render.ts";
import type { Manifest } from "../writer/manifest.ts";
import { type CloudProvider, LINT_TABLE } from "./versions.ts";

/** Resource types whose deletion or replacement loses data: a plan that would do it fails in CI. */
export const DATA_STORE_TYPES: Record<CloudProvider, string[]> = {
  aws: ["aws_db_instance", "aws_rds_cluster", "aws_s3_bucket", "aws_ecr_repository", "aws_kms_key"],
  gcp: ["google_sql_database_instance", "google_sql_database", "google_storage_bucket", "google_artifact_registry_repository", "google_secret_manager_secret"],
  azure: ["azurerm_postgresql_flexible_server", "azurerm_postgresql_flexible_server_database", "azurerm_storage_account", "azurerm_storage_container", "azurerm_container_registry"],
};

export const CI_PLATFORMS = ["github-actions", "gitlab-ci", "none"] as const;
export type CiPlatform = (typeof CI_PLATFORMS)[number];

export const GITHUB_WORKFLOW_PATH = ".github/workflows/terraform.yml";
export const GITLAB_ROOT_PATH = ".gitlab-ci.yml";
export const GITLAB_INCLUDE_PATH = "infrastructure/.gitlab-ci.terraform.yml";

export interface CiInput {
  platform: Exclude<CiPlatform, "none">;
  provider: CloudProvider;
  environments: string[];
  region: string;
  defaultBranch: string;
  terraformVersion: string;
  /** Real target root: decides whether an existing `.gitlab-ci.yml` is the user's. */
  root: string;
  manifest: Manifest;
}

export interface GeneratedCi {
  files: GeneratedFile[];
  nextSteps: string[];
}

const action = (id: string) => ({ ref: pinned(id), version: pinnedComment(id) });

/** Variables the CI files read, per cloud: what the user must configure. */
const CI_VARIABLES: Record<CloudProvider, { github: string[]; gitlab: string[] }> = {
  aws: {
    github: ["AWS_PLAN_ROLE_ARN (bootstrap output ci_plan_role_arn)", "AWS_APPLY_ROLE_ARN (ci_apply_role_arn)"],
    gitlab: ["AWS_PLAN_ROLE_ARN (bootstrap output ci_plan_role_arn)", "AWS_APPLY_ROLE_ARN (ci_apply_role_arn; protected)"],
  },
  gcp: {
    github: ["GCP_WORKLOAD_IDENTITY_PROVIDER (bootstrap output ci_workload_identity_provider)", "GCP_PLAN_SERVICE_ACCOUNT (ci_plan_service_account)", "GCP_APPLY_SERVICE_ACCOUNT (ci_apply_service_account)"],
    gitlab: [
      "GCP_WORKLOAD_IDENTITY_PROVIDER (bootstrap output ci_workload_identity_provider)",
      "GCP_PLAN_SERVICE_ACCOUNT (ci_plan_service_account)",
      "GCP_APPLY_SERVICE_ACCOUNT (ci_apply_service_account; protected)",
    ],
  },
  azure: {
    github: ["AZURE_PLAN_CLIENT_ID (bootstrap output ci_plan_client_id)", "AZURE_APPLY_CLIENT_ID (ci_apply_client_id)", "AZURE_TENANT_ID (ci_tenant_id)", "AZURE_SUBSCRIPTION_ID (ci_subscription_id)"],
    gitlab: ["AZURE_PLAN_CLIENT_ID (bootstrap output ci_plan_client_id)", "AZURE_APPLY_CLIENT_ID (ci_apply_client_id; protected)", "ARM_TENANT_ID (ci_tenant_id)", "ARM_SUBSCRIPTION_ID (ci_subscription_id)"],
  },
};

/** CI for plan/apply/drift on the chosen platform. Never overwrites a `.gitlab-ci.yml` that is the user's own. */
export function generateCi(engine: TemplateEngine, input: CiInput): GeneratedCi {
  const context = {
    provider: input.provider,
    environments: input.environments,
    region: input.region,
    defaultBranch: input.defaultBranch,
    terraformVersion: input.terraformVersion,
    workflowPath: GITHUB_WORKFLOW_PATH,
    image: `hashicorp/terraform:${input.terraformVersion}`,
    dataStoreTypes: DATA_STORE_TYPES[input.provider].join(" "),
    pythonImage: containerImage("python"),
    lint: {
      tflintVersion: `v${LINT_TABLE.tflint}`,
      checkovRequirement: `checkov==${LINT_TABLE.checkov}`,
      ruleset: LINT_TABLE.rulesets[input.provider].name,
    },
  };
  if (input.platform === "github-actions") {
    const content = engine.renderYaml("terraform/github/terraform.yml", {
      ...context,
      actions: {
        checkout: action("checkout"),
        setupTerraform: action("setup-terraform"),
        uploadArtifact: action("upload-artifact"),
        downloadArtifact: action("download-artifact"),
        setupTflint: action("setup-tflint"),
        setupPython: action("setup-python"),
        githubScript: action("github-script"),
        aws: action("aws-credentials"),
        gcp: action("gcp-auth"),
        azure: action("azure-login"),
      },
    });
    return {
      files: [{ path: GITHUB_WORKFLOW_PATH, content, kind: "github-workflow" }],
      nextSteps: [
        `Create GitHub deployment environments ${input.environments.map((e) => `"${e}"`).join(", ")} and add required reviewers to the ones that need an approval before apply.`,
        `Set repository (or environment) secrets for OIDC, which the workflow reads as \`secrets.<NAME>\` (identifiers, not keys: no credential is stored): ${CI_VARIABLES[input.provider].github.join(", ")}.`,
      ],
    };
  }
  const content = engine.renderYaml("terraform/gitlab/terraform.gitlab-ci.yml", context);
  const rootFile = join(input.root, GITLAB_ROOT_PATH);
  const ours = input.manifest.files[GITLAB_ROOT_PATH]?.tool === "terraform-scaffolder";
  const standalone = !existsSync(rootFile) || ours;
  const path = standalone ? GITLAB_ROOT_PATH : GITLAB_INCLUDE_PATH;
  const nextSteps = [
    `Protect the GitLab environments ${input.environments.map((e) => `"${e}"`).join(", ")} with required approvals; apply jobs are manual and run one per environment at a time.`,
    `Set CI/CD variables for OIDC: ${CI_VARIABLES[input.provider].gitlab.join(", ")}.`,
    "Create a pipeline schedule (e.g. daily) on the default branch: it runs the drift check.",
  ];
  if (!standalone) {
    nextSteps.unshift(
      `Your ${GITLAB_ROOT_PATH} was left untouched. Add to it:\n  include:\n    - local: ${GITLAB_INCLUDE_PATH}\n(the Terraform jobs use the default test and deploy stages; keep them in your stages: list).`,
    );
  }
  return { files: [{ path, content, kind: "gitlab-ci" }], nextSteps };
}
