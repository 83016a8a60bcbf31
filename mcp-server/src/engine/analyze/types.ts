import { z } from "zod";

export const LANGUAGES = ["node", "python", "go", "java", "kotlin", "rust", "dotnet", "ruby", "php"] as const;
export const PACKAGE_MANAGERS = [
  "npm", "pnpm", "yarn", "bun",
  "pip", "poetry", "uv", "pdm", "pipenv",
  "go", "maven", "gradle", "cargo", "dotnet", "bundler", "composer",
] as const;
export const MONOREPO_TOOLS = [
  "npm workspaces", "pnpm workspaces", "yarn workspaces", "bun workspaces",
  "turbo", "nx", "cargo", "go work", "maven modules", "gradle multi-project", "multi-service",
] as const;

export type Language = (typeof LANGUAGES)[number];
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];
export type MonorepoTool = (typeof MONOREPO_TOOLS)[number];

/** A command the project really has: the exact shell line, run from the project's directory. */
export const commandSchema = z.string();

/** A service the project's tests need, run beside the test job (a service container). */
export const testServiceSchema = z.object({
  kind: z.enum(["postgres", "mysql", "redis", "mongodb"]),
  /** Image with a version tag: the repository's own (compose) or the default for the kind. */
  image: z.string(),
  /** The image's own settings (POSTGRES_*, MYSQL_*): throwaway CI credentials. */
  env: z.record(z.string(), z.string()),
  port: z.number().int(),
  /** Files that showed the need (compose file, database.yml, phpunit.xml, the manifest naming the client). */
  evidence: z.array(z.string()),
});
export type TestService = z.infer<typeof testServiceSchema>;

export const projectSchema = z.object({
  /** Directory relative to the analysed root, "." for the root itself, always with forward slashes. */
  path: z.string(),
  /** Human name (package name, module name or directory name). */
  name: z.string(),
  language: z.enum(LANGUAGES),
  packageManager: z.enum(PACKAGE_MANAGERS),
  /** Runtime/toolchain versions, e.g. { node: "20" }, { python: "3.12" }, { go: "1.22" }, { java: "21" }. */
  versions: z.record(z.string(), z.string()),
  commands: z.object({
    install: commandSchema.optional(),
    lint: commandSchema.optional(),
    test: commandSchema.optional(),
    build: commandSchema.optional(),
  }),
  frameworks: z.array(z.string()),
  /** Lockfiles relative to the analysed root; used for cache keys. */
  lockfiles: z.array(z.string()),
  /** Files (relative to the root) that decided language, package manager, versions and commands. */
  evidence: z.array(z.string()),
  /** Dockerfile for this project relative to the root, when there is one. */
  dockerfile: z.string().optional(),
  /** Port the app listens on when known (Dockerfile EXPOSE, framework default). */
  port: z.number().int().optional(),
  /** True when the project serves HTTP (web framework detected). */
  servesHttp: z.boolean(),
  /**
   * How the project starts in a container (exec form), when the project says so: a declared console script,
   * or the ASGI/WSGI app object found in its entry module. Absent when it cannot be told.
   */
  start: z.array(z.string()).optional(),
  /**
   * Directory (relative to the root) that owns this project's lockfile and where `commands.install` must run,
   * when that is not `path` (a JS workspace member installs from the workspace root).
   */
  workspaceRoot: z.string().optional(),
  /**
   * Sub-directories built together with this project by its own tool (Maven modules, Gradle subprojects,
   * Cargo workspace members, projects of a .NET solution, uv workspace members), relative to the root.
   */
  modules: z.array(z.string()).optional(),
  /** Services the tests need (see test-services.ts). */
  testServices: z.array(testServiceSchema).optional(),
  /**
   * Environment the tests read to reach those services (DATABASE_URL, REDIS_URL, MONGODB_URI, Laravel's DB_*);
   * `{postgres}`, `{mysql}`, `{redis}` and `{mongodb}` stand for the host the platform reaches that service on.
   */
  testEnv: z.record(z.string(), z.string()).optional(),
  /**
   * Other projects of the repository (paths relative to the root) this one builds against, e.g. go.work members it
   * requires or imports: a change in them must re-test this project.
   */
  dependsOn: z.array(z.string()).optional(),
  /**
   * Programs the project builds, for its container image: Cargo bin target names, or Go main package directories
   * relative to the project ("." or "cmd/server"). Read for Rust and Go only; empty for a library.
   */
  binaries: z.array(z.string()).optional(),
  /**
   * Directory (relative to the root) a container build of this project needs as its context, when that is not
   * `path`: a go.work member that imports other members builds only with the workspace beside it.
   */
  buildContext: z.string().optional(),
  /** HTTP route the source serves for health checks (probes and the release health gate), when found. */
  healthPath: z.string().optional(),
});
export type Project = z.infer<typeof projectSchema>;

export const serviceSchema = z.object({
  name: z.string(),
  /** Build context relative to the root. */
  context: z.string(),
  dockerfile: z.string().optional(),
  image: z.string().optional(),
  ports: z.array(z.number().int()),
  source: z.string(),
});
export type Service = z.infer<typeof serviceSchema>;

/**
 * A JS workspace as CI should treat it: one install at the root, the root's own scripts, and the members with
 * their workspace dependencies (paths of other members), so jobs can run only what a change affects.
 */
export const workspaceSchema = z.object({
  /** Workspace root relative to the analysed root. */
  root: z.string(),
  name: z.string(),
  packageManager: z.enum(PACKAGE_MANAGERS),
  /** Task runner that owns the graph, when the root has one configured and installed. */
  tool: z.enum(["turbo", "nx"]).optional(),
  /** The root package's own lint/test/build commands (scripts that only fan out to the members are left out). */
  commands: z.object({ lint: commandSchema.optional(), test: commandSchema.optional(), build: commandSchema.optional() }),
  members: z.array(z.object({ path: z.string(), name: z.string(), dependsOn: z.array(z.string()) })),
});
export type Workspace = z.infer<typeof workspaceSchema>;

export const analysisSchema = z.object({
  projects: z.array(projectSchema),
  /** JS workspaces (members are also listed in projects, with workspaceRoot set). */
  workspaces: z.array(workspaceSchema).optional(),
  monorepo: z.enum(MONOREPO_TOOLS).optional(),
  services: z.array(serviceSchema),
  /** CI systems already configured in the repository. */
  existingCi: z.array(z.enum(["github-actions", "gitlab-ci", "jenkins", "circleci"])),
  /** Default branch as far as the repository tells (git HEAD), else "main". */
  defaultBranch: z.string(),
  /** Caveats for the reader: ambiguous signals and which way the analysis went. Also merged into the result's warnings. */
  warnings: z.array(z.string()),
  stats: z.object({
    filesVisited: z.number().int(),
    directoriesVisited: z.number().int(),
    filesRead: z.number().int(),
    elapsedMs: z.number(),
  }),
});
export type Analysis = z.infer<typeof analysisSchema>;
