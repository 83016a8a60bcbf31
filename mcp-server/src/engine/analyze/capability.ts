import { commonInput, defineCapability } from "../core/capability.ts";
import { resolveRoot } from "../writer/index.ts";
import { analyzeRepository } from "./index.ts";

export const analyzeCapability = defineCapability({
  tool: "analyze-project",
  title: "Analyse a repository",
  description:
    "Use first, or to learn what a repository holds: each project's language, package manager, versions, real lint/test/build commands, frameworks, Dockerfiles, monorepo tool, with evidence. Read-only.",
  inputShape: { path: commonInput.path },
  annotations: { title: "Analyse a repository", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  cli: { command: "analyze", summary: "detect projects, package managers, versions and commands (read-only)", options: [] },
  async run(input, context) {
    const root = resolveRoot(input.path);
    context.progress(`analysing ${root}`);
    const analysis = await analyzeRepository(root, { progress: context.progress });
    const nextSteps = analysis.projects.length === 0
      ? []
      : ["Generate CI with pipeline-generator (senior-devops pipeline <path> --platform github-actions|gitlab-ci|jenkins|circleci)."];
    return {
      tool: "analyze-project", root, dryRun: false, status: "ok", analysis,
      files: [], validations: [], warnings: [...analysis.warnings], nextSteps,
    };
  },
});
