import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { analyzeRepository } from "../analyze/index.ts";
import { commonInput, defineCapability } from "../core/capability.ts";
import { templateEngine } from "../templating/render.ts";
import "../validate/pipeline-validators.ts";
import { resolveRoot, validateAndWrite } from "../writer/index.ts";
import { ownCiResult, userOwnedCi } from "../audit/existing-ci.ts";
import { CLOUD_REGION, CLOUDS, CLUSTER_NAME, PLATFORMS, STAGES } from "./model.ts";
import { renderPipeline } from "./render.ts";

export { renderPipeline } from "./render.ts";

export const pipelineCapability = defineCapability({
  tool: "pipeline-generator",
  title: "Generate a CI/CD pipeline",
  description:
    "Use to set up or redo CI/CD: writes a validated GitHub Actions, GitLab CI, Jenkins or CircleCI pipeline using each project's own " +
    "commands, with caches, monorepo path filters, security scans, image builds and approved deploys.",
  inputShape: {
    ...commonInput,
    platform: z.enum(PLATFORMS).optional().describe("Default: the one in use, else github-actions"),
    stages: z.array(z.enum(STAGES)).optional()
      .describe("Default: lint/test/build it has, security, docker; deploy if asked"),
    defaultBranch: z.string().min(1).max(200).optional().describe("Pushes and deploys; default: git HEAD or main"),
    registry: z.string().min(1).max(200).optional()
      .describe("Push target; default ghcr.io / $CI_REGISTRY_IMAGE"),
    cloud: z.enum(CLOUDS).default("none")
      .describe("OIDC deploy auth; none: a KUBE_CONFIG secret"),
    cluster: z.string().regex(CLUSTER_NAME, "lowercase letters, digits and '-', at most 100 characters").optional()
      .describe("EKS/GKE/AKS cluster; required with cloud"),
    region: z.string().max(50).regex(CLOUD_REGION, "a region or location such as us-east-1, europe-west1 or europe-west1-b").optional()
      .describe("Cluster region/location; required for aws, gcp"),
  },
  // Not additive-only: it updates files it generated earlier, and with force overwrites files the user changed.
  annotations: { title: "Generate a CI/CD pipeline", readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  // --dry-run/--force come from commonCliOptions, which the CLI adds to every writing capability itself.
  cli: {
    command: "pipeline",
    summary: "generate a CI/CD pipeline (github-actions, gitlab-ci, jenkins, circleci)",
    options: [
      { flags: "--platform <platform>", key: "platform", description: `CI platform: ${PLATFORMS.join(", ")}` },
      { flags: "--stages <list>", key: "stages", type: "list", description: `comma-separated stages: ${STAGES.join(", ")}` },
      { flags: "--default-branch <name>", key: "defaultBranch", description: "branch that pushes images and deploys" },
      { flags: "--registry <host>", key: "registry", description: "container registry host[/namespace] to push images to" },
      { flags: "--cloud <cloud>", key: "cloud", description: `cloud of the deploy cluster, OIDC auth: ${CLOUDS.join(", ")} (default none: stored KUBE_CONFIG)` },
      { flags: "--cluster <name>", key: "cluster", description: "EKS/GKE/AKS cluster name (required with --cloud)" },
      { flags: "--region <region>", key: "region", description: "cluster region (aws) or location (gcp)" },
    ],
  },
  async run(input, context) {
    const root = resolveRoot(input.path);
    context.progress(`analysing ${root}`);
    const analysis = await analyzeRepository(root, { progress: context.progress });
    const rendered = renderPipeline(
      analysis,
      {
        platform: input.platform, stages: input.stages, defaultBranch: input.defaultBranch, registry: input.registry,
        cloud: input.cloud, cluster: input.cluster, region: input.region, committedOverlays: committedOverlays(root),
      },
      templateEngine(context.templatesDir),
    );
    context.progress(`rendered ${rendered.files.length} file(s) for ${rendered.plan.platform}`);
    const details = { platform: rendered.plan.platform, stages: rendered.plan.stages, defaultBranch: rendered.plan.defaultBranch, deployTarget: rendered.plan.target };
    // The repository's own CI is not replaced without force: point to the audit and the upgrade path instead.
    const own = input.force ? [] : userOwnedCi(root, rendered.plan.platform);
    if (own.length > 0) {
      return ownCiResult({ tool: "pipeline-generator", root, dryRun: input.dryRun, platform: rendered.plan.platform, own, files: rendered.files, analysis, details, warnings: [...analysis.warnings, ...rendered.warnings] });
    }
    return validateAndWrite({
      tool: "pipeline-generator",
      root,
      files: rendered.files,
      dryRun: input.dryRun,
      force: input.force,
      warnings: [...analysis.warnings, ...rendered.warnings],
      nextSteps: rendered.nextSteps,
      analysis,
      details,
      progress: context.progress,
    });
  },
});

/** Apps with committed kustomize overlays (deploy/<app>/overlays/), as deployment-manager writes them. */
function committedOverlays(root: string): string[] {
  try {
    return readdirSync(join(root, "deploy"), { withFileTypes: true })
      .filter((d) => d.isDirectory() && statSync(join(root, "deploy", d.name, "overlays"), { throwIfNoEntry: false })?.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
}
