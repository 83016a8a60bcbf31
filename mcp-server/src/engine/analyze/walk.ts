import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, sep } from "node:path";
import { fdir } from "fdir";
import ignore, { type Ignore } from "ignore";

/**
 * Directories that are never entered: VCS metadata, dependency stores, tool caches and virtualenvs.
 * Workspace declarations cannot re-enable these.
 */
export const ALWAYS_EXCLUDED = new Set([
  "node_modules", "bower_components", "jspm_packages", ".pnpm-store",
  "__pycache__", ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs",
  ".terraform", ".terragrunt-cache", ".gradle", ".next", ".nuxt", ".svelte-kit", ".turbo", ".output", ".vercel",
  ".angular", ".parcel-cache", ".cache", "coverage", ".nyc_output", "htmlcov", ".serverless", ".aws-sam",
]);

/** Build output. Skipped unless a workspace declares it (it never should, but the declaration wins). */
export const BUILD_OUTPUT = new Set(["dist", "build", "target", "out", "_build", "site-packages"]);

/** Vendored dependencies (Go vendor/, Composer vendor/, vendor/bundle, third-party copies). */
export const VENDORED = new Set(["vendor", "third_party", "third-party", "thirdparty", "external", "Pods"]);

/** Example, fixture, benchmark, test-data, template and documentation trees: not projects of this repository. */
export const NON_PROJECT_TREES = new Set([
  "examples", "example", "fixtures", "fixture", "__fixtures__", "testdata", "test-data", "test_data", "testfixtures",
  "bench", "benchmarks", "benchmark", "samples", "sample", "demo", "demos", "playground", "playgrounds",
  "docs", "doc", "documentation", "website", "templates", "template", "__snapshots__", "__mocks__",
]);

/** .NET build output: only excluded when the parent directory holds a project file. */
const DOTNET_OUTPUT = new Set(["bin", "obj"]);

export interface WalkOptions {
  /** Directory depth below root to look at (root files are depth 0). */
  maxDepth?: number;
  /**
   * Decides whether a directory whose name is in the skip lists (build output, vendored, non-project trees)
   * is entered anyway, because a workspace declares it or a path under it. Receives the relative path.
   */
  isDeclared?: (relDir: string) => boolean;
}

export interface WalkResult {
  /**
   * Relative file paths (forward slashes) in the directories that were entered. Ignored directories are
   * pruned during the walk; single ignored files are filtered lazily through `isIgnored`, so only the
   * files the analysis asks about pay for .gitignore matching.
   */
  files: string[];
  /** True when a .gitignore (root or nested) ignores the file. */
  isIgnored: (relFile: string) => boolean;
  /** Relative directories that were entered ("." for the root). */
  dirs: string[];
  filesVisited: number;
  directoriesVisited: number;
  /** .gitignore and directory-listing reads the walk itself made. */
  filesRead: number;
}

function toRel(root: string, full: string): string {
  let rel = full.startsWith(root) ? full.slice(root.length) : full;
  if (sep !== "/") rel = rel.split(sep).join("/");
  rel = rel.replace(/^\/+/, "").replace(/\/+$/, "");
  return rel === "" ? "." : rel;
}

function parentOf(rel: string): string {
  const i = rel.lastIndexOf("/");
  return i < 0 ? "." : rel.slice(0, i);
}

/**
 * Walks the repository once with fdir, pruning excluded directories before they are listed,
 * so the cost is proportional to what is left, not to node_modules, .git or build output.
 * .gitignore files (root and nested, plus .git/info/exclude) are honoured as they are met.
 */
