import semver from "semver";
import type { MonorepoTool, Project, Workspace } from "./types.ts";
import { shellWord } from "../templating/quote.ts";
import { NODE_LINES, PACKAGE_MANAGER_NODE } from "../pipeline/pinned-actions.ts";
import { type Repo, WorkspaceMatcher, dirname, isWithin, joinRel } from "./repo.ts";
import {
  type EcosystemResult, addEvidence, asString, asStringArray, isRecord, newProject, toolVersions, versionFile,
} from "./common.ts";

type NodePm = "npm" | "pnpm" | "yarn" | "bun";

interface PackageJson {
  name?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  workspaces?: string[] | { packages?: string[] };
  packageManager?: string;
  engines?: Record<string, string>;
  volta?: Record<string, string>;
  main?: string;
  bin?: unknown;
  private?: boolean;
  type?: string;
}

const LOCKFILES: [string, NodePm][] = [
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["bun.lock", "bun"],
  ["bun.lockb", "bun"],
  ["package-lock.json", "npm"],
  ["npm-shrinkwrap.json", "npm"],
];

/** Frameworks recognised from dependencies: name, whether it serves HTTP, and its well-known default port. */
const FRAMEWORKS: { dep: string; name: string; http: boolean; port?: number }[] = [
  { dep: "next", name: "next", http: true, port: 3000 },
  { dep: "nuxt", name: "nuxt", http: true, port: 3000 },
  { dep: "@remix-run/node", name: "remix", http: true, port: 3000 },
  { dep: "@remix-run/serve", name: "remix", http: true, port: 3000 },
  { dep: "@react-router/serve", name: "react-router", http: true, port: 3000 },
  { dep: "@sveltejs/kit", name: "sveltekit", http: false },
  { dep: "@sveltejs/adapter-node", name: "sveltekit", http: true, port: 3000 },
  { dep: "astro", name: "astro", http: false },
  { dep: "@astrojs/node", name: "astro", http: true, port: 4321 },
  { dep: "@nestjs/core", name: "nestjs", http: true, port: 3000 },
  { dep: "express", name: "express", http: true },
  { dep: "fastify", name: "fastify", http: true },
  { dep: "koa", name: "koa", http: true },
  { dep: "hono", name: "hono", http: true },
  { dep: "@hapi/hapi", name: "hapi", http: true },
  { dep: "restify", name: "restify", http: true },
  { dep: "@tanstack/react-start", name: "tanstack-start", http: true, port: 3000 },
  { dep: "expo", name: "expo", http: false },
  { dep: "@angular/core", name: "angular", http: false },
  { dep: "react", name: "react", http: false },
  { dep: "vue", name: "vue", http: false },
  { dep: "svelte", name: "svelte", http: false },
  { dep: "solid-js", name: "solid", http: false },
  { dep: "gatsby", name: "gatsby", http: false },
  { dep: "vite", name: "vite", http: false },
  { dep: "electron", name: "electron", http: false },
];

/** A `test` script that only fails or does nothing is not a test suite (npm init writes one). */
export function isRealScript(script: string | undefined): boolean {
  if (typeof script !== "string") return false;
  const s = script.trim();
  if (!s) return false;
  if (/no test specified/i.test(s)) return false;
  if (/^(exit\s+\d+|true|:|echo\b[^&|;]*)$/.test(s)) return false;
  return true;
}

function workspacePatterns(pkg: PackageJson | undefined): string[] {
  if (!pkg) return [];
  if (Array.isArray(pkg.workspaces)) return asStringArray(pkg.workspaces);
  if (isRecord(pkg.workspaces)) return asStringArray(pkg.workspaces.packages);
  return [];
}

function pnpmWorkspacePatterns(repo: Repo, dir: string): string[] | undefined {
  const file = joinRel(dir, "pnpm-workspace.yaml");
  if (!repo.has(file) && !repo.exists(file)) return undefined;
  const doc = repo.yaml(file);
  return isRecord(doc) ? asStringArray(doc.packages) : [];
}

