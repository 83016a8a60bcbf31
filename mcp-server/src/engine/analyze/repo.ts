import { existsSync, lstatSync, readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { join, basename, sep } from "node:path";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { XMLParser } from "fast-xml-parser";

/**
 * What the ecosystem modules see of the repository: the file list from one walk, and counted,
 * cached reads of the few files they need. Paths are relative to the root with forward slashes.
 */
export class Repo {
  readonly root: string;
  readonly files = new Set<string>();
  readonly dirs = new Set<string>();
  /** directory -> names of the files directly in it */
  readonly filesIn = new Map<string, string[]>();
  /** directory -> names of its subdirectories that were walked */
  readonly subdirsOf = new Map<string, string[]>();
  readonly warnings: string[] = [];
  filesRead = 0;
  private readonly cache = new Map<string, string | undefined>();
  private readonly probes = new Map<string, boolean>();

  constructor(root: string) {
    this.root = root;
  }

  private ignored: (rel: string) => boolean = () => false;

  /** Fills the index from a walk; `isIgnored` filters single files a .gitignore ignores, on demand. */
  index(files: string[], dirs: string[], isIgnored?: (rel: string) => boolean): void {
    if (isIgnored) this.ignored = isIgnored;
    for (const d of dirs) {
      this.dirs.add(d);
      if (!this.filesIn.has(d)) this.filesIn.set(d, []);
      if (d !== ".") {
        const p = dirname(d);
        const list = this.subdirsOf.get(p) ?? [];
        list.push(d);
        this.subdirsOf.set(p, list);
      }
    }
    for (const f of files) {
      this.files.add(f);
      const d = dirname(f);
      const list = this.filesIn.get(d) ?? [];
      list.push(basenameOf(f));
      this.filesIn.set(d, list);
    }
  }

  /** True when the walk saw the file. */
  has(rel: string): boolean {
    const n = normalize(rel);
    return this.files.has(n) && !this.ignored(n);
  }

  /** Checks a path the walk does not cover (hidden directories, beyond the depth cap) directly on disk. */
  exists(rel: string): boolean {
    const n = normalize(rel);
    if (this.files.has(n)) return !this.ignored(n);
    if (this.dirs.has(n)) return true;
    const cached = this.probes.get(n);
    if (cached !== undefined) return cached;
    const ok = existsSync(join(this.root, n));
    this.probes.set(n, ok);
    return ok;
  }

  isDir(rel: string): boolean {
    const n = normalize(rel);
    if (this.dirs.has(n)) return true;
    try {
      return statSync(join(this.root, n)).isDirectory();
    } catch {
      return false;
    }
  }

  /** Lists a directory the walk did not enter (e.g. .github/workflows). Counted as one read. */
  list(rel: string): string[] {
    try {
      this.filesRead++;
      return readdirSync(join(this.root, normalize(rel)));
    } catch {
      return [];
    }
  }

  /** Reads a file once (cached), counting the read. Undefined when it does not exist or is unreadable. */
  read(rel: string): string | undefined {
    const n = normalize(rel);
    if (this.cache.has(n)) return this.cache.get(n);
    let text: string | undefined;
    const abs = join(this.root, n);
    if (this.files.has(n) ? !this.ignored(n) : existsSync(abs)) {
      try {
        this.filesRead++;
        // A symlink may only be followed when it stays inside the repository.
        if (lstatSync(abs).isSymbolicLink()) {
          const real = realpathSync(abs);
          const rootReal = realpathSync(this.root);
          if (real !== rootReal && !real.startsWith(rootReal + sep)) throw new Error("symlink leaves the repository");
        }
        const st = statSync(abs);
        // Manifests are small; refuse to slurp something huge by accident.
        text = st.isFile() && st.size <= 8 * 1024 * 1024 ? readFileSync(abs, "utf8") : undefined;
      } catch {
        text = undefined;
      }
    }
    this.cache.set(n, text);
    return text;
  }

  json<T = Record<string, unknown>>(rel: string): T | undefined {
    const text = this.read(rel);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text.replace(/^\uFEFF/, "")) as T;
    } catch (e) {
      this.warn(`${rel}: not valid JSON (${(e as Error).message.split("\n")[0]}); ignored`);
      return undefined;
    }
  }

  toml(rel: string): Record<string, unknown> | undefined {
    const text = this.read(rel);
    if (text === undefined) return undefined;
    try {
      return parseToml(text) as Record<string, unknown>;
    } catch (e) {
      this.warn(`${rel}: not valid TOML (${(e as Error).message.split("\n")[0]}); ignored`);
      return undefined;
    }
  }

  yaml(rel: string): unknown {
    const text = this.read(rel);
    if (text === undefined) return undefined;
    try {
      return parseYaml(text);
    } catch (e) {
      this.warn(`${rel}: not valid YAML (${(e as Error).message.split("\n")[0]}); ignored`);
      return undefined;
    }
  }

  xml(rel: string): Record<string, unknown> | undefined {
    const text = this.read(rel);
    if (text === undefined) return undefined;
    try {
      const parser = new XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: "@",
        parseTagValue: false,
        trimValues: true,
        isArray: (name) => ["module", "dependency", "plugin", "PackageReference", "ProjectReference", "profile", "ItemGroup", "PropertyGroup", "Import"].includes(name),
      });
      return parser.parse(text) as Record<string, unknown>;
    } catch (e) {
      this.warn(`${rel}: not valid XML (${(e as Error).message.split("\n")[0]}); ignored`);
      return undefined;
    }
  }

  warn(msg: string): void {
    if (!this.warnings.includes(msg)) this.warnings.push(msg);
  }

  /** Files whose path is under dir (dir itself included), optionally matching a name test. */
  filesUnder(dir: string, test?: (name: string, rel: string) => boolean): string[] {
    const out: string[] = [];
    const prefix = dir === "." ? "" : dir + "/";
    for (const f of this.files) {
      if (prefix && !f.startsWith(prefix)) continue;
      if ((!test || test(basenameOf(f), f)) && !this.ignored(f)) out.push(f);
    }
    return out.sort();
  }

  /** Names of files directly in dir. */
  namesIn(dir: string): string[] {
    return (this.filesIn.get(dir) ?? []).filter((n) => !this.ignored(joinRel(dir, n)));
  }

  /** Nearest ancestor-or-self directory of dir (up to the root) that contains file `name`. */
  findUp(dir: string, name: string): string | undefined {
    let d: string | undefined = dir;
    while (d !== undefined) {
      const candidate = joinRel(d, name);
      if (this.has(candidate) || (!this.dirs.has(d) && this.exists(candidate))) return candidate;
      d = d === "." ? undefined : dirname(d);
    }
    return undefined;
  }
}

