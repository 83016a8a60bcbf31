import { coerce, lt as semverLt } from "semver";
import { CONTAINER_IMAGES } from "./pinned-actions.ts";
import { imageProgram } from "./programs.ts";
import { appSlug } from "../core/app-name.ts";
import type { Analysis, Project, Workspace } from "../analyze/types.ts";
import { shellWord } from "../templating/quote.ts";
import { InputError } from "../core/types.ts";

/** CI platforms the generator writes for. */
export const PLATFORMS = ["github-actions", "gitlab-ci", "jenkins", "circleci"] as const;
export type Platform = (typeof PLATFORMS)[number];
export const STAGES = ["lint", "test", "build", "security", "docker", "deploy"] as const;
export type Stage = (typeof STAGES)[number];
/** Clouds whose clusters the deploy stage reaches with short-lived OIDC credentials; "none" keeps a stored kubeconfig. */
export const CLOUDS = ["none", "aws", "gcp", "azure"] as const;
export type Cloud = (typeof CLOUDS)[number];
/** Platforms whose deploy jobs reach aws, gcp and azure clusters with OIDC tokens instead of a stored kubeconfig. */
export const OIDC_PLATFORMS: readonly Platform[] = ["github-actions", "gitlab-ci"];
/** EKS/GKE/AKS cluster name: lowercase letters, digits and '-', at most 100 characters. */
export const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,98}[a-z0-9])?$/;
/** Cloud region or location (AWS us-east-1, GCP europe-west1 or a zone such as europe-west1-b, Azure westeurope). */
export const CLOUD_REGION = /^[a-z]{2,}[0-9]?(-[a-z0-9]+)*$/;

export interface PipelineOptions {
  platform?: Platform;
  stages?: Stage[];
  defaultBranch?: string;
  registry?: string;
  cloud?: Cloud;
  cluster?: string;
  region?: string;
  /** Apps whose kustomize overlays are committed (deploy/<app>/overlays/ exists): deployable without a new image. */
  committedOverlays?: string[];
}

/** Where the deploy stage gets cluster credentials: OIDC federation into a cloud's cluster, or a stored kubeconfig. */
export type DeployTarget =
  | { cloud: "none" }
  | { cloud: "aws" | "gcp"; cluster: string; region: string }
  | { cloud: "azure"; cluster: string };

/** One step of a project job: a real command of the project, run in `dir` (relative to the root). */
export interface CommandStep {
  stage: "install" | "lint" | "test" | "build" | "audit";
  name: string;
  run: string;
  dir: string;
}

/** A container image the pipeline builds: from the project's own Dockerfile or one we generate. */
export interface ImagePlan {
  id: string;
  /** Image name below the registry namespace. */
  name: string;
  context: string;
  dockerfile: string;
  /** Job id of the project job this image is built from, when it belongs to one. */
  projectJob?: string;
  generated: boolean;
}

/** One CI job per project: install, lint, test, build and the dependency audit, in that order. */
export interface ProjectJob {
  id: string;
  project: Project;
  /** Directory to install from (workspace root for JS workspace members). */
  installDir: string;
  steps: CommandStep[];
  /** Paths (relative to the root) whose change triggers this job; directories end with "/". */
  triggers: string[];
  /** Lockfiles used as cache keys; empty when the project has none. */
  lockfiles: string[];
  /** Toolchain version for the language, normalised for setup actions and image tags. */
  version?: string;
  /** True when yarn is Yarn Berry (2+). */
  yarnBerry: boolean;
  /** Node lines a library is tested on (GitHub matrix); the first is `version`. */
  matrix?: string[];
  /** Workspace member paths this job covers (a JS workspace job). */
  members?: string[];
  /** The job compares with the default branch (affected-only runs): it needs the branch's history. */
  history?: boolean;
}

export interface PipelinePlan {
  platform: Platform;
  stages: Stage[];
  defaultBranch: string;
  registry?: string;
  jobs: ProjectJob[];
  images: ImagePlan[];
  /** Kustomize apps deployed by the deploy stage (deploy/<app>/overlays/<env>). */
  deployApps: string[];
  monorepo: boolean;
  /** How deploy jobs authenticate to the cluster. */
  target: DeployTarget;
  /** Files every project job depends on (the CI configuration itself). */
  ciFile: string;
  warnings: string[];
}