/** Workspace globs declared at the root (read before the walk so declared example/fixture dirs are entered). */
export function declaredNodeWorkspaces(repo: Repo): string[] {
  const pkg = repo.json<PackageJson>("package.json");
  return [...workspacePatterns(pkg), ...(pnpmWorkspacePatterns(repo, ".") ?? [])];
}

function parsePackageManagerField(field: string | undefined): { pm?: NodePm; version?: string } {
  if (!field) return {};
  const m = /^(npm|pnpm|yarn|bun)@([^+\s]+)/.exec(field.trim());
  if (!m) return {};
  return { pm: m[1] as NodePm, version: m[2] };
}

interface PmDecision {
  pm: NodePm;
  version?: string;
  lockfiles: string[];
  evidence: string[];
  install: string;
  berry: boolean;
}

/** Decides the package manager for the directory that owns the lockfile (workspace root or standalone project). */
function decidePm(repo: Repo, dir: string, pkg: PackageJson, pkgFile: string): PmDecision {
  const found: { file: string; pm: NodePm }[] = [];
  for (const [name, pm] of LOCKFILES) {
    const file = joinRel(dir, name);
    if (repo.has(file)) found.push({ file, pm });
  }
  const field = parsePackageManagerField(pkg.packageManager);
  const evidence: string[] = [];
  const lockPms = [...new Set(found.map((f) => f.pm))];
  let pm: NodePm;
  const where = dir === "." ? "the root" : dir;
  if (field.pm) {
    pm = field.pm;
    evidence.push(pkgFile);
    const others = lockPms.filter((p) => p !== pm);
    if (others.length) {
      repo.warn(
        `${where}: packageManager says ${pm} but ${found.filter((f) => f.pm !== pm).map((f) => f.file).join(", ")} ` +
          `${others.length > 1 || found.filter((f) => f.pm !== pm).length > 1 ? "are" : "is"} present; using ${pm} (the packageManager field is what Corepack enforces)`,
      );
    }
  } else if (lockPms.length === 1) {
    pm = lockPms[0]!;
  } else if (lockPms.length > 1) {
    // Tie-break on what the scripts call, then on the more deliberate choice (a pnpm/yarn/bun lockfile
    // rarely appears by accident; a stray package-lock.json from `npm install` often does).
    const scripts = Object.values(pkg.scripts ?? {}).join("\n");
    const byScripts = lockPms.filter((p) => p !== "npm" && new RegExp(`(^|[\\s;&|(])${p}\\s`).test(scripts));
    pm = byScripts.length === 1 ? byScripts[0]! : (["pnpm", "yarn", "bun", "npm"] as NodePm[]).find((p) => lockPms.includes(p))!;
    repo.warn(
      `${where}: several lockfiles (${found.map((f) => f.file).join(", ")}); using ${pm} ` +
        (byScripts.length === 1 ? `because the package.json scripts call ${pm}` : `(a ${pm} lockfile is a deliberate choice; delete the other lockfile)`),
    );
  } else if (repo.has(joinRel(dir, "pnpm-workspace.yaml"))) {
    pm = "pnpm";
  } else {
    pm = "npm";
  }
  const lockfiles = found.filter((f) => f.pm === pm).map((f) => f.file);
  evidence.push(...lockfiles);
  if (pm === "pnpm" && repo.has(joinRel(dir, "pnpm-workspace.yaml"))) evidence.push(joinRel(dir, "pnpm-workspace.yaml"));

  let berry = false;
  let yarnPathVersion: string | undefined;
  if (pm === "yarn") {
    const yarnrc = joinRel(dir, ".yarnrc.yml");
    if (field.version && semver.valid(semver.coerce(field.version)) && semver.major(semver.coerce(field.version)!) >= 2) berry = true;
    if (repo.has(yarnrc)) {
      berry = true;
      evidence.push(yarnrc);
      if (!field.version) {
        // Yarn 2+ checked into the repo: .yarnrc.yml yarnPath names the release file.
        const rc = repo.yaml(yarnrc);
        const yarnPath = isRecord(rc) ? asString(rc.yarnPath) : undefined;
        const m = yarnPath ? /yarn-(\d+\.\d+\.\d+[^/]*)\.c?js$/.exec(yarnPath) : null;
        if (m) yarnPathVersion = m[1];
      }
    }
    if (!berry && lockfiles[0] && /^__metadata:/m.test(repo.read(lockfiles[0]) ?? "")) berry = true;
  }

  let install: string;
  const locked = lockfiles.length > 0;
  switch (pm) {
    case "npm":
      install = locked ? "npm ci" : "npm install";
      break;
    case "pnpm":
      install = locked ? "pnpm install --frozen-lockfile" : "pnpm install";
      break;
    case "yarn":
      install = berry ? (locked ? "yarn install --immutable" : "yarn install") : locked ? "yarn install --frozen-lockfile" : "yarn install";
      break;
    case "bun":
      install = locked ? "bun install --frozen-lockfile" : "bun install";
      break;
  }
  if (!locked) {
    repo.warn(`${where}: no ${pm} lockfile; install uses \`${install}\`, which is not reproducible — commit a lockfile`);
  }
  return { pm, version: field.pm === pm ? field.version : yarnPathVersion, lockfiles, evidence, install, berry };
}

