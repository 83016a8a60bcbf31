/**
 * The HTTP route a service answers health checks on, read from its source: Kubernetes probes and the release
 * health gate need a path the app really serves, or every pod stays unready and every rollout fails.
 */
import { type Repo, isWithin, joinRel, relativeTo } from "./repo.ts";
import type { Project } from "./types.ts";

const SOURCE: Record<Project["language"], RegExp> = {
  node: /\.(m?[jt]sx?|cjs|cts|mts)$/,
  python: /\.py$/,
  go: /\.go$/,
  java: /\.(java|kt)$/,
  kotlin: /\.(kt|java)$/,
  rust: /\.rs$/,
  dotnet: /\.cs$/,
  ruby: /(\.rb|routes\.rb)$/,
  php: /\.php$/,
};
/** Route literals in order of preference: the conventional Kubernetes names first. */
const ROUTES = ["/healthz", "/health", "/livez", "/readyz", "/_health", "/api/health", "/api/healthz", "/status", "/ping"];
const LITERAL = new RegExp(`["'\`](?:GET\\s+)?(${ROUTES.map((r) => r.replace(/[/]/g, "\\/")).join("|")})\\/?["'\`]`, "g");
const SKIP = /(^|\/)(node_modules|vendor|dist|build|target|\.venv|venv|tests?|spec|__tests__|testdata|e2e|fixtures|migrations)\//;
const TEST_FILE = /(\.|_)(test|spec)\.[a-z]+$|_test\.go$|^test_.*\.py$|Tests?\.(java|kt|cs)$/;
const MAX_FILES = 400;
const MAX_BYTES = 200_000;

/** The health route of a project that serves HTTP, with the file that declares it; undefined when none is found. */
export function findHealthRoute(repo: Repo, p: Project, all: Project[]): { path: string; evidence: string } | undefined {
  if (!p.servesHttp) return undefined;
  if (p.frameworks.includes("spring-boot") && /spring-boot-starter-actuator/.test(manifests(repo, p))) {
    return { path: "/actuator/health", evidence: p.evidence[0]! };
  }
  const routesFile = joinRel(p.path, "config/routes.rb");
  const routes = p.language === "ruby" ? repo.read(routesFile) : undefined;
  if (routes && /get\s+["']\/?up["']\s*(=>|,\s*to:)\s*["']rails\/health#show["']/.test(routes)) return { path: "/up", evidence: routesFile };
  // Laravel 11+: ->withRouting(health: '/up') in bootstrap/app.php.
  const bootstrapFile = joinRel(p.path, "bootstrap/app.php");
  const bootstrap = p.language === "php" ? repo.read(bootstrapFile) : undefined;
  const laravel = bootstrap && /\bhealth:\s*['"](\/[A-Za-z0-9._/-]*)['"]/.exec(bootstrap);
  if (laravel) return { path: laravel[1]!, evidence: bootstrapFile };
  const nested = all.filter((q) => q !== p && q.path !== p.path && isWithin(q.path, p.path)).map((q) => q.path);
  const files = repo.filesUnder(p.path, (n, rel) => SOURCE[p.language].test(n) && !TEST_FILE.test(n) && !SKIP.test(relativeTo(rel, p.path)))
    .filter((f) => !nested.some((d) => isWithin(f, d)))
    .slice(0, MAX_FILES);
  let best: { path: string; evidence: string; rank: number } | undefined;
  for (const f of files) {
    const text = repo.read(f);
    if (!text || text.length > MAX_BYTES) continue;
    for (const m of text.matchAll(LITERAL)) {
      const rank = ROUTES.indexOf(m[1]!);
      if (!best || rank < best.rank) best = { path: m[1]!, evidence: f, rank };
    }
    if (best?.rank === 0) break;
  }
  return best && { path: best.path, evidence: best.evidence };
}

function manifests(repo: Repo, p: Project): string {
  return ["pom.xml", "build.gradle", "build.gradle.kts"].map((n) => repo.read(joinRel(p.path, n)) ?? "").join("\n");
}
