import semver from "semver";
import type { Workspace, Language, MonorepoTool, PackageManager, Project } from "./types.ts";
import { type Repo, dirName, joinRel } from "./repo.ts";

/** What one ecosystem module hands back to the orchestrator. */
export interface EcosystemResult {
  projects: Project[];
  /** Workspace tools this ecosystem found, strongest first. */
  monorepo: MonorepoTool[];
  /** JS workspaces with their dependency graph (node only). */
  workspaces?: Workspace[];
}

export function newProject(
  repo: Repo,
  path: string,
  language: Language,
  packageManager: PackageManager,
  name?: string,
): Project {
  return {
    path,
    name: name && name.trim() ? name.trim() : dirName(repo.root, path),
    language,
    packageManager,
    versions: {},
    commands: {},
    frameworks: [],
    lockfiles: [],
    evidence: [],
    servesHttp: false,
  };
}

/** Adds evidence files once, in order. */
export function addEvidence(p: Project, ...files: (string | undefined)[]): void {
  for (const f of files) if (f && !p.evidence.includes(f)) p.evidence.push(f);
}

/** The tools pinned in the nearest `.tool-versions` (asdf/mise), with the file that said so. */
export function toolVersions(repo: Repo, dir: string): { file?: string; tools: Map<string, string> } {
  const file = repo.findUp(dir, ".tool-versions");
  const tools = new Map<string, string>();
  if (!file) return { tools };
  const text = repo.read(file) ?? "";
  for (const line of text.split(/\r?\n/)) {
    const clean = line.replace(/#.*/, "").trim();
    if (!clean) continue;
    const [tool, version] = clean.split(/\s+/);
    if (tool && version && !tools.has(tool)) tools.set(tool, version);
  }
  return { file, tools };
}

/** Reads the first meaningful line of a version file such as `.nvmrc` or `.python-version`. */
export function versionFile(repo: Repo, rel: string): string | undefined {
  const text = repo.read(rel);
  if (text === undefined) return undefined;
  for (const line of text.split(/\r?\n/)) {
    const clean = line.replace(/#.*/, "").trim();
    if (clean) return clean;
  }
  return undefined;
}

/**
 * Lowest version a range allows, as "major" (or "major.minor" when `minor` is set), or undefined.
 * Accepts npm/composer style ranges ("^8.1", ">=18 <21", "^7.4|^8.0").
 */
export function lowestVersion(range: string, minor = false): string | undefined {
  const cleaned = range.trim().replace(/(^|[^|])\|([^|]|$)/g, "$1||$2").replace(/,/g, " ");
  let min: semver.SemVer | null = null;
  try {
    min = semver.minVersion(cleaned);
  } catch {
    min = null;
  }
  if (!min) {
    const c = semver.coerce(cleaned);
    if (!c) return undefined;
    min = c;
  }
  return minor ? `${min.major}.${min.minor}` : String(min.major);
}

/** Targets a Makefile in dir defines (only plain `name:` rules, not variables or pattern rules). */
export function makeTargets(repo: Repo, dir: string): { file?: string; targets: Set<string> } {
  const targets = new Set<string>();
  const name = repo.namesIn(dir).find((n) => n === "Makefile" || n === "makefile" || n === "GNUmakefile");
  if (!name) return { targets };
  const file = joinRel(dir, name);
  const text = repo.read(file) ?? "";
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z0-9][A-Za-z0-9_.\-/ ]*?)\s*:(?![=:])/.exec(line);
    if (!m || line.startsWith("\t")) continue;
    for (const t of m[1]!.split(/\s+/)) if (t && !t.includes("%") && !t.startsWith(".")) targets.add(t);
  }
  return { file, targets };
}

/** Sorts projects by path then language, for stable output. */
export function sortProjects(projects: Project[]): Project[] {
  return projects.sort((a, b) => (a.path === b.path ? a.language.localeCompare(b.language) : a.path === "." ? -1 : b.path === "." ? 1 : a.path.localeCompare(b.path)));
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function asString(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

export function asStringArray(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