/**
 * Node version for CI. An explicit pin (.nvmrc, .node-version, Volta, asdf) is kept unless the package manager
 * cannot run on it; an `engines.node` range is a compatibility statement, not a pin, so CI runs on the newest
 * maintained LTS line (NODE_LINES) that the range and the package manager both accept, never the range's floor.
 */
function nodeVersion(
  repo: Repo, dir: string, pkg: PackageJson, pkgFile: string, decision: PmDecision, rootPkg?: { pkg: PackageJson; file: string },
): { version?: string; evidence?: string; range?: string } {
  const pmNeeds = packageManagerNode(decision);
  const where = dir === "." ? "the root" : dir;
  const pinnedVersion = (raw: string, file: string) => {
    const v = semver.coerce(raw);
    if (v && pmNeeds && !semver.satisfies(v, pmNeeds) && /^\d/.test(raw)) {
      const up = pickNodeLine(undefined, pmNeeds);
      repo.warn(`${where}: ${file} pins Node ${raw}, but ${decision.pm}${decision.version ? ` ${decision.version}` : ""} needs Node ${pmNeeds}; CI uses Node ${up} (raise the pin)`);
      return { version: up, evidence: file };
    }
    return { version: raw, evidence: file };
  };
  for (const name of [".nvmrc", ".node-version"]) {
    const file = repo.findUp(dir, name);
    if (file) {
      const v = versionFile(repo, file);
      if (v) return pinnedVersion(v.replace(/^v(?=\d)/, ""), file);
    }
  }
  for (const cand of [{ pkg, file: pkgFile }, rootPkg]) {
    const volta = cand && isRecord(cand.pkg.volta) ? asString(cand.pkg.volta.node) : undefined;
    if (volta && cand) return pinnedVersion(volta, cand.file);
  }
  const tv = toolVersions(repo, dir);
  const asdf = tv.tools.get("nodejs") ?? tv.tools.get("node");
  if (asdf && tv.file) return pinnedVersion(asdf.replace(/^v(?=\d)/, ""), tv.file);
  for (const cand of [{ pkg, file: pkgFile }, rootPkg]) {
    const range = cand && isRecord(cand.pkg.engines) ? asString(cand.pkg.engines.node) : undefined;
    if (range && cand && semver.validRange(range)) {
      const v = pickNodeLine(range, pmNeeds);
      if (v) return { version: v, evidence: cand.file, range };
      repo.warn(`${where}: engines.node "${range}" in ${cand.file} admits no Node line CI can run${pmNeeds ? ` together with ${decision.pm} (needs ${pmNeeds})` : ""}; CI uses Node ${pickNodeLine(undefined, pmNeeds)}`);
      return { version: pickNodeLine(undefined, pmNeeds), evidence: cand.file };
    }
  }
  if (pmNeeds) return { version: pickNodeLine(undefined, pmNeeds) };
  return {};
}