export function walkRepository(rootIn: string, options: WalkOptions = {}): WalkResult {
  const root = rootIn.endsWith(sep) ? rootIn.slice(0, -1) : rootIn;
  const maxDepth = options.maxDepth ?? 6;
  const isDeclared = options.isDeclared ?? (() => false);
  let filesVisited = 0;
  let directoriesVisited = 1;
  let filesRead = 0;
  const dirs: string[] = ["."];

  // relDir -> Ignore for the .gitignore in that directory (null when there is none)
  const ignores = new Map<string, Ignore | null>();
  const loadIgnore = (relDir: string): Ignore | null => {
    if (ignores.has(relDir)) return ignores.get(relDir) ?? null;
    const abs = relDir === "." ? root : join(root, relDir);
    let ig: Ignore | null = null;
    const file = join(abs, ".gitignore");
    if (existsSync(file)) {
      filesRead++;
      try {
        ig = ignore().add(readFileSync(file, "utf8"));
      } catch {
        ig = null;
      }
    }
    if (relDir === ".") {
      const exclude = join(root, ".git", "info", "exclude");
      if (existsSync(exclude)) {
        filesRead++;
        try {
          ig = (ig ?? ignore()).add(readFileSync(exclude, "utf8"));
        } catch {
          /* unreadable exclude file: ignore it */
        }
      }
    }
    ignores.set(relDir, ig);
    return ig;
  };

  /** True when some .gitignore between the root and the entry's parent ignores the entry. */
  const gitIgnored = (rel: string, isDir: boolean): boolean => {
    const parts = rel.split("/");
    for (let i = 0; i < parts.length; i++) {
      const base = i === 0 ? "." : parts.slice(0, i).join("/");
      const ig = loadIgnore(base);
      if (!ig) continue;
      const sub = parts.slice(i).join("/") + (isDir ? "/" : "");
      if (ig.ignores(sub)) return true;
    }
    return false;
  };

  const dotnetParents = new Map<string, boolean>();
  const parentHasDotnetProject = (relParent: string): boolean => {
    const cached = dotnetParents.get(relParent);
    if (cached !== undefined) return cached;
    let found = false;
    try {
      filesRead++;
      found = readdirSync(relParent === "." ? root : join(root, relParent)).some((n) => /\.(cs|fs|vb)proj$/.test(n));
    } catch {
      found = false;
    }
    dotnetParents.set(relParent, found);
    return found;
  };

  const excluded = (name: string, fullPath: string): boolean => {
    const rel = toRel(root, fullPath);
    if (ALWAYS_EXCLUDED.has(name)) return true;
    // Hidden directories (.git, .idea, .yarn, .github …) are not walked; the few files
    // the analysis needs inside them are probed directly.
    if (name.startsWith(".")) return true;
    if (BUILD_OUTPUT.has(name) || VENDORED.has(name) || NON_PROJECT_TREES.has(name)) {
      if (!isDeclared(rel)) return true;
    }
    if (DOTNET_OUTPUT.has(name) && parentHasDotnetProject(parentOf(rel))) return true;
    if (name.endsWith(".egg-info")) return true;
    // "_"-prefixed directories (Go ignores them too: _examples, _tools, _site output) unless declared.
    if (name.startsWith("_") && !isDeclared(rel)) return true;
    if (gitIgnored(rel, true)) return true;
    return false;
  };

  const files = new fdir()
    .withFullPaths()
    .withMaxDepth(maxDepth)
    .exclude((name, fullPath) => {
      const skip = excluded(name, fullPath);
      if (!skip) {
        directoriesVisited++;
        dirs.push(toRel(root, fullPath));
      }
      return skip;
    })
    .filter((_fullPath, isDirectory) => {
      if (isDirectory) return false;
      filesVisited++;
      return true;
    })
    .crawl(root)
    .sync()
    .map((f) => toRel(root, f));

  // fdir calls exclude() for directories one level past maxDepth without entering them.
  const enteredDirs = dirs.filter((d) => d === "." || d.split("/").length <= maxDepth);
  directoriesVisited = enteredDirs.length;
  const ignoredCache = new Map<string, boolean>();
  const isIgnored = (relFile: string): boolean => {
    let v = ignoredCache.get(relFile);
    if (v === undefined) {
      v = gitIgnored(relFile, false);
      ignoredCache.set(relFile, v);
    }
    return v;
  };
  return { files, dirs: enteredDirs, filesVisited, directoriesVisited, get filesRead() { return filesRead; }, isIgnored };
}
