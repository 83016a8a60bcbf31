import type { Analysis } from "../analyze/types.ts";
import type { GeneratedFile } from "../core/types.ts";
import type { TemplateEngine } from "../templating/render.ts";
import { renderCircleci } from "./circleci.ts";
import { renderDockerfiles } from "./docker.ts";
import { renderGithub } from "./github.ts";
import { renderGitlab } from "./gitlab.ts";
import { renderJenkins } from "./jenkins.ts";
import { type PipelineOptions, type PipelinePlan, planPipeline } from "./model.ts";

export interface RenderedPipeline {
  plan: PipelinePlan;
  files: GeneratedFile[];
  warnings: string[];
  nextSteps: string[];
}

/**
 * Pure: decides the pipeline from the analysis and renders every file (CI configuration, dependabot, missing
 * Dockerfiles). Throws InputError when the repository has no project to build.
 */
export function renderPipeline(analysis: Analysis, options: PipelineOptions, engine: TemplateEngine): RenderedPipeline {
  const plan = planPipeline(analysis, options);
  const nextSteps: string[] = [];
  const files: GeneratedFile[] = [];
  switch (plan.platform) {
    case "github-actions":
      files.push(...renderGithub(analysis, plan, engine, nextSteps));
      break;
    case "gitlab-ci":
      files.push(...renderGitlab(plan, engine, nextSteps));
      break;
    case "jenkins":
      files.push(...renderJenkins(plan, engine, nextSteps));
      break;
    case "circleci":
      files.push(...renderCircleci(plan, engine, nextSteps));
      break;
  }
  files.push(...renderDockerfiles(plan, engine));
  return { plan, files, warnings: plan.warnings, nextSteps };
}