/** The Node range the package manager release needs, when known (packageManager field or checked-in Yarn release). */
function packageManagerNode(decision: PmDecision): string | undefined {
  const major = semver.coerce(decision.version ?? "")?.major;
  if (major === undefined) return undefined;
  return PACKAGE_MANAGER_NODE[decision.pm]?.[major];
}

const lineRange = (major: number) => `>=${major}.0.0 <${major + 1}.0.0`;

/** Newest maintained Node line (as "24") that intersects `range` and `pmNeeds`; else the newest published line that does. */
export function pickNodeLine(range: string | undefined, pmNeeds: string | undefined): string | undefined {
  const fits = (major: number) =>
    (!range || semver.intersects(lineRange(major), range)) && (!pmNeeds || semver.intersects(lineRange(major), pmNeeds));
  const line = NODE_LINES.find((l) => l.supported && fits(l.major)) ?? NODE_LINES.find((l) => fits(l.major));
  return line ? String(line.major) : undefined;
}

/** Maintained Node lines inside `range` (and the package manager's needs), newest first: a library's test matrix. */
export function nodeMatrix(range: string, pmNeeds?: string): string[] {
  return NODE_LINES.filter((l) => l.supported && semver.intersects(lineRange(l.major), range) && (!pmNeeds || semver.intersects(lineRange(l.major), pmNeeds))).map((l) => String(l.major));
}

function scriptCommand(pm: NodePm, script: string): string {
  if (script === "test") return pm === "bun" ? "bun run test" : `${pm} test`;
  return `${pm} run ${script}`;
}

function fillProject(
  repo: Repo,
  dir: string,
  pkg: PackageJson,
  decision: PmDecision,
  owner: string,
  rootPkg?: { pkg: PackageJson; file: string },
): Project {
  const pkgFile = joinRel(dir, "package.json");
  const p = newProject(repo, dir, "node", decision.pm, pkg.name);
  addEvidence(p, pkgFile, ...decision.evidence);
  p.lockfiles = [...decision.lockfiles];
  if (owner !== dir) p.workspaceRoot = owner;
  if (decision.version) p.versions[decision.pm] = decision.version;
  const nv = nodeVersion(repo, dir, pkg, pkgFile, decision, rootPkg);
  if (nv.version) {
    p.versions.node = nv.version;
    if (nv.evidence) addEvidence(p, nv.evidence);
  }
  // A library (publishable, not an app) with a declared range is tested over the maintained lines inside it.
  if (nv.range && !pkg.private && (pkg.main !== undefined || pkg.bin !== undefined || isRecord((pkg as Record<string, unknown>).exports))) {
    const lines = nodeMatrix(nv.range, packageManagerNode(decision));
    if (lines.length > 1) p.versions.nodeMatrix = lines.join(",");
  }
  p.commands.install = decision.install;
  const scripts = isRecord(pkg.scripts) ? pkg.scripts : {};
  if (isRealScript(scripts.lint)) p.commands.lint = scriptCommand(decision.pm, "lint");
  if (isRealScript(scripts.test)) p.commands.test = scriptCommand(decision.pm, "test");
  // Browser tests need their browsers: Playwright's test script runs only after `playwright install --with-deps`.
  if (p.commands.test && /\bplaywright\s+test\b/.test(String(scripts.test))) {
    const exec = decision.pm === "npm" ? "npx" : decision.pm === "bun" ? "bunx" : `${decision.pm} exec`;
    p.commands.test = `${exec} playwright install --with-deps && ${p.commands.test}`;
  }
  if (isRealScript(scripts.build)) p.commands.build = scriptCommand(decision.pm, "build");

  const deps = { ...(pkg.peerDependencies ?? {}), ...(pkg.devDependencies ?? {}), ...(pkg.dependencies ?? {}) };
  let port: number | undefined;
  for (const fw of FRAMEWORKS) {
    if (!(fw.dep in deps)) continue;
    if (!p.frameworks.includes(fw.name)) p.frameworks.push(fw.name);
    // A server framework only counts as serving HTTP when it is a runtime dependency.
    const runtime = !!pkg.dependencies && fw.dep in pkg.dependencies;
    if (fw.http && (runtime || fw.name === "next" || fw.name === "nuxt")) {
      p.servesHttp = true;
      if (port === undefined && fw.port) port = fw.port;
    }
  }
  if (port !== undefined) p.port = port;
  return p;
}

