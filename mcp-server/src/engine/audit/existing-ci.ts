import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Analysis } from "../analyze/types.ts";
import type { GeneratedFile, ToolName, ToolResult } from "../core/types.ts";
import { readManifest } from "../writer/manifest.ts";

type Platform = Analysis["existingCi"][number];

function ciFiles(root: string, platform: Platform): string[] {
  switch (platform) {
    case "github-actions": {
      const dir = join(root, ".github", "workflows");
      return existsSync(dir) ? readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => `.github/workflows/${n}`) : [];
    }
    case "gitlab-ci": return [".gitlab-ci.yml", ".gitlab-ci.yaml"].filter((f) => existsSync(join(root, f)));
    case "jenkins": return ["Jenkinsfile"].filter((f) => existsSync(join(root, f)));
    case "circleci": return [".circleci/config.yml", ".circleci/config.yaml"].filter((f) => existsSync(join(root, ...f.split("/"))));
    default: return [];
  }
}

/** The repository's own CI definitions for a platform: CI files that exist and that senior-devops did not generate. */
export function userOwnedCi(root: string, platform: Platform): string[] {
  const { manifest } = readManifest(root);
  return ciFiles(root, platform).filter((f) => !manifest.files[f]);
}

/**
 * What pipeline-generator answers when the repository already has its own CI for the platform: nothing is written
 * and nothing of theirs is offered for replacement; it points to the audit (harden what exists) and to the
 * explicit upgrade path (compare with a forced dry run, then force).
 */
export function ownCiResult(args: {
  tool: ToolName; root: string; dryRun: boolean; platform: string; own: string[]; files: GeneratedFile[];
  analysis?: Analysis; details?: Record<string, unknown>; warnings: string[];
}): ToolResult {
  const reason = `not written: the repository has its own ${args.platform} CI`;
  return {
    tool: args.tool, root: args.root, dryRun: args.dryRun, status: "ok", analysis: args.analysis, details: args.details,
    files: args.files.map((f) => ({ path: f.path, action: "skip", bytes: Buffer.byteLength(f.content), reason })),
    validations: [],
    warnings: [
      ...args.warnings,
      `this repository already has its own ${args.platform} CI (${args.own.slice(0, 5).join(", ")}${args.own.length > 5 ? ", …" : ""}); nothing was generated over it and nothing was written`,
    ],
    nextSteps: [
      `audit and harden the pipeline you have instead: senior-devops audit ${args.root} (MCP: devops-auditor), then --fix to pin actions, add permissions and timeouts in place`,
      "to compare with a generated pipeline: re-run with --dry-run --force (shows the full diff against your files, writes nothing)",
      "to replace your CI with the generated one: re-run with --force (your files are overwritten; commit them first)",
    ],
  };
}
