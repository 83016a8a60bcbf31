/**
 * Project analysis (SPEC §3, the `analyze-project` capability): what a repository is built with, decided
 * from lockfiles and manifests, with the deciding files in `evidence` and ambiguities in `warnings`.
 *
 * Decisions worth knowing when reading the result:
 * - One walk (walk.ts) lists the repository, pruning node_modules, .git and other hidden dirs, build output,
 *   vendored trees, example/fixture/benchmark/docs trees and .gitignored directories before they are entered,
 *   to DISCOVERY_DEPTH levels (deeper when a workspace declares deeper members). Only manifests, lockfiles and
 *   tool configs are read. A root workspace declaration re-enables a skipped tree it names (e.g. examples/*).
 * - JS workspaces (npm/yarn/bun `workspaces`, pnpm-workspace.yaml): each member is a project with
 *   `workspaceRoot` pointing at the root that owns the lockfile and runs the install. The root itself is a
 *   project only when it has source of its own (src/, app/, lib/, pages/ or server/ outside the members);
 *   a root that only orchestrates (turbo/nx scripts, shared tooling) has nothing to lint, test or build alone.
 *   turbo/nx are reported as the monorepo tool over the package manager's workspaces. Nx targets come from
 *   project.json, scripts and the inference plugins in nx.json.
 * - uv workspaces follow the same model as JS workspaces (members are projects, a virtual root is not).
 * - Maven multi-module, Gradle multi-project and Cargo workspaces are ONE project at the build root, with the
 *   member directories in `modules`: the tool builds them together (inter-module dependencies resolve only in
 *   one reactor/build/target dir), so CI runs the root's commands once.
 * - go.work members are separate projects (each module has its own go.mod and `go test ./...` stops at
 *   module boundaries). A .NET solution is one project (commands name the .sln/.slnx).
 * - Several independent projects with no workspace tool make a "multi-service" repository.
 * - Commands are only those the project really has (scripts, tool config, build conventions, Makefile
 *   targets as a fallback); a missing command is absent, never invented.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { type Analysis, type MonorepoTool, type Project, type Workspace, analysisSchema } from "./types.ts";
import { Repo, WorkspaceMatcher, dirname as dirnameOf, isWithin, joinRel } from "./repo.ts";
import { walkRepository } from "./walk.ts";
import { addEvidence, makeTargets, sortProjects } from "./common.ts";
import { analyzeNode, declaredNodeWorkspaces } from "./node.ts";
import { analyzePython, declaredUvWorkspace } from "./python.ts";
import { analyzeGo, declaredGoWork } from "./go.ts";
import { analyzeJvm, declaredJvmModules } from "./jvm.ts";
import { analyzeRust, declaredCargoWorkspace } from "./rust.ts";
import { analyzeDotnet } from "./dotnet.ts";
import { analyzeRuby } from "./ruby.ts";
import { analyzePhp } from "./php.ts";
import { exposedPorts, findServices } from "./services.ts";
import { detectTestServices } from "./test-services.ts";
import { findHealthRoute } from "./health-route.ts";
import { warnUnbuildable } from "./unbuildable.ts";
import { defaultBranch, existingCi } from "./ci.ts";

export type { Analysis, Project, Service } from "./types.ts";

export interface AnalyzeOptions {
  progress?: (msg: string) => void;
}

/** Default depth (directories below the root) searched for projects; declared workspaces can extend it. */
export const DISCOVERY_DEPTH = 6;

/** Order in which a repository's workspace tools are reported when it has several. */
const MONOREPO_ORDER: MonorepoTool[] = [
  "turbo", "nx", "pnpm workspaces", "yarn workspaces", "npm workspaces", "bun workspaces",
  "cargo", "go work", "maven modules", "gradle multi-project", "multi-service",
];

/**
 * Analyses the repository at `root` (read-only): projects with their language, package manager, versions,
 * commands and frameworks; workspace tool; deployable services; existing CI; default branch.
 * Cost grows with the files it must read: excluded trees are pruned during the one walk.
 */
