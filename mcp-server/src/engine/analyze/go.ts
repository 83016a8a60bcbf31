import type { MonorepoTool, Project } from "./types.ts";
import { type Repo, dirname, isWithin, joinRel, normalize, relativeTo } from "./repo.ts";
import { type EcosystemResult, addEvidence, newProject, toolVersions } from "./common.ts";

const FRAMEWORKS: { mod: string; name: string; http: boolean; port?: number }[] = [
  { mod: "github.com/gin-gonic/gin", name: "gin", http: true, port: 8080 },
  { mod: "github.com/labstack/echo", name: "echo", http: true },
  { mod: "github.com/gofiber/fiber", name: "fiber", http: true, port: 3000 },
  { mod: "github.com/go-chi/chi", name: "chi", http: true },
  { mod: "github.com/gorilla/mux", name: "gorilla-mux", http: true },
  { mod: "github.com/julienschmidt/httprouter", name: "httprouter", http: true },
  { mod: "google.golang.org/grpc", name: "grpc", http: false },
  { mod: "github.com/spf13/cobra", name: "cobra", http: false },
];

export interface GoMod {
  module?: string;
  go?: string;
  toolchain?: string;
  requires: string[];
}

/** Parses the directives of a go.mod file that matter here. */
export function parseGoMod(text: string): GoMod {
  const out: GoMod = { requires: [] };
  let inRequire = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*/, "").trim();
    if (!line) continue;
    if (inRequire) {
      if (line === ")") inRequire = false;
      else out.requires.push(line.split(/\s+/)[0]!);
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^module\s+"?([^\s"]+)"?/.exec(line))) out.module = m[1];
    else if ((m = /^go\s+(\d+\.\d+(?:\.\d+)?)/.exec(line))) out.go = m[1];
    else if ((m = /^toolchain\s+go(\d+\.\d+(?:\.\d+)?\S*)/.exec(line))) out.toolchain = m[1];
    else if (/^require\s*\($/.test(line)) inRequire = true;
    else if ((m = /^require\s+(\S+)/.exec(line))) out.requires.push(m[1]!);
  }
  return out;
}

/** `use` directories of a go.work file, relative to the file's directory. */
export function parseGoWork(text: string): { go?: string; toolchain?: string; use: string[] } {
  const use: string[] = [];
  let go: string | undefined;
  let toolchain: string | undefined;
  let inUse = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*/, "").trim();
    if (!line) continue;
    if (inUse) {
      if (line === ")") inUse = false;
      else use.push(line.replace(/^"|"$/g, ""));
      continue;
    }
    let m: RegExpExecArray | null;
    if (/^use\s*\($/.test(line)) inUse = true;
    else if ((m = /^use\s+(\S+)/.exec(line))) use.push(m[1]!.replace(/^"|"$/g, ""));
    else if ((m = /^go\s+(\d+\.\d+(?:\.\d+)?)/.exec(line))) go = m[1];
    else if ((m = /^toolchain\s+go(\S+)/.exec(line))) toolchain = m[1];
  }
  return { go, toolchain, use };
}

/** Workspace `use` directories a root go.work declares (read before the walk). */
export function declaredGoWork(repo: Repo): string[] {
  const text = repo.read("go.work");
  return text ? parseGoWork(text).use.map((u) => normalize(u)) : [];
}

/** The `version` a golangci-lint configuration declares ("2" for v2; v1 files have none). */
function golangciConfigVersion(repo: Repo, file: string): string | undefined {
  const parsed = file.endsWith(".toml") ? repo.toml(file) : file.endsWith(".json") ? repo.json(file) : repo.yaml(file);
  const version = parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>).version : undefined;
  return typeof version === "string" || typeof version === "number" ? String(version) : undefined;
}

/** A file that only `go run`/`go generate` uses (`//go:build ignore`) does not make its directory a program. */
const IGNORED_BUILD = /^\/\/(go:build|\s*\+build)\s+ignore\s*$/m;

/** Directories (relative to the module) whose package is `main`; tests, testdata, vendor and nested modules left out. */
function goMainPackages(repo: Repo, dir: string, nested: string[]): string[] {
  const byDir = new Map<string, string[]>();
  for (const f of repo.filesUnder(dir, (n) => n.endsWith(".go") && !n.endsWith("_test.go"))) {
    if (nested.some((n) => isWithin(f, n)) || /(^|\/)(testdata|vendor|_[^/]*|\.[^/]*)\//.test(relativeTo(f, dir))) continue;
    const d = dirname(f);
    byDir.set(d, [...(byDir.get(d) ?? []), f]);
  }
  const mains: string[] = [];
  for (const [d, files] of byDir) {
    for (const f of files) {
      const text = repo.read(f) ?? "";
      if (IGNORED_BUILD.test(text)) continue;
      if (/^package\s+main\s*$/m.test(text)) mains.push(relativeTo(d, dir));
      break;
    }
  }
  return mains.sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b));
}

