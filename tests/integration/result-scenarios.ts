import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeJsMonorepo } from "./js-monorepo.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** A realistic tool call whose result size is budgeted (issue 11): the repository it runs on and its arguments. */
export interface Scenario {
  name: string;
  tool: string;
  arguments: Record<string, unknown>;
  /** Makes a private copy of the repository under `work` and returns its path. */
  prepare(work: string): string;
}

// The 12-service repository is a size scenario, not an analysis fixture, so it lives beside these tests.
const SIZE_FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const copy = (fixture: string, from = FIXTURES) => (work: string) => {
  const dir = join(work, `${fixture}-${Math.random().toString(36).slice(2, 8)}`);
  cpSync(join(from, fixture), dir, { recursive: true });
  return dir;
};

export const SCENARIOS: Scenario[] = [
  { name: "analyze-project, 12 services", tool: "analyze-project", arguments: {}, prepare: copy("twelve-services", SIZE_FIXTURES) },
  { name: "pipeline-generator dry run, 12 services", tool: "pipeline-generator", arguments: { platform: "github-actions", dryRun: true }, prepare: copy("twelve-services", SIZE_FIXTURES) },
  {
    name: "pipeline-generator dry run, 40-package pnpm/turbo monorepo",
    tool: "pipeline-generator",
    arguments: { platform: "github-actions", dryRun: true },
    prepare: (work) => {
      const dir = join(work, `js-monorepo-${Math.random().toString(36).slice(2, 8)}`);
      mkdirSync(dir);
      writeJsMonorepo(dir, 40);
      return dir;
    },
  },
  { name: "terraform-scaffolder dry run, aws, 3 environments", tool: "terraform-scaffolder", arguments: { provider: "aws", environments: ["dev", "staging", "production"], dryRun: true }, prepare: copy("node-npm") },
  {
    name: "deployment-manager dry run, Argo canary, 2 environments",
    tool: "deployment-manager",
    arguments: { strategy: "canary", target: "argo-rollouts", environments: ["staging", "production"], image: "ghcr.io/acme/web:1.4.2", dryRun: true },
    prepare: copy("node-npm"),
  },
];
