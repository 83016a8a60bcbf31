import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { Analysis } from "./types.ts";
import type { Repo } from "./repo.ts";

type Ci = Analysis["existingCi"][number];

/** CI systems already configured in the repository. */
export function existingCi(repo: Repo): Ci[] {
  const out: Ci[] = [];
  if (repo.list(".github/workflows").some((n) => /\.ya?ml$/.test(n))) out.push("github-actions");
  if (repo.exists(".gitlab-ci.yml") || repo.exists(".gitlab-ci.yaml")) out.push("gitlab-ci");
  if (repo.exists("Jenkinsfile")) out.push("jenkins");
  if (repo.exists(".circleci/config.yml") || repo.exists(".circleci/config.yaml")) out.push("circleci");
  return out;
}

function readRef(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
}

/**
 * The default branch as the repository tells it, without running git: the remote's HEAD
 * (refs/remotes/origin/HEAD, set by clone) first, then the checked-out branch, else "main".
 */
export function defaultBranch(repo: Repo): { branch: string; evidence?: string } {
  let gitDir = join(repo.root, ".git");
  try {
    if (existsSync(gitDir) && statSync(gitDir).isFile()) {
      // worktree or submodule: ".git" is a file "gitdir: <path>"
      const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(gitDir, "utf8"));
      if (m) gitDir = isAbsolute(m[1]!.trim()) ? m[1]!.trim() : join(repo.root, m[1]!.trim());
    }
  } catch {
    return { branch: "main" };
  }
  const originHead = readRef(join(gitDir, "refs", "remotes", "origin", "HEAD"));
  const om = originHead ? /^ref:\s*refs\/remotes\/origin\/(.+)$/.exec(originHead) : null;
  if (om) return { branch: om[1]!, evidence: ".git/refs/remotes/origin/HEAD" };
  const head = readRef(join(gitDir, "HEAD"));
  const hm = head ? /^ref:\s*refs\/heads\/(.+)$/.exec(head) : null;
  if (hm) return { branch: hm[1]!, evidence: ".git/HEAD" };
  return { branch: "main" };
}
