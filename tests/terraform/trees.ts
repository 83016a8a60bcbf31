// The Terraform trees the tests check, generated with the shipped CLI (not the sources), as a user would: per cloud,
// all modules with GitHub and with GitLab CI (three environments), and each module alone (no CI).
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { MODULES } from "../../mcp-server/src/engine/terraform/spec.ts";
import type { PROVIDERS } from "../../mcp-server/src/engine/terraform/versions.ts";
import { CLI_BUNDLE } from "../integration/support.ts";

export interface Tree { label: string; provider: (typeof PROVIDERS)[number]; root: string }

function generate(root: string, provider: string, args: string[]): void {
  mkdirSync(root, { recursive: true });
  execFileSync(process.execPath, [CLI_BUNDLE, "terraform", root, "--provider", provider, "--project", "shop-api", "--quiet", ...args], {
    encoding: "utf8", stdio: "pipe", timeout: 300_000,
  });
}

export function generateTrees(base: string, providers: readonly Tree["provider"][]): Tree[] {
  const trees: Tree[] = [];
  for (const provider of providers) {
    for (const ci of ["github-actions", "gitlab-ci"]) {
      const root = join(base, `${provider}-all-${ci}`);
      generate(root, provider, ["--ci", ci, "--env", "dev,staging,production"]);
      trees.push({ label: `${provider} all modules, ${ci}`, provider, root });
    }
    for (const module of MODULES) {
      const root = join(base, `${provider}-${module}`);
      generate(root, provider, ["--ci", "none", "--modules", module]);
      trees.push({ label: `${provider} ${module} alone`, provider, root });
    }
  }
  return trees;
}