export const CI_FILES: Record<Platform, string> = {
  "github-actions": ".github/workflows/ci.yml",
  "gitlab-ci": ".gitlab-ci.yml",
  jenkins: "Jenkinsfile",
  circleci: ".circleci/config.yml",
};

/** Go used for projects whose go directive predates 1.21: the default golang image's release. */
const GO_FLOOR = CONTAINER_IMAGES.golang!.tag.split("-")[0]!;

/** Compose services and Dockerfiles that are development or test tooling, not something to ship. */
const NOT_DEPLOYABLE: [RegExp, string][] = [
  [/^Dockerfile[.-](dev|develop|development|local|test|ci)$|^(dev|develop|development|local|test|ci)\.Dockerfile$/i, "a development or test Dockerfile"],
  [/^(tests?|e2e|integration-tests?|test-runner|cypress|playwright)$|[-_](tests?|e2e)$/i, "a test runner"],
  [/^(seed|seeder|db-seed|fixtures?)$|[-_]seed(er)?$/i, "a data seeder"],
  [/^(load-?gen(erator)?|locust|k6|loadtest|load-test|traffic-gen)$|[-_]load-?gen(erator)?$/i, "a load generator"],
  [/^(proto|protoc|protobuf|buf|codegen)$|[-_](proto|protoc|codegen)$/i, "a code or proto builder"],
];