/** A package.json that only marks module type (`{"type":"module"}`) or is otherwise empty is not a project. */
function isMarkerOnly(pkg: PackageJson): boolean {
  return !pkg.name && !pkg.scripts && !pkg.dependencies && !pkg.devDependencies && !pkg.workspaces;
}

export function analyzeNode(repo: Repo): EcosystemResult {
  const projects: Project[] = [];
  const monorepo: MonorepoTool[] = [];
  const pkgDirs = repo.filesUnder(".", (n) => n === "package.json").map(dirname);
  const pkgs = new Map<string, PackageJson>();
  for (const d of pkgDirs) {
    const pkg = repo.json<PackageJson>(joinRel(d, "package.json"));
    if (pkg && isRecord(pkg)) pkgs.set(d, pkg);
  }
  const claimed = new Set<string>();
  const workspaceRoots: string[] = [];
  const found: { dir: string; pkg: PackageJson; decision: PmDecision; members: string[] }[] = [];

  // 1. Workspaces, shallowest root first.
  for (const dir of [...pkgs.keys()].sort((a, b) => depth(a) - depth(b))) {
    if (claimed.has(dir)) continue;
    const pkg = pkgs.get(dir)!;
    const pnpmPatterns = pnpmWorkspacePatterns(repo, dir);
    const patterns = [...workspacePatterns(pkg), ...(pnpmPatterns ?? [])];
    if (!patterns.length) continue;
    const matcher = new WorkspaceMatcher(patterns, dir);
    const pkgFile = joinRel(dir, "package.json");
    const decision = decidePm(repo, dir, pkg, pkgFile);
    if (pnpmPatterns && decision.pm !== "pnpm") {
      repo.warn(`${dir === "." ? "the root" : dir}: pnpm-workspace.yaml is present but the package manager is ${decision.pm}`);
    }
    workspaceRoots.push(dir);
    claimed.add(dir);
    const members = [...pkgs.keys()].filter((d) => d !== dir && isWithin(d, dir) && matcher.matches(d)).sort();
    found.push({ dir, pkg, decision, members });
    for (const m of members) {
      claimed.add(m);
      const mp = fillProject(repo, m, pkgs.get(m)!, decision, dir, { pkg, file: pkgFile });
      addEvidence(mp, pnpmPatterns ? joinRel(dir, "pnpm-workspace.yaml") : pkgFile);
      projects.push(mp);
    }
    const tool: MonorepoTool = `${decision.pm} workspaces` as MonorepoTool;
    if (repo.has(joinRel(dir, "turbo.json"))) monorepo.push("turbo");
    if (repo.has(joinRel(dir, "nx.json"))) monorepo.push("nx");
    monorepo.push(tool);
    // The workspace root is reported only when it has source of its own beside the members
    // (a src/, app/, lib/, pages/ or server/ directory that no member pattern covers). A root that only
    // orchestrates (scripts calling turbo/nx, shared dev tooling) has nothing to lint, test or build by itself.
    const ownSource = ["src", "app", "lib", "pages", "server"].some((s) => {
      const sd = joinRel(dir, s);
      return repo.dirs.has(sd) && !members.some((m) => isWithin(sd, m) || isWithin(m, sd));
    });
    if (ownSource || members.length === 0) {
      const rp = fillProject(repo, dir, pkg, decision, dir);
      projects.push(rp);
    }
  }

  // 2. Standalone packages.
  for (const dir of [...pkgs.keys()].sort()) {
    if (claimed.has(dir)) continue;
    const pkg = pkgs.get(dir)!;
    if (isMarkerOnly(pkg)) continue;
    const inWorkspace = workspaceRoots.find((r) => isWithin(dir, r));
    const ownLock = LOCKFILES.some(([n]) => repo.has(joinRel(dir, n)));
    if (inWorkspace !== undefined && !ownLock) continue; // part of a workspace tree but not a member
    // Inside another Node project, a package.json without its own lockfile is that project's tooling or test
    // harness (test/cloudflare/, scripts/), not a project that CI could install on its own.
    const parentProject = projects.find((p) => p.path !== dir && isWithin(dir, p.path));
    if (parentProject && !ownLock) continue;
    const decision = decidePm(repo, dir, pkg, joinRel(dir, "package.json"));
    projects.push(fillProject(repo, dir, pkg, decision, dir));
    claimed.add(dir);
  }

  // Nx: targets come from project.json files and inference plugins as much as from scripts, and an
  // "integrated" repo has one root package.json with projects that only have a project.json.
  if (repo.has("nx.json")) {
    const rootProject = projects.find((p) => p.path === ".");
    const rootPkg = pkgs.get(".");
    if (rootPkg) {
      const decision = decidePm(repo, ".", rootPkg, "package.json");
      for (const pj of repo.filesUnder(".", (n) => n === "project.json").map(dirname)) {
        if (pj === "." || projects.some((p) => p.path === pj)) continue;
        const np = fillProject(repo, pj, { name: nxTargets(repo, pj, undefined).name }, decision, ".", { pkg: rootPkg, file: "package.json" });
        projects.push(np);
      }
      if (projects.some((p) => p.path !== ".") && rootProject && !hasOwnRootSource(repo, projects)) {
        projects.splice(projects.indexOf(rootProject), 1);
      }
    }
    for (const p of projects) if (p.path !== ".") applyNx(repo, p, pkgs.get(p.path));
    if (!monorepo.includes("nx") && projects.length > 1) monorepo.unshift("nx");
  }
  if (!monorepo.includes("turbo") && repo.has("turbo.json") && projects.length > 1) monorepo.unshift("turbo");
  applyTurbo(repo, projects, pkgs.get("."));
  const order: MonorepoTool[] = ["turbo", "nx", "pnpm workspaces", "yarn workspaces", "npm workspaces", "bun workspaces"];
  monorepo.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  for (const p of projects) {
    if (monorepo[0] === "turbo" && repo.has("turbo.json")) addEvidence(p, "turbo.json");
    if (monorepo[0] === "nx" && repo.has("nx.json")) addEvidence(p, "nx.json");
  }
  const workspaces = found
    .filter((w) => w.members.length > 0 && w.decision.pm !== "bun")
    .map((w) => workspaceGraph(repo, w.dir, w.pkg, w.decision.pm, w.members, pkgs, projects));
  return { projects, monorepo: [...new Set(monorepo)], workspaces };
}