export function analyzeGo(repo: Repo): EcosystemResult {
  const projects: Project[] = [];
  const monorepo: MonorepoTool[] = [];
  const modDirs = repo.filesUnder(".", (n) => n === "go.mod").map(dirname).sort();
  let work: { file: string; go?: string; use: string[] } | undefined;
  const workFile = repo.filesUnder(".", (n) => n === "go.work").sort((a, b) => a.length - b.length)[0];
  if (workFile) {
    const parsed = parseGoWork(repo.read(workFile) ?? "");
    const base = dirname(workFile);
    work = { file: workFile, go: parsed.go, use: parsed.use.map((u) => joinRel(base, normalize(u))) };
    if (work.use.length > 1) monorepo.push("go work");
  }
  const testFiles = repo.filesUnder(".", (n) => n.endsWith("_test.go"));

  for (const dir of modDirs) {
    const modFile = joinRel(dir, "go.mod");
    const mod = parseGoMod(repo.read(modFile) ?? "");
    const p = newProject(repo, dir, "go", "go", mod.module);
    addEvidence(p, modFile);
    const sum = joinRel(dir, "go.sum");
    if (repo.has(sum)) {
      p.lockfiles.push(sum);
      addEvidence(p, sum);
    }
    if (work && work.use.includes(dir)) addEvidence(p, work.file);
    if (mod.go) p.versions.go = mod.go;
    if (mod.toolchain) p.versions["go-toolchain"] = mod.toolchain;
    if (!mod.go) {
      const tv = toolVersions(repo, dir);
      const v = tv.tools.get("golang") ?? tv.tools.get("go");
      if (v) {
        p.versions.go = v;
        addEvidence(p, tv.file);
      } else if (work?.go) {
        p.versions.go = work.go;
        addEvidence(p, work.file);
      }
    }
    p.commands.install = "go mod download";
    const lintCfg = [".golangci.yml", ".golangci.yaml", ".golangci.toml", ".golangci.json"]
      .map((n) => repo.findUp(dir, n))
      .find((f): f is string => !!f);
    if (lintCfg && golangciConfigVersion(repo, lintCfg) !== "2") {
      // CI installs golangci-lint v2, which refuses a v1 configuration: vet until the repository migrates it.
      p.commands.lint = "go vet ./...";
      addEvidence(p, lintCfg);
      repo.warn(`${lintCfg}: a golangci-lint v1 configuration (no \`version: "2"\`); the CI installs golangci-lint v2, which refuses it, so lint runs \`go vet ./...\` until you migrate it with \`golangci-lint migrate\` and re-run`);
    } else if (lintCfg) {
      // golangci-lint runs govet among its default linters, so it replaces `go vet` when configured.
      p.commands.lint = "golangci-lint run";
      addEvidence(p, lintCfg);
    } else {
      p.commands.lint = "go vet ./...";
    }
    // Tests of this module: _test.go files under it that are not inside a nested module.
    const nested = modDirs.filter((d) => d !== dir && isWithin(d, dir));
    const ownTest = testFiles.find((t) => isWithin(t, dir) && !nested.some((n) => isWithin(t, n)));
    if (ownTest) {
      p.commands.test = "go test ./...";
      addEvidence(p, ownTest);
    }
    p.commands.build = "go build ./...";
    p.binaries = goMainPackages(repo, dir, nested);
    let port: number | undefined;
    for (const fw of FRAMEWORKS) {
      if (!mod.requires.some((r) => r === fw.mod || r.startsWith(fw.mod + "/"))) continue;
      p.frameworks.push(fw.name);
      if (fw.http) {
        p.servesHttp = true;
        if (port === undefined && fw.port) port = fw.port;
      }
    }
    if (port !== undefined) p.port = port;
    projects.push(p);
  }
  if (work) {
    // go.work members build against each other without a version: a member depends on another when it requires
    // or imports that member's module path (import scan bounded per module).
    const members = projects.filter((p) => work!.use.includes(p.path));
    const byModule = new Map(members.map((p) => [p.name, p.path]));
    for (const p of members) {
      const mod = parseGoMod(repo.read(joinRel(p.path, "go.mod")) ?? "");
      const deps = new Set<string>();
      for (const r of mod.requires) if (byModule.has(r) && byModule.get(r) !== p.path) deps.add(byModule.get(r)!);
      const nested = modDirs.filter((d) => d !== p.path && isWithin(d, p.path));
      const sources = repo.filesUnder(p.path, (n) => n.endsWith(".go")).filter((f) => !nested.some((n) => isWithin(f, n))).slice(0, 300);
      for (const f of sources) {
        const text = repo.read(f) ?? "";
        for (const [module, dir] of byModule) if (dir !== p.path && (text.includes(`"${module}"`) || text.includes(`"${module}/`))) deps.add(dir);
      }
      if (deps.size) {
        p.dependsOn = [...deps].sort();
        p.buildContext = dirname(work.file);
      }
    }
    const missing = work.use.filter((u) => !modDirs.includes(u));
    if (missing.length) repo.warn(`${work.file} uses ${missing.join(", ")} but no go.mod was found there`);
  }
  return { projects, monorepo };
}