/** Text CI platforms expand in a config before a shell sees it (GitHub expressions, CircleCI parameters), or line breaks. */
const PLATFORM_EVALUATED = /\$\{\{|<<|>>|[\u0000-\u001f\u007f\u2028\u2029]/;

const SAFE_PATH = /^[A-Za-z0-9._@+-]+(\/[A-Za-z0-9._@+-]+)*$/;
const SAFE_BRANCH = /^[A-Za-z0-9._/-]+$/;
const SAFE_REGISTRY = /^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*$/;

/** A job/image id: lowercase letters, digits and '-', unique within the plan. */
export function slug(value: string, taken: Set<string>, fallback = "app"): string {
  const base = appSlug(value, fallback);
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/** "major" or "major.minor" of a version string, as setup actions and image tags expect; undefined when unparsable. */
export function normaliseVersion(value: string | undefined, parts: 1 | 2 = 2): string | undefined {
  if (!value) return undefined;
  const v = coerce(value);
  if (!v) return undefined;
  if (parts === 1) return String(v.major);
  return `${v.major}.${v.minor}`;
}

function toolchainVersion(project: Project): string | undefined {
  const v = project.versions;
  switch (project.language) {
    case "node": {
      const raw = v.node;
      if (!raw) return undefined;
      const c = coerce(raw);
      return c ? (/^\d+$/.test(raw.trim()) ? String(c.major) : `${c.major}.${c.minor}`) : undefined;
    }
    case "python": return normaliseVersion(v.python);
    case "go": return normaliseVersion(v.go);
    case "java": case "kotlin": return normaliseVersion(v.java, 1);
    case "rust": {
      const raw = v.rust;
      if (raw && /^(stable|beta|nightly)$/.test(raw)) return raw;
      const c = raw ? coerce(raw) : null;
      return c ? `${c.major}.${c.minor}` : undefined;
    }
    case "dotnet": return normaliseVersion(v.dotnet);
    case "ruby": return normaliseVersion(v.ruby);
    case "php": return normaliseVersion(v.php);
  }
}

function isYarnBerry(project: Project): boolean {
  if (project.packageManager !== "yarn") return false;
  const major = coerce(project.versions.yarn ?? "")?.major;
  if (major !== undefined) return major >= 2;
  return (project.commands.install ?? "").includes("--immutable") || project.evidence.some((e) => e.endsWith(".yarnrc.yml"));
}

/** The dependency audit for an ecosystem, run from the install directory; undefined where Trivy's lockfile scan is the audit. */
export function auditCommand(project: Project, yarnBerry: boolean): string | undefined {
  switch (project.packageManager) {
    case "npm": return "npm audit --audit-level=high";
    case "pnpm": return "pnpm audit --audit-level high";
    case "yarn": return yarnBerry ? "yarn npm audit --all --recursive --severity high" : "yarn audit --level high";
    case "pip": return "python -m pip install pip-audit && python -m pip_audit";
    case "poetry": return "poetry run python -m pip install pip-audit && poetry run python -m pip_audit";
    case "pipenv": return "pipenv run python -m pip install pip-audit && pipenv run python -m pip_audit";
    case "uv": return "uv export --frozen --format requirements-txt --no-emit-project --output-file /tmp/requirements-audit.txt && uvx pip-audit --disable-pip --requirement /tmp/requirements-audit.txt";
    case "pdm": return "pdm export --output /tmp/requirements-audit.txt && python -m pip install pip-audit && python -m pip_audit --disable-pip --requirement /tmp/requirements-audit.txt";
    case "go": return "go run golang.org/x/vuln/cmd/govulncheck@v1.1.4 ./...";
    // cargo-audit needs a newer rustc than many projects pin (0.22 needs 1.88): build it with stable, whatever
    // rust-toolchain.toml or the image selects for the project.
    case "cargo": return "rustup toolchain install stable --profile minimal && cargo +stable install --locked cargo-audit && cargo audit";
    case "dotnet": return "dotnet list package --vulnerable --include-transitive 2>&1 | tee /tmp/dotnet-audit.txt && ! grep -q -i 'has the following vulnerable packages' /tmp/dotnet-audit.txt";
    // An ad-hoc `gem install bundler-audit` bypasses the lockfile (zizmor: adhoc-packages); Trivy scans Gemfile.lock.
    case "composer": return "composer audit";
    case "bun": case "maven": case "gradle": case "bundler": return undefined;
  }
}

/**
 * Rust: tests run on stable (toolchainVersion); a declared rust-version (MSRV) gets its own check: resolve the
 * dependencies the MSRV can build (Cargo's MSRV-aware resolver, cargo >= 1.84) and `cargo check` with that toolchain.
 */
function msrvCheck(project: Project): CommandStep[] {
  const msrv = project.language === "rust" && !project.versions.rust ? coerce(project.versions["rust-version"] ?? "") : null;
  if (!msrv) return [];
  const v = `${msrv.major}.${msrv.minor}`;
  const ws = project.modules?.length ? " --workspace" : "";
  return [{
    stage: "test",
    name: `MSRV check (Rust ${v})`,
    run: `rustup toolchain install ${v} --profile minimal && CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback cargo update && cargo +${v} check${ws} --all-targets`,
    dir: project.path,
  }];
}

const under = (path: string, dir: string) => dir === "." || path === dir || path.startsWith(`${dir}/`);

/** Default stages: lint/test/build where some project has the command, security always, docker with a Dockerfile; deploy only on request. */
export function defaultStages(analysis: Analysis): Stage[] {
  const has = (k: "lint" | "test" | "build") => analysis.projects.some((p) => p.commands[k] !== undefined);
  const stages: Stage[] = [];
  for (const k of ["lint", "test", "build"] as const) if (has(k)) stages.push(k);
  stages.push("security");
  if (analysis.services.some((s) => s.dockerfile) || analysis.projects.some((p) => p.dockerfile)) stages.push("docker");
  return stages;
}

/** Validates cloud/cluster/region together; InputError when they do not fit. */
export function deployTarget(options: Pick<PipelineOptions, "cloud" | "cluster" | "region">, warnings: string[]): DeployTarget {
  const cloud = options.cloud ?? "none";
  if (!(CLOUDS as readonly string[]).includes(cloud)) throw new InputError(`cloud "${cloud}" is not one of ${CLOUDS.join(", ")}`);
  const { cluster, region } = options;
  if (cloud === "none") {
    if (cluster !== undefined || region !== undefined) throw new InputError("cluster and region need a cloud (aws, gcp or azure); without one the deploy stage uses a stored KUBE_CONFIG");
    return { cloud };
  }
  if (cluster === undefined) throw new InputError(`cloud ${cloud} needs the cluster name (--cluster)`);
  if (!CLUSTER_NAME.test(cluster)) throw new InputError(`cluster "${cluster}" is not a valid cluster name: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 100 characters`);
  if (region !== undefined && (region.length > 50 || !CLOUD_REGION.test(region))) {
    throw new InputError(`region "${region}" is not a valid region or location, e.g. us-east-1, europe-west1, europe-west1-b`);
  }
  if (cloud === "azure") {
    if (region !== undefined) warnings.push(`region ${region} is not used for azure: AKS credentials are found by resource group (secret AKS_RESOURCE_GROUP) and cluster name`);
    return { cloud, cluster };
  }
  if (region === undefined) throw new InputError(`cloud ${cloud} needs the cluster's ${cloud === "aws" ? "region" : "location (region or zone)"} (--region)`);
  return { cloud, cluster, region };
}

/** Decides jobs, images and triggers from the analysis; pure. */
export function planPipeline(analysis: Analysis, options: PipelineOptions): PipelinePlan {
  if (analysis.projects.length === 0) {
    throw new InputError(
      "no supported project found: looked for package.json, pyproject.toml/requirements*.txt/Pipfile, go.mod/go.work, pom.xml, build.gradle(.kts), Cargo.toml, *.csproj/*.sln, Gemfile and composer.json",
    );
  }
  const platform = options.platform ?? analysis.existingCi[0] ?? "github-actions";
  const defaultBranch = options.defaultBranch ?? analysis.defaultBranch ?? "main";
  if (!SAFE_BRANCH.test(defaultBranch) || defaultBranch.includes("..")) throw new InputError(`default branch "${defaultBranch}" is not a valid branch name`);
  if (options.registry !== undefined && !SAFE_REGISTRY.test(options.registry)) {
    throw new InputError(`registry "${options.registry}" is not valid: use host[:port][/namespace], lowercase, e.g. registry.example.com/team`);
  }
  const stages = options.stages && options.stages.length > 0 ? STAGES.filter((s) => options.stages!.includes(s)) : defaultStages(analysis);
  const warnings: string[] = [];
  const target = deployTarget(options, warnings);
  if (target.cloud !== "none" && !OIDC_PLATFORMS.includes(platform) && stages.includes("deploy")) {
    warnings.push(`cloud ${target.cloud}: OIDC cluster access is only generated for GitHub Actions and GitLab CI so far; the ${platform} deploy jobs still read a stored kubeconfig (scope it to a deploy-only identity and rotate it)`);
  }
  const ciFile = CI_FILES[platform];
  const taken = new Set<string>(["changes", "security", "secret-scan", "filesystem-scan", "deploy-staging", "deploy-production", "approve-production", "setup", "default", "workflow", "stages", "variables", "include", "image", "services", "cache", "before_script", "after_script", "pages"]);

  const projects = analysis.projects.filter((p) => {
    const ok = SAFE_PATH.test(p.path) || p.path === ".";
    if (!ok) warnings.push(`project at ${JSON.stringify(p.path)} skipped: its path has characters CI files cannot carry safely`);
    return ok;
  });
  // A JS workspace is one unit: one job installs at its root, runs the root's own scripts and the members through the
  // workspace's graph (affected-only off the default branch), instead of one job per member.
  const workspaceJobs: ProjectJob[] = [];
  for (const ws of analysis.workspaces ?? []) {
    if (!(SAFE_PATH.test(ws.root) || ws.root === ".")) continue;
    const members = projects.filter((p) => p.workspaceRoot === ws.root && ws.members.some((m) => m.path === p.path));
    if (members.length === 0) continue;
    const rootProject = projects.find((p) => p.path === ws.root && p.language === "node");
    const job = workspaceJob(ws, members, rootProject, stages, defaultBranch, ciFile, taken, warnings);
    workspaceJobs.push(job);
    const grouped = new Set([...members, ...(rootProject ? [rootProject] : [])]);
    for (let i = projects.length - 1; i >= 0; i--) if (grouped.has(projects[i]!)) projects.splice(i, 1);
  }
  const monorepo = projects.length + workspaceJobs.length > 1 || workspaceJobs.length > 0;
  // One dependency audit per install directory: workspace members share the root lockfile, so auditing it once is enough.
  const audited = new Set<string>();
  const jobs: ProjectJob[] = [...workspaceJobs, ...projects.map((project) => {
    const id = slug(project.name || project.path, taken);
    const yarnBerry = isYarnBerry(project);
    const installDir = project.workspaceRoot ?? project.path;
    const steps: CommandStep[] = [];
    if (project.commands.install) steps.push({ stage: "install", name: "Install dependencies", run: project.commands.install, dir: installDir });
    for (const stage of ["lint", "test", "build"] as const) {
      if (!stages.includes(stage)) continue;
      const run = project.commands[stage];
      if (run) steps.push({ stage, name: stage[0]!.toUpperCase() + stage.slice(1), run, dir: project.path });
      if (run && stage === "test") steps.push(...msrvCheck(project));
      if (!run) warnings.push(`${project.path}: ${stage} stage dropped for ${id}: the project has no ${stage} command (${project.packageManager})`);
    }
    if (stages.includes("security")) {
      const audit = auditCommand(project, yarnBerry);
      if (!audit) {
        warnings.push(`${project.path}: no ${project.packageManager} audit command; its dependencies are checked by the Trivy filesystem scan of the lockfiles instead`);
      } else if (!audited.has(installDir)) {
        audited.add(installDir);
        steps.push({ stage: "audit", name: project.workspaceRoot ? "Dependency audit (whole workspace)" : "Dependency audit", run: audit, dir: installDir });
      }
    }
    // A change in a project this one builds against (go.work members) re-tests it: the whole dependency closure.
    const closure = new Set<string>();
    const visit = (path: string) => {
      for (const d of projects.find((q) => q.path === path)?.dependsOn ?? analysis.projects.find((q) => q.path === path)?.dependsOn ?? []) {
        if (!closure.has(d) && d !== project.path) { closure.add(d); visit(d); }
      }
    };
    visit(project.path);
    const outside = [...project.lockfiles, ...project.evidence, ...[...closure].sort().map((d) => `${d}/`)].filter((f) => !under(f, project.path));
    const triggers = [project.path === "." ? "" : `${project.path}/`, ...new Set(outside), ciFile].filter((t) => t !== "");
    if (project.lockfiles.length === 0) warnings.push(`${project.path}: no lockfile, so dependency caching is off for ${id}; commit a lockfile for reproducible, cached installs`);
    let version = toolchainVersion(project);
    // go.mod's go directive is a minimum; releases before 1.21 are long unsupported and have no bookworm images.
    if (project.language === "go" && version && semverLt(`${version}.0`, "1.21.0")) {
      warnings.push(`${project.path}: go.mod says go ${version}, a release long out of support; CI builds with Go ${GO_FLOOR} (raise the go directive to test what you ship)`);
      version = GO_FLOOR;
    }
    const matrix = project.language === "node" && project.versions.nodeMatrix ? project.versions.nodeMatrix.split(",") : undefined;
    return { id, project, installDir, steps, triggers: project.path === "." ? [] : triggers, lockfiles: project.lockfiles, version, yarnBerry, ...(matrix ? { matrix } : {}) };
  })];

  // Commands carry names from the repository (package, Nx/turbo project, uv member, gemspec). They are shell-quoted,
  // but text a CI platform evaluates before any shell runs (GitHub `${{ }}`, CircleCI `<< >>`) or that breaks a line
  // cannot be quoted away: such a project is left out, loudly.
  for (let i = jobs.length - 1; i >= 0; i--) {
    const bad = jobs[i]!.steps.find((s) => PLATFORM_EVALUATED.test(s.run));
    if (!bad) continue;
    warnings.push(`${jobs[i]!.project.path}: left out of CI: its ${bad.stage} command would carry repository text that ${platform} evaluates itself (\${{ }}, << >> or a control character): ${JSON.stringify(bad.run)}; rename the package/project`);
    jobs.splice(i, 1);
  }
  if (jobs.length === 0) throw new InputError(`no project can be carried safely into ${platform} CI: ${warnings.filter((w) => w.includes("left out of CI")).join("; ")}`);

  const images: ImagePlan[] = [];
  if (stages.includes("docker")) {
    const imageIds = new Set<string>();
    const jobFor = (context: string) =>
      jobs.find((j) => j.members?.some((m) => under(context, m))) ??
      [...jobs].sort((a, b) => b.project.path.length - a.project.path.length).find((j) => under(context, j.project.path));
    for (const service of analysis.services) {
      if (!service.dockerfile) continue;
      if (!SAFE_PATH.test(service.dockerfile) || !(SAFE_PATH.test(service.context) || service.context === ".")) {
        warnings.push(`service ${service.name} skipped: its Dockerfile path has characters CI files cannot carry safely`);
        continue;
      }
      if (images.some((i) => i.dockerfile === service.dockerfile && i.context === service.context)) continue;
      const notDeployable = NOT_DEPLOYABLE.find(([re]) => re.test(service.name) || re.test(service.dockerfile!.split("/").at(-1)!));
      if (notDeployable) {
        warnings.push(`service ${service.name} (${service.dockerfile}) gets no image: it looks like ${notDeployable[1]}, not a deployable service`);
        continue;
      }
      const owner = jobFor(service.context);
      // A bare Dockerfile is named after its project (the directory name of a checkout says little); compose services keep their names.
      const fromCompose = service.source !== service.dockerfile;
      const id = slug(!fromCompose && owner && owner.project.path === service.context ? owner.id : service.name, imageIds);
      images.push({ id, name: id, context: service.context, dockerfile: service.dockerfile, projectJob: owner?.id, generated: false });
    }
    for (const job of jobs) {
      const own = job.project.dockerfile ?? images.find((i) => i.projectJob === job.id)?.dockerfile;
      if (own) {
        if (!images.some((i) => i.dockerfile === own)) {
          const id = slug(job.id, imageIds);
          images.push({ id, name: id, context: job.project.path, dockerfile: own, projectJob: job.id, generated: false });
        }
        continue;
      }
      if (job.project.workspaceRoot) {
        if (job.project.servesHttp) warnings.push(`${job.project.path}: no Dockerfile; not generating one for a workspace member (its build needs the workspace root as context) — add one and re-run`);
        continue;
      }
      // Libraries are not images: only projects that serve HTTP or build a program get a generated Dockerfile.
      const program = imageProgram(job.project);
      if (program && !program.chosen) {
        warnings.push(`${job.project.path}: no image: it builds no program (${job.project.language === "rust" ? "no bin target" : "no main package"}), so it is a library`);
        continue;
      }
      if (!job.project.servesHttp && !["go", "rust", "java", "kotlin", "dotnet"].includes(job.project.language) && monorepo) continue;
      // A compose service that builds this project names the image, as it will once its Dockerfile exists.
      const composed = analysis.services.find((s) => !s.dockerfile && s.context === job.project.path);
      const id = slug(composed ? composed.name : job.id, imageIds);
      const dockerfile = job.project.path === "." ? "Dockerfile" : `${job.project.path}/Dockerfile`;
      images.push({ id, name: id, context: job.project.buildContext ?? job.project.path, dockerfile, projectJob: job.id, generated: true });
    }
    if (images.length === 0) warnings.push("docker stage dropped: no project is a deployable service");
  }
  let deployApps: string[] = [];
  if (stages.includes("deploy")) {
    // With no image built, a deploy job can only re-apply overlays the repository already has.
    deployApps = images.length > 0 ? images.map((i) => i.id) : jobs.map((j) => j.id).filter((id) => options.committedOverlays?.includes(id));
    if (deployApps.length === 0) {
      stages.splice(stages.indexOf("deploy"), 1);
      warnings.push("deploy stage dropped: no image is built and no deploy/<app>/overlays/ is committed, so a deploy job would have nothing to ship; add a Dockerfile (docker stage) and generate the overlays with deployment-manager");
    }
  }
  if (target.cloud !== "none" && !stages.includes("deploy")) {
    warnings.push(`cloud ${target.cloud} (cluster ${target.cluster}) only changes the deploy stage, which is not generated; add deploy to the stages`);
  }
  return { platform, stages, defaultBranch, registry: options.registry, jobs, images, deployApps, monorepo, target, ciFile, warnings };
}

/** Package-manager command that runs a binary installed in the workspace. */
const EXEC: Record<string, string> = { npm: "npx", pnpm: "pnpm exec", yarn: "yarn", bun: "bunx" };

/** Members in dependency order (dependencies first), ties by path. */
export function topoOrder(ws: Workspace): Workspace["members"] {
  const byPath = new Map(ws.members.map((m) => [m.path, m]));
  const done = new Set<string>();
  const out: Workspace["members"] = [];
  const visit = (m: Workspace["members"][number], stack: Set<string>) => {
    if (done.has(m.path) || stack.has(m.path)) return;
    stack.add(m.path);
    for (const d of m.dependsOn) { const dm = byPath.get(d); if (dm) visit(dm, stack); }
    stack.delete(m.path);
    done.add(m.path);
    out.push(m);
  };
  for (const m of [...ws.members].sort((a, b) => a.path.localeCompare(b.path))) visit(m, new Set());
  return out;
}

/** The member itself and every member it depends on, directly or not: a change in any of them re-tests it. */
export function dependencyClosure(ws: Workspace, path: string): string[] {
  const byPath = new Map(ws.members.map((m) => [m.path, m]));
  const seen = new Set<string>();
  const walk = (p: string) => {
    if (seen.has(p)) return;
    seen.add(p);
    for (const d of byPath.get(p)?.dependsOn ?? []) walk(d);
  };
  walk(path);
  return [...seen].sort();
}

/**
 * One shell line: the whole workspace on the default branch itself (HEAD already on it), only what the change
 * affects elsewhere. A missing default branch ref makes the affected command fail loudly rather than run nothing.
 */
function allOrAffected(base: string, all: string, affected: string, when?: string): string {
  const onDefault = `if git merge-base --is-ancestor HEAD ${shellWord(base)}; then ${all}`;
  return when ? `${onDefault}; elif ${when}; then ${affected}; fi` : `${onDefault}; else ${affected}; fi`;
}

function workspaceJob(
  ws: Workspace, members: Project[], rootProject: Project | undefined, stages: Stage[], defaultBranch: string, ciFile: string,
  taken: Set<string>, warnings: string[],
): ProjectJob {
  const first = members[0]!;
  const pm = ws.packageManager;
  const base = `origin/${defaultBranch}`;
  const exec = EXEC[pm] ?? "npx";
  const id = slug(ws.name === "workspace" ? "workspace" : ws.name, taken, "workspace");
  const project: Project = {
    ...first,
    path: ws.root,
    name: ws.name,
    commands: { ...(first.commands.install ? { install: first.commands.install } : {}), ...ws.commands },
    frameworks: [...new Set(members.flatMap((m) => m.frameworks))],
    evidence: [...new Set([...(rootProject?.evidence ?? []), ...members.flatMap((m) => m.evidence)])],
    servesHttp: false,
    workspaceRoot: undefined,
    dockerfile: rootProject?.dockerfile,
    modules: members.map((m) => m.path),
  };
  delete project.port;
  delete project.start;
  // The newest Node any member needs wins (they share one install); a member pinning an older line is told.
  const nodes = members.map((m) => m.versions.node).filter((v): v is string => !!v);
  const newest = nodes.sort((a, b) => (coerce(b)?.compare(coerce(a) ?? "0.0.0") ?? 0))[0];
  project.versions = { ...first.versions, ...(newest ? { node: newest } : {}) };
  delete project.versions.nodeMatrix;
  const steps: CommandStep[] = [];
  const dir = ws.root;
  if (project.commands.install) steps.push({ stage: "install", name: "Install dependencies (workspace root)", run: project.commands.install, dir });
  const refspec = shellWord(`+refs/heads/${defaultBranch}:refs/remotes/${base}`);
  steps.push({
    stage: "install",
    name: "Fetch the default branch (affected-only runs compare with it)",
    // A shallow clone (GitLab's default depth) cannot find the merge base: deepen it; a full clone only needs the ref.
    run: `if [ "$(git rev-parse --is-shallow-repository)" = true ]; then git fetch --no-tags --unshallow origin ${refspec}; ` +
      `elif ! git rev-parse --verify --quiet ${shellWord(`refs/remotes/${base}`)} >/dev/null; then git fetch --no-tags origin ${refspec}; fi`,
    dir: ".",
  });
  const ordered = topoOrder(ws);
  const has = (p: Project, k: "lint" | "test" | "build") => p.commands[k] !== undefined;
  const pathOf = (m: Workspace["members"][number]) => members.find((p) => p.path === m.path)!;
  const memberTasks = (["lint", "build", "test"] as const).filter((k) => stages.includes(k) && members.some((p) => has(p, k)));
  for (const stage of ["lint", "build", "test"] as const) {
    if (!stages.includes(stage)) continue;
    const rootCmd = ws.commands[stage];
    if (rootCmd) steps.push({ stage, name: `${stage[0]!.toUpperCase()}${stage.slice(1)} (workspace root)`, run: rootCmd, dir });
    if (!memberTasks.includes(stage)) continue;
    const label = `${stage[0]!.toUpperCase()}${stage.slice(1)}`;
    if (ws.tool === "turbo") {
      const f = shellWord(`--filter=...[${base}]`);
      steps.push({ stage, name: `${label} (turbo, affected packages and their dependents)`, run: allOrAffected(base, `${exec} turbo run ${stage}`, `${exec} turbo run ${stage} ${f}`), dir });
    } else if (ws.tool === "nx") {
      steps.push({ stage, name: `${label} (nx affected)`, run: allOrAffected(base, `${exec} nx run-many -t ${stage}`, `${exec} nx affected -t ${stage} --base=${shellWord(base)}`), dir });
    } else if (pm === "pnpm" && stage === "build") {
      // Topological: every member after the workspace packages it depends on.
      steps.push({ stage, name: `${label} (every member, dependencies first)`, run: "pnpm -r --if-present run build", dir });
    } else if (pm === "pnpm") {
      steps.push({ stage, name: `${label} (changed members and their dependents)`, run: allOrAffected(base, `pnpm -r --if-present run ${stage}`, `pnpm -r --if-present --filter ${shellWord(`...[${base}]`)} run ${stage}`), dir });
    } else {
      // npm and yarn have no affected filter: each member runs when it or a workspace package it depends on changed.
      for (const m of ordered) {
        const p = pathOf(m);
        if (!has(p, stage)) continue;
        const run = pm === "yarn" ? `yarn workspace ${shellWord(m.name)} run ${stage}` : `npm run ${stage} --workspace=${shellWord(m.path)}`;
        if (stage === "build") { steps.push({ stage, name: `${label} ${m.path}`, run, dir }); continue; }
        const watched = [...dependencyClosure(ws, m.path), ...project.lockfiles, dir === "." ? "package.json" : `${dir}/package.json`];
        const changed = `git diff --quiet ${shellWord(`${base}...HEAD`)} -- ${watched.map(shellWord).join(" ")}`;
        steps.push({ stage, name: `${label} ${m.path} (when it or its workspace dependencies changed)`, run: allOrAffected(base, run, run, `! ${changed}`), dir });
      }
    }
  }
  for (const stage of ["lint", "test", "build"] as const) {
    if (stages.includes(stage) && !ws.commands[stage] && !memberTasks.includes(stage)) warnings.push(`${ws.root}: ${stage} stage dropped for ${id}: neither the workspace root nor a member has a ${stage} script`);
  }
  if (stages.includes("security")) {
    const audit = auditCommand(project, isYarnBerry(project));
    if (audit) steps.push({ stage: "audit", name: "Dependency audit (whole workspace)", run: audit, dir });
  }
  // Reorder: install, lint, build, test, audit (tests of a member need its workspace dependencies built).
  const rank = { install: 0, lint: 1, build: 2, test: 3, audit: 4 } as const;
  steps.sort((a, b) => rank[a.stage] - rank[b.stage]);
  return {
    id, project, installDir: dir, steps, triggers: dir === "." ? [] : [`${dir}/`, ciFile], lockfiles: project.lockfiles,
    version: toolchainVersion(project), yarnBerry: isYarnBerry(project), members: members.map((m) => m.path), history: true,
  };
}