/** Root scripts that only fan a task out to the members (the workspace job runs the members through the graph instead). */
const FAN_OUT = /^\s*(((npx|pnpm( exec)?|yarn|bunx?)\s+)?(turbo|nx|lerna)\s|pnpm\s+(-r|--recursive|--filter|-F)\b|pnpm\s+\S+\s+(-r|--recursive)\b|npm\s+(run\s+)?\S+\s+(--workspaces|-ws)\b|yarn\s+workspaces\s)[^;&|]*$/;

/**
 * The workspace as a graph: each member's workspace dependencies (any dependency field naming another member), the
 * task runner that owns the graph, and the root's own scripts (prettier at the root, a root vitest suite).
 */
function workspaceGraph(repo: Repo, dir: string, pkg: PackageJson, pm: NodePm, members: string[], pkgs: Map<string, PackageJson>, projects: Project[]): Workspace {
  const byName = new Map<string, string>();
  for (const m of members) {
    const name = pkgs.get(m)?.name;
    if (typeof name === "string" && name) byName.set(name, m);
  }
  const rootDeps = { ...(pkg.devDependencies ?? {}), ...(pkg.dependencies ?? {}) };
  const tool = repo.has(joinRel(dir, "nx.json")) && "nx" in rootDeps ? "nx" as const
    : repo.has(joinRel(dir, "turbo.json")) && "turbo" in rootDeps ? "turbo" as const : undefined;
  const scripts = isRecord(pkg.scripts) ? pkg.scripts : {};
  const commands: Workspace["commands"] = {};
  for (const k of ["lint", "test", "build"] as const) {
    const script = scripts[k];
    if (isRealScript(script) && !FAN_OUT.test(script!)) commands[k] = scriptCommand(pm, k);
  }
  return {
    root: dir,
    name: typeof pkg.name === "string" && pkg.name ? pkg.name : dir === "." ? "workspace" : dir,
    packageManager: pm,
    ...(tool ? { tool } : {}),
    commands,
    members: members.filter((m) => projects.some((p) => p.path === m)).map((m) => {
      const mp = pkgs.get(m)!;
      const deps = { ...(mp.peerDependencies ?? {}), ...(mp.devDependencies ?? {}), ...(mp.dependencies ?? {}) };
      const dependsOn = Object.keys(deps).map((d) => byName.get(d)).filter((d): d is string => d !== undefined && d !== m);
      return { path: m, name: projects.find((p) => p.path === m)!.name, dependsOn: [...new Set(dependsOn)].sort() };
    }),
  };
}


