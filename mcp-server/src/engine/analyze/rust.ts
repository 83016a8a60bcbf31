import type { MonorepoTool, Project } from "./types.ts";
import { type Repo, byDepth, WorkspaceMatcher, dirname, isWithin, joinRel } from "./repo.ts";
import { type EcosystemResult, addEvidence, asString, asStringArray, isRecord, newProject, toolVersions, versionFile } from "./common.ts";

const FRAMEWORKS: { dep: string; name: string; http: boolean; port?: number }[] = [
  { dep: "actix-web", name: "actix-web", http: true, port: 8080 },
  { dep: "axum", name: "axum", http: true },
  { dep: "rocket", name: "rocket", http: true, port: 8000 },
  { dep: "warp", name: "warp", http: true },
  { dep: "poem", name: "poem", http: true },
  { dep: "tide", name: "tide", http: true },
  { dep: "tonic", name: "tonic", http: false },
  { dep: "clap", name: "clap", http: false },
];

/** Members a root Cargo workspace declares (read before the walk). */
export function declaredCargoWorkspace(repo: Repo): string[] {
  const t = repo.toml("Cargo.toml");
  return t && isRecord(t.workspace) ? asStringArray(t.workspace.members) : [];
}

function depNames(t: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of ["dependencies", "dev-dependencies", "build-dependencies"]) {
    if (isRecord(t[key])) out.push(...Object.keys(t[key]));
  }
  if (isRecord(t.workspace) && isRecord(t.workspace.dependencies)) out.push(...Object.keys(t.workspace.dependencies));
  return out;
}

/** Bin targets of one package: `[[bin]]` entries plus, unless autobins is off, src/main.rs and src/bin/*. */
function cargoBins(repo: Repo, dir: string, t: Record<string, unknown>): string[] {
  const pkg = isRecord(t.package) ? t.package : undefined;
  if (!pkg) return [];
  const bins = new Set<string>();
  const declared = Array.isArray(t.bin) ? t.bin.filter(isRecord) : [];
  const declaredPaths = new Set(declared.map((b) => asString(b.path)).filter((x): x is string => !!x).map((x) => joinRel(dir, x)));
  for (const b of declared) {
    const name = asString(b.name);
    if (name) bins.add(name);
  }
  if (pkg.autobins !== false) {
    const name = asString(pkg.name);
    const main = joinRel(dir, "src/main.rs");
    if (name && repo.has(main) && !declaredPaths.has(main)) bins.add(name);
    const binDir = joinRel(dir, "src/bin");
    for (const f of repo.filesUnder(binDir)) {
      if (declaredPaths.has(f)) continue;
      const rest = f.slice(binDir.length + 1).split("/");
      if (rest.length === 1 && rest[0]!.endsWith(".rs")) bins.add(rest[0]!.slice(0, -3));
      else if (rest.length === 2 && rest[1] === "main.rs") bins.add(rest[0]!);
    }
  }
  return [...bins];
}

export function analyzeRust(repo: Repo): EcosystemResult {
  const projects: Project[] = [];
  const monorepo: MonorepoTool[] = [];
  const dirs = repo.filesUnder(".", (n) => n === "Cargo.toml").map(dirname).sort(byDepth);
  const claimed: string[] = [];
  for (const dir of dirs) {
    // A Cargo workspace is one project at its root: cargo builds, tests and locks all members together
    // (one Cargo.lock, one target/), so CI runs `cargo … --workspace` once. Members go in `modules`.
    if (claimed.some((c) => isWithin(dir, c))) continue;
    const file = joinRel(dir, "Cargo.toml");
    const t = repo.toml(file);
    if (!t) continue;
    const ws = isRecord(t.workspace) ? t.workspace : undefined;
    const pkg = isRecord(t.package) ? t.package : undefined;
    const p = newProject(repo, dir, "rust", "cargo", asString(pkg?.name));
    addEvidence(p, file);
    const texts = [t];
    const binaries = cargoBins(repo, dir, t);
    if (ws) {
      const matcher = new WorkspaceMatcher(asStringArray(ws.members), dir);
      const exclude = new WorkspaceMatcher(asStringArray(ws.exclude), dir);
      const members = dirs.filter((d) => d !== dir && isWithin(d, dir) && matcher.matches(d) && !(!exclude.empty && exclude.matches(d)));
      if (members.length) {
        p.modules = members;
        monorepo.push("cargo");
      }
      for (const m of members) {
        const mt = repo.toml(joinRel(m, "Cargo.toml"));
        if (mt) {
          texts.push(mt);
          binaries.push(...cargoBins(repo, m, mt).filter((b) => !binaries.includes(b)));
        }
      }
      claimed.push(dir);
    } else {
      claimed.push(dir);
    }
    const lock = joinRel(dir, "Cargo.lock");
    const locked = repo.has(lock);
    if (locked) {
      p.lockfiles.push(lock);
      addEvidence(p, lock);
    }

    // Version: rust-toolchain(.toml) channel, then rust-version (package or workspace.package), then .tool-versions.
    const tc = repo.findUp(dir, "rust-toolchain.toml") ?? repo.findUp(dir, "rust-toolchain");
    let rust: string | undefined;
    if (tc) {
      const text = repo.read(tc) ?? "";
      if (tc.endsWith(".toml") || /^\s*\[toolchain\]/m.test(text)) {
        const parsed = repo.toml(tc);
        rust = parsed && isRecord(parsed.toolchain) ? asString(parsed.toolchain.channel) : undefined;
      } else rust = versionFile(repo, tc);
      if (rust) addEvidence(p, tc);
    }
    // rust-version is the MSRV: a floor the crate promises, not the toolchain to test with (a lockfile often needs
    // a newer rustc). It is kept apart; CI tests on stable and checks the MSRV in a step of its own.
    const wsPkg = ws && isRecord(ws.package) ? ws.package : undefined;
    const msrv = asString(pkg?.["rust-version"]) ?? asString(wsPkg?.["rust-version"]);
    if (msrv) {
      p.versions["rust-version"] = msrv;
      addEvidence(p, file);
    }
    if (!rust) {
      const tv = toolVersions(repo, dir);
      rust = tv.tools.get("rust");
      if (rust) addEvidence(p, tv.file);
    }
    if (rust) p.versions.rust = rust;

    const wsFlag = ws ? " --workspace" : "";
    const lockFlag = locked ? " --locked" : "";
    p.commands.install = `cargo fetch${lockFlag}`;
    p.commands.lint = `cargo fmt --all -- --check && cargo clippy${wsFlag} --all-targets${lockFlag} -- -D warnings`;
    p.commands.test = `cargo test${wsFlag}${lockFlag}`;
    p.commands.build = `cargo build${wsFlag} --release${lockFlag}`;

    let port: number | undefined;
    const deps = new Set(texts.flatMap(depNames));
    for (const fw of FRAMEWORKS) {
      if (!deps.has(fw.dep)) continue;
      p.frameworks.push(fw.name);
      if (fw.http) {
        p.servesHttp = true;
        if (port === undefined && fw.port) port = fw.port;
      }
    }
    if (port !== undefined) p.port = port;
    p.binaries = binaries;
    // A virtual manifest with no members is not buildable.
    if (!pkg && !p.modules?.length) {
      repo.warn(`${file}: a workspace with no members found; skipped`);
      continue;
    }
    projects.push(p);
  }
  return { projects, monorepo };
}
