import { execFileSync, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const bin = join(dirname(require.resolve("gitlab-ci-local/package.json")), "dist", "index.js");
// gitlab-ci-local calls Node 22's Set methods; on Node 20 they are polyfilled for the test process only.
const polyfill = join(dirname(fileURLToPath(import.meta.url)), "pipeline", "set-methods-polyfill.mjs");

/**
 * Runs GitLab's pipeline evaluation offline (gitlab-ci-local, with GitLab's JSON schema bundled) in `dir`,
 * after making it a git repository with an `origin/main` ref, which `rules:changes` evaluation needs.
 */
export function gitlabCiLocal(dir: string, args: string[]): { status: number | null; output: string } {
  const git = (...gitArgs: string[]) => execFileSync("git", gitArgs, { cwd: dir, stdio: "pipe" });
  git("init", "-q", "-b", "main");
  git("-c", "user.email=ci@example.invalid", "-c", "user.name=ci", "commit", "-q", "--allow-empty", "-m", "init");
  git("remote", "add", "origin", "https://gitlab.example.invalid/group/project.git");
  git("update-ref", "refs/remotes/origin/main", "HEAD");
  git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main");
  const major = Number(process.versions.node.split(".")[0]);
  const nodeArgs = [...(major < 22 ? ["--import", polyfill] : []), bin, ...args];
  const run = spawnSync(process.execPath, nodeArgs, { cwd: dir, encoding: "utf8", timeout: 120_000 });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}