function depth(dir: string): number {
  return dir === "." ? 0 : dir.split("/").length;
}

/** How each package manager runs a binary installed in the workspace. */
const EXEC: Record<NodePm, string> = { npm: "npx", pnpm: "pnpm exec", yarn: "yarn", bun: "bunx" };

/**
 * Targets Nx knows for the project in `dir`: explicit `project.json` targets, package.json scripts, and the
 * targets that Nx's inference plugins listed in nx.json add when the project has the tool's config file.
 */
export function nxTargets(repo: Repo, dir: string, pkg: PackageJson | undefined): { name?: string; targets: Set<string>; evidence: string[] } {
  const targets = new Set<string>();
  const evidence: string[] = [];
  const pj = joinRel(dir, "project.json");
  let name: string | undefined;
  if (repo.has(pj)) {
    const j = repo.json<Record<string, unknown>>(pj);
    if (j) {
      name = asString(j.name);
      if (isRecord(j.targets)) for (const t of Object.keys(j.targets)) targets.add(t);
      evidence.push(pj);
    }
  }
  if (pkg && isRecord(pkg.scripts)) for (const [k, v] of Object.entries(pkg.scripts)) if (isRealScript(v)) targets.add(k);
  const nx = repo.json<Record<string, unknown>>("nx.json");
  const names = repo.namesIn(dir);
  const hasConfig = (re: RegExp) => names.some((n) => re.test(n));
  const rootNames = repo.namesIn(".");
  for (const entry of Array.isArray(nx?.plugins) ? nx.plugins : []) {
    const plugin = typeof entry === "string" ? entry : isRecord(entry) ? asString(entry.plugin) : undefined;
    const opts = isRecord(entry) && isRecord(entry.options) ? entry.options : {};
    const opt = (k: string, d: string) => asString(opts[k]) ?? d;
    switch (plugin) {
      case "@nx/jest/plugin":
        if (hasConfig(/^jest\.config\.(ts|js|mjs|cjs|json)$/)) targets.add(opt("targetName", "test"));
        break;
      case "@nx/vite/plugin":
        if (hasConfig(/^vite(st)?\.config\.(ts|js|mjs|mts|cjs)$/)) {
          targets.add(opt("testTargetName", "test"));
          if (hasConfig(/^vite\.config\./)) targets.add(opt("buildTargetName", "build"));
        }
        break;
      case "@nx/vitest":
      case "@nx/vitest/plugin":
        if (hasConfig(/^vite(st)?\.config\./)) targets.add(opt("testTargetName", "test"));
        break;
      case "@nx/eslint/plugin":
        if (hasConfig(/^(eslint\.config\.(js|mjs|cjs|ts)|\.eslintrc(\.json|\.js|\.cjs|\.yml)?)$/) || rootNames.some((n) => /^eslint\.config\./.test(n))) targets.add(opt("targetName", "lint"));
        break;
      case "@nx/webpack/plugin":
        if (hasConfig(/^webpack\.config\./)) targets.add(opt("buildTargetName", "build"));
        break;
      case "@nx/rsbuild/plugin":
      case "@nx/rsbuild":
        if (hasConfig(/^rsbuild\.config\./)) targets.add(opt("buildTargetName", "build"));
        break;
      case "@nx/next/plugin":
        if (hasConfig(/^next\.config\./)) targets.add(opt("buildTargetName", "build"));
        break;
      case "@nx/js/typescript":
        if (hasConfig(/^tsconfig\.lib\.json$/)) targets.add(isRecord(opts.build) ? asString(opts.build.targetName) ?? "build" : "build");
        break;
      default:
        break;
    }
  }
  return { name: name ?? pkg?.name, targets, evidence };
}