export function normalize(rel: string): string {
  const n = rel.replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/+$/, "");
  return n === "" ? "." : n;
}

export function dirname(rel: string): string {
  const i = rel.lastIndexOf("/");
  return i < 0 ? "." : rel.slice(0, i);
}

export function basenameOf(rel: string): string {
  const i = rel.lastIndexOf("/");
  return i < 0 ? rel : rel.slice(i + 1);
}

export function joinRel(dir: string, name: string): string {
  return normalize(dir === "." ? name : `${dir}/${name}`);
}

/** `rel` as a path inside `dir`, which contains it ("." when they are the same). */
export function relativeTo(rel: string, dir: string): string {
  return dir === "." ? rel : rel === dir ? "." : rel.slice(dir.length + 1);
}

/** True when `rel` is `dir` or lies below it. */
export function isWithin(rel: string, dir: string): boolean {
  if (dir === ".") return true;
  return rel === dir || rel.startsWith(dir + "/");
}

/** Directory name used as a fallback project/service name. */
export function dirName(root: string, dir: string): string {
  return dir === "." ? basename(root) : basenameOf(dir);
}

/**
 * Converts a workspace glob (npm/pnpm/yarn workspaces, Cargo members, uv members) into an anchored RegExp.
 * Supports `*`, `**`, `?`, `{a,b}` and character classes; patterns are relative to the declaring directory.
 */
export function globToRegExp(pattern: string): RegExp {
  const p = normalize(pattern.replace(/^\.\//, ""));
  let re = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "*") {
      if (p[i + 1] === "*") {
        // "**/" matches zero or more directories, trailing "**" matches everything below
        const slash = p[i + 2] === "/";
        re += slash ? "(?:[^/]+/)*" : ".*";
        i += slash ? 2 : 1;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "{") {
      const end = p.indexOf("}", i);
      if (end < 0) re += "\\{";
      else {
        re += "(?:" + p.slice(i + 1, end).split(",").map(escapeRe).join("|") + ")";
        i = end;
      }
    } else if (c === "[") {
      const end = p.indexOf("]", i);
      if (end < 0) re += "\\[";
      else {
        re += "[" + p.slice(i + 1, end).replace(/^!/, "^") + "]";
        i = end;
      }
    } else re += escapeRe(c);
  }
  return new RegExp("^" + re + "$");
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** The literal directory prefix of a glob (the part before the first wildcard). */
export function globBase(pattern: string): string {
  const parts = normalize(pattern).split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (/[*?{[]/.test(part)) break;
    out.push(part);
  }
  return out.length ? out.join("/") : ".";
}

/**
 * Matches directories against workspace patterns (with `!negations`), relative to `base`.
 */
export class WorkspaceMatcher {
  private readonly positive: RegExp[] = [];
  private readonly negative: RegExp[] = [];
  readonly bases: string[] = [];

  constructor(patterns: string[], readonly base = ".") {
    for (const raw of patterns) {
      if (typeof raw !== "string" || !raw.trim()) continue;
      const neg = raw.startsWith("!");
      const pat = joinRel(base, normalize(neg ? raw.slice(1) : raw));
      (neg ? this.negative : this.positive).push(globToRegExp(pat));
      if (!neg) this.bases.push(globBase(pat));
    }
  }

  get empty(): boolean {
    return this.positive.length === 0;
  }

  matches(dir: string): boolean {
    return this.positive.some((r) => r.test(dir)) && !this.negative.some((r) => r.test(dir));
  }

  /** True when dir is matched or lies on the way to something a pattern could match. */
  leadsTo(dir: string): boolean {
    if (this.matches(dir)) return true;
    // an ancestor of a pattern's literal base (e.g. "examples" for "examples/*") must be entered
    for (const b of this.bases) {
      if (b !== "." && isWithin(b, dir)) return true;
    }
    return false;
  }
}

/** Number of path segments below the root ("." is 0). */
export function depthOf(dir: string): number {
  return dir === "." ? 0 : dir.split("/").length;
}

/** Orders directories shallowest first, then by name. */
export function byDepth(a: string, b: string): number {
  return depthOf(a) - depthOf(b) || a.localeCompare(b);
}
