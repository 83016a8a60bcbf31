import { existsSync } from "node:fs";
import { join } from "node:path";
import type { GeneratedFile } from "../core/types.ts";
import { pinned, pinnedComment } from "../pipeline/pinned-actions.ts";
import type { TemplateEngine } from "../templating/render.ts";
import type { Manifest } from "../writer/manifest.ts";
import type { CloudProvider } from "./versions.ts";

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
    github: ["AWS_ROLE_ARN (an IAM role trusting token.actions.githubusercontent.com for this repository)"],
    gitlab: ["AWS_ROLE_ARN (an IAM role trusting your GitLab instance's OIDC issuer for this project)"],
  },
  gcp: {
    github: ["GCP_WORKLOAD_IDENTITY_PROVIDER (projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>)", "GCP_SERVICE_ACCOUNT"],
    gitlab: [
      "GCP_WORKLOAD_IDENTITY_PROVIDER (the provider's full resource name without the leading //iam.googleapis.com/)",
      "GOOGLE_APPLICATION_CREDENTIALS (file-type: the external_account credential configuration reading /tmp/gcp-id-token)",
    ],
  },
  azure: {
    github: ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID (of an app registration with federated credentials for this repository)"],
    gitlab: ["ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID (of an app registration with federated credentials for this project)"],
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
  };
  if (input.platform === "github-actions") {
    const content = engine.renderYaml("terraform/github/terraform.yml", {
      ...context,
      actions: {
        checkout: action("checkout"),
        setupTerraform: action("setup-terraform"),
        uploadArtifact: action("upload-artifact"),
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