/** Replaces script-based commands by `nx run` ones for a project of an Nx workspace. */
function applyNx(repo: Repo, p: Project, pkg: PackageJson | undefined): void {
  const { name, targets, evidence } = nxTargets(repo, p.path, pkg);
  if (!name) return;
  const exec = EXEC[p.packageManager as NodePm] ?? "npx";
  for (const k of ["lint", "test", "build"] as const) {
    if (targets.has(k)) p.commands[k] = `${exec} nx run ${shellWord(`${name}:${k}`)}`;
    else delete p.commands[k];
  }
  addEvidence(p, ...evidence, "nx.json");
}

function hasOwnRootSource(repo: Repo, projects: Project[]): boolean {
  return ["src", "app", "lib", "pages", "server"].some((d) => repo.dirs.has(d) && !projects.some((p) => p.path !== "." && (isWithin(p.path, d) || isWithin(d, p.path))));
}

/**
 * In a Turborepo, a member's task may depend on its workspace dependencies' tasks (`dependsOn: ["^build"]`),
 * which a plain `pnpm run build` inside the member does not run. When turbo.json defines the task and turbo
 * is installed at the root, the member's command goes through `turbo run <task> --filter=<name>`.
 */
function applyTurbo(repo: Repo, projects: Project[], rootPkg: PackageJson | undefined): void {
  if (!rootPkg || !repo.has("turbo.json")) return;
  const rootDeps = { ...(rootPkg.devDependencies ?? {}), ...(rootPkg.dependencies ?? {}) };
  if (!("turbo" in rootDeps)) return;
  const turbo = repo.json<Record<string, unknown>>("turbo.json");
  const tasksObj = turbo && isRecord(turbo.tasks) ? turbo.tasks : turbo && isRecord(turbo.pipeline) ? turbo.pipeline : undefined;
  if (!tasksObj) return;
  const tasks = Object.keys(tasksObj);
  for (const p of projects) {
    if (p.workspaceRoot !== "." || p.language !== "node") continue;
    const exec = EXEC[p.packageManager as NodePm] ?? "npx";
    for (const k of ["lint", "test", "build"] as const) {
      if (!p.commands[k]) continue;
      if (!tasks.includes(k) && !tasks.includes(`${p.name}#${k}`)) continue;
      p.commands[k] = `${exec} turbo run ${k} --filter=${shellWord(p.name)}`;
      addEvidence(p, "turbo.json");
    }
  }
}