export async function analyzeRepository(root: string, options: AnalyzeOptions = {}): Promise<Analysis> {
  const started = performance.now();
  const progress = options.progress ?? (() => {});
  const abs = resolve(root);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new Error(`cannot analyse ${root}: no such directory`);
  }
  if (!st.isDirectory()) throw new Error(`cannot analyse ${root}: not a directory`);

  const repo = new Repo(abs);
  // Workspace declarations at the root decide which skipped trees (examples/, vendor/ …) are entered anyway.
  const declared = [
    ...declaredNodeWorkspaces(repo),
    ...declaredCargoWorkspace(repo),
    ...declaredGoWork(repo),
    ...declaredJvmModules(repo),
    ...declaredUvWorkspace(repo),
  ].filter((p) => !p.startsWith("..") && !p.startsWith("/"));
  const declaredMatcher = new WorkspaceMatcher(declared);
  const deepest = Math.max(0, ...declared.map((p) => p.split("/").length + (p.includes("**") ? 2 : 0)));
  const maxDepth = Math.min(12, Math.max(DISCOVERY_DEPTH, deepest + 1));

  progress("walking the repository");
  const walk = walkRepository(abs, { maxDepth, isDeclared: (rel) => declaredMatcher.leadsTo(rel) });
  repo.index(walk.files, walk.dirs, walk.isIgnored);
  progress(`walked ${walk.filesVisited} files in ${walk.directoriesVisited} directories`);

  const projects: Project[] = [];
  const tools: MonorepoTool[] = [];
  const workspaces: Workspace[] = [];
  for (const [label, fn] of [
    ["node", analyzeNode], ["python", analyzePython], ["go", analyzeGo], ["jvm", analyzeJvm],
    ["rust", analyzeRust], ["dotnet", analyzeDotnet], ["ruby", analyzeRuby], ["php", analyzePhp],
  ] as const) {
    progress(`detecting ${label} projects`);
    const r = fn(repo);
    projects.push(...r.projects);
    tools.push(...r.monorepo);
    if (r.workspaces) workspaces.push(...r.workspaces);
  }

  // Makefile targets supply commands the ecosystem does not — only where one project owns the directory
  // (with two ecosystems side by side, `make test` cannot be attributed to either).
  for (const p of projects) {
    if (projects.some((q) => q !== p && q.path === p.path)) continue;
    const { file, targets } = makeTargets(repo, p.path);
    if (!file) continue;
    for (const k of ["lint", "test", "build"] as const) {
      if (!p.commands[k] && targets.has(k)) {
        p.commands[k] = `make ${k}`;
        addEvidence(p, file);
      }
    }
  }

  for (const p of projects) detectTestServices(repo, p, projects);
  for (const p of projects) {
    const health = findHealthRoute(repo, p, projects);
    if (health) {
      p.healthPath = health.path;
      if (!p.evidence.includes(health.evidence)) p.evidence.push(health.evidence);
    }
  }
  warnUnbuildable(repo, projects);

  progress("finding services");
  const { services } = findServices(repo);
  // A project's Dockerfile: the plain Dockerfile in its directory, else the Dockerfile a compose service builds
  // from that directory. When several projects share a directory (a Rails app with a package.json for assets),
  // the image belongs to the one that serves HTTP.
  const byPath = new Map<string, Project[]>();
  for (const p of projects) byPath.set(p.path, [...(byPath.get(p.path) ?? []), p]);
  for (const [path, group] of byPath) {
    const owners = group.length > 1 && group.some((p) => p.servesHttp) ? group.filter((p) => p.servesHttp) : group.length > 1 && group.some((p) => p.language !== "node") ? group.filter((p) => p.language !== "node") : group;
    const plain = ["Dockerfile", "Containerfile"].map((n) => joinRel(path, n)).find((f) => repo.has(f));
    // Other Dockerfile names only count when a compose file builds them as a service.
    const svc = services.find((s) => s.dockerfile && s.source !== s.dockerfile && dirnameOf(s.dockerfile) === path && (!plain || s.dockerfile === plain));
    const dockerfile = plain ?? svc?.dockerfile;
    if (!dockerfile) continue;
    const exposed = exposedPorts(repo.read(dockerfile) ?? "");
    const port = exposed[0] ?? svc?.ports[0];
    for (const p of owners) {
      p.dockerfile = dockerfile;
      addEvidence(p, dockerfile);
      if (port !== undefined) p.port = port;
    }
  }

  // Several independent projects (or deployable services) without a workspace tool: a multi-service repository.
  const paths = new Set(projects.map((p) => p.path));
  const buildServices = services.filter((s) => s.dockerfile);
  const serviceDirs = new Set(buildServices.map((s) => s.context));
  if (!tools.length && (paths.size >= 2 || (serviceDirs.size >= 2 && projects.length > 0))) tools.push("multi-service");
  const monorepo = [...new Set(tools)].sort((a, b) => MONOREPO_ORDER.indexOf(a) - MONOREPO_ORDER.indexOf(b))[0];
  // turbo and nx run on top of JS workspaces: only tools of different ecosystems are worth a warning.
  const families = new Set(tools.map((t) => (t === "turbo" || t === "nx" || t.endsWith(" workspaces") ? "js" : t)));
  if (families.size > 1) {
    repo.warn(`several workspace tools (${[...new Set(tools)].join(", ")}); reporting ${monorepo}, every project is still listed`);
  }

  // Services whose build context is inside no project and projects inside another's Dockerfile context are fine;
  // a project nested in another project of the same language is reported, but called out.
  for (const p of projects) {
    const parent = projects.find(
      (q) => q !== p && q.language === p.language && p.language !== "go" && q.path !== p.path && isWithin(p.path, q.path) &&
        !q.modules?.includes(p.path) && p.workspaceRoot !== q.path && !(p.workspaceRoot !== undefined && p.workspaceRoot === q.workspaceRoot),
    );
    if (parent) repo.warn(`${p.path} is a separate ${p.language} project inside ${parent.path}; reported on its own`);
  }

  if (!projects.length) repo.warn("no supported project found (looked for Node, Python, Go, Java/Kotlin, Rust, .NET, Ruby and PHP manifests)");

  const ci = existingCi(repo);
  const branch = defaultBranch(repo);
  const analysis: Analysis = {
    projects: sortProjects(projects),
    ...(monorepo ? { monorepo } : {}),
    ...(workspaces.length ? { workspaces } : {}),
    services,
    existingCi: ci,
    defaultBranch: branch.branch,
    warnings: [...repo.warnings],
    stats: {
      filesVisited: walk.filesVisited,
      directoriesVisited: walk.directoriesVisited,
      filesRead: walk.filesRead + repo.filesRead,
      elapsedMs: Math.round((performance.now() - started) * 100) / 100,
    },
  };
  progress(`found ${projects.length} project(s), ${services.length} service(s)`);
  return analysisSchema.parse(analysis);
}
