import { readdirSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, parse } from "node:path";
import { InputError } from "./types.ts";

/** Top-level names that make a directory a project root (a repository, a build, a deployable, infrastructure). */
const PROJECT_MARKERS = new Set([
  ".git", ".hg", ".svn", ".senior-devops", ".github", ".gitlab-ci.yml", ".circleci", "Jenkinsfile",
  "package.json", "deno.json", "deno.jsonc", "pyproject.toml", "requirements.txt", "setup.py", "setup.cfg", "Pipfile",
  "go.mod", "go.work", "Cargo.toml", "pom.xml", "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts",
  "Gemfile", "composer.json", "mix.exs", "Dockerfile", "Containerfile", "docker-compose.yml", "docker-compose.yaml",
  "compose.yml", "compose.yaml", "Makefile", "kustomization.yaml", "Chart.yaml", "infrastructure", "terraform", "deploy",
]);
const PROJECT_SUFFIXES = [".tf", ".sln", ".csproj", ".fsproj", ".vbproj", ".gemspec"];
/** Directories of the operating system, never a project. */
const SYSTEM_DIRS = new Set(["/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var", "/home", "/Users", "/Applications", "/Library", "/System", "/Volumes", "/private", "/private/tmp", "/private/var"]);
const HOME_PARENTS = new Set(["/home", "/Users"]);

const real = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/**
 * Why a writing tool should not write into `path` unless the user insists, or undefined when it may: a file
 * system root, a home directory, a system directory, or a non-empty directory with no sign of a project in it
 * (an empty directory is a new project). Read-only analysis is not limited.
 */
export function unsafeRootReason(path: string): string | undefined {
  const root = real(path);
  if (parse(root).root === root) return `${root} is the root of the file system`;
  const home = real(homedir());
  if (root === home || HOME_PARENTS.has(dirname(root))) return `${root} is a home directory`;
  if (SYSTEM_DIRS.has(root)) return `${root} is a system directory`;
  let entries: string[];
  try {
    if (!statSync(root).isDirectory()) return undefined; // the capability reports a missing or non-directory path itself
    entries = readdirSync(root);
  } catch {
    return undefined;
  }
  if (entries.length === 0) return undefined;
  if (entries.some((name) => PROJECT_MARKERS.has(name) || PROJECT_SUFFIXES.some((suffix) => name.endsWith(suffix)))) return undefined;
  return `${root} does not look like a project root (no repository, build, container or infrastructure file at its top level)`;
}

/** Refuses a write into an unsafe root (see unsafeRootReason) unless `allowAnyRoot` is set; nothing is written. */
export function assertWritableRoot(path: string, allowAnyRoot: boolean): void {
  if (allowAnyRoot) return;
  const reason = unsafeRootReason(path);
  if (reason) {
    throw new InputError(`${reason}; refusing to write there. Pass the repository's own directory as path, or set allowAnyRoot (CLI --allow-any-root) if the user insists.`);
  }
}
