/**
 * Services a project's tests need (PostgreSQL, MySQL/MariaDB, Redis), decided from what the repository says:
 * compose files (image and environment), framework configuration (Rails config/database.yml or its .sample,
 * Laravel phpunit.xml / .env.example, Django settings) and client libraries the project depends on. The pipeline
 * wires each as a service container with throwaway credentials and gives the tests the connection settings the
 * framework reads (DATABASE_URL, REDIS_URL, Laravel's DB_*), with `{postgres}`, `{mysql}` and `{redis}` standing
 * for the host each platform reaches the service on.
 */
import { isRecord } from "./common.ts";
import { type Repo, basenameOf, isWithin, joinRel } from "./repo.ts";
import type { Project, TestService } from "./types.ts";

type Kind = TestService["kind"];
const IMAGES: Record<Kind, string> = { postgres: "postgres:17", mysql: "mysql:8.4", redis: "redis:7", mongodb: "mongo:8.0" };
const DB = "app_test";
const DEFAULT_ENV: Record<Kind, Record<string, string>> = {
  postgres: { POSTGRES_USER: "app", POSTGRES_PASSWORD: "app", POSTGRES_DB: DB },
  mysql: { MYSQL_ROOT_PASSWORD: "app", MYSQL_DATABASE: DB, MYSQL_USER: "app", MYSQL_PASSWORD: "app" },
  redis: {},
  mongodb: {},
};
const PORT: Record<Kind, number> = { postgres: 5432, mysql: 3306, redis: 6379, mongodb: 27017 };
const COMPOSE = ["docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml", "docker-compose.test.yml", "docker-compose.ci.yml"];

function kindOfImage(image: string): Kind | undefined {
  const name = image.split("@")[0]!.split(":")[0]!.split("/").pop()!;
  if (/^(postgres|postgis)$/.test(name)) return "postgres";
  if (/^(mysql|mariadb)$/.test(name)) return "mysql";
  if (/^(redis|valkey)$/.test(name)) return "redis";
  if (/^(mongo|mongodb)$/.test(name)) return "mongodb";
  return undefined;
}

/** Client libraries per ecosystem that talk to each kind of service. */
const CLIENTS: Record<Kind, RegExp> = {
  postgres: /(^|[\s"'/])(pg|postgres|pg-promise|psycopg|psycopg2|psycopg2-binary|psycopg-binary|asyncpg|pgx|lib\/pq)(["'\s=<>~!;[]|$)/m,
  mysql: /(^|[\s"'/])(mysql|mysql2|mysqlclient|pymysql|PyMySQL|aiomysql|go-sql-driver\/mysql|trilogy)(["'\s=<>~!;[]|$)/m,
  redis: /(^|[\s"'/])(redis|ioredis|redis-py|go-redis\/redis)(["'\s=<>~!;[]|$)/m,
  mongodb: /(^|[\s"'/])(mongoose|mongodb|pymongo|motor|mongoengine|go\.mongodb\.org\/mongo-driver(\/v2)?|mongoid)(["'\s=<>~!;[]|$)/m,
};
/** Test helpers that start their own throwaway MongoDB: the tests need no service. */
const OWN_MONGODB = /(^|[\s"'/])(mongodb-memory-server(-core)?|@shelf\/jest-mongodb|mongomock|pymongo-inmemory)(["'\s=<>~!;[]|$)/m;

/** Dependency manifests of a project whose text names its client libraries. */
function manifestText(repo: Repo, p: Project): { file: string; text: string }[] {
  const names: Record<string, string[]> = {
    node: ["package.json"],
    python: ["requirements.txt", "requirements-dev.txt", "requirements/base.txt", "requirements/test.txt", "pyproject.toml", "Pipfile", "setup.cfg"],
    ruby: ["Gemfile"],
    php: ["composer.json"],
    go: ["go.mod"],
  };
  const out: { file: string; text: string }[] = [];
  for (const n of names[p.language] ?? []) {
    const file = joinRel(p.path, n);
    const text = repo.read(file);
    if (text === undefined) continue;
    if (n === "package.json") {
      try {
        const j = JSON.parse(text) as Record<string, unknown>;
        const deps = { ...(isRecord(j.dependencies) ? j.dependencies : {}), ...(isRecord(j.devDependencies) ? j.devDependencies : {}) };
        out.push({ file, text: Object.keys(deps).map((d) => `"${d}"`).join("\n") });
      } catch {
        /* unreadable package.json: node.ts reports it */
      }
    } else out.push({ file, text });
  }
  return out;
}

export function detectTestServices(repo: Repo, p: Project, all: Project[]): void {
  const found = new Map<Kind, TestService>();
  const env: Record<string, string> = {};
  const add = (kind: Kind, evidence: string, serviceEnv?: Record<string, string>, image?: string) => {
    const prev = found.get(kind);
    if (prev) {
      if (!prev.evidence.includes(evidence)) prev.evidence.push(evidence);
      return;
    }
    // A compose service keeps its own settings (the image's defaults fill the rest), plus the one setting the image
    // cannot start without; otherwise throwaway defaults.
    let env = serviceEnv === undefined ? { ...DEFAULT_ENV[kind] } : { ...serviceEnv };
    if (serviceEnv !== undefined && kind === "postgres" && !env.POSTGRES_PASSWORD && !env.POSTGRES_HOST_AUTH_METHOD) env = { ...env, POSTGRES_PASSWORD: "app" };
    if (serviceEnv !== undefined && kind === "mysql" && !Object.keys(env).some((k) => /(ROOT_PASSWORD|ALLOW_EMPTY|RANDOM_ROOT)/.test(k))) env = { ...env, MYSQL_ROOT_PASSWORD: "app" };
    found.set(kind, { kind, image: image && /:[\w.-]+$/.test(image) && !image.includes("$") ? image : IMAGES[kind], env, port: PORT[kind], evidence: [evidence] });
  };
  const deps = manifestText(repo, p);
  const uses = (kind: Kind) => deps.find((d) => CLIENTS[kind].test(d.text));

  // Tests that start their own databases (Testcontainers, Spring Boot's Docker Compose support) would collide with
  // service containers on the same ports: they get none, and need a Docker daemon instead.
  const own = selfManaged(repo, p);
  if (own) {
    repo.warn(`${p.path}: the tests start their own containers (${own.tool}, ${own.file}), so CI gives them no service containers; GitHub runners have Docker, GitLab and CircleCI jobs need a Docker daemon (docker:dind service, setup_remote_docker or a machine executor)`);
    return;
  }

  // 1. Compose files at the project or the root: their postgres/mysql/redis services, with their environment,
  //    for projects that depend on the matching client (or the only project of the repository).
  for (const dir of new Set([p.path, "."])) {
    for (const name of COMPOSE) {
      const file = joinRel(dir, name);
      const doc = repo.has(file) ? repo.yaml(file) : undefined;
      if (!isRecord(doc) || !isRecord(doc.services)) continue;
      for (const svc of Object.values(doc.services)) {
        if (!isRecord(svc) || typeof svc.image !== "string") continue;
        const kind = kindOfImage(svc.image);
        if (!kind) continue;
        if (all.length > 1 && !uses(kind)) continue;
        const e: Record<string, string> = {};
        if (Array.isArray(svc.environment)) for (const kv of svc.environment) if (typeof kv === "string" && kv.includes("=")) e[kv.slice(0, kv.indexOf("="))] = kv.slice(kv.indexOf("=") + 1);
        if (isRecord(svc.environment)) for (const [k, v] of Object.entries(svc.environment)) if (v !== null && typeof v !== "object") e[k] = String(v);
        // Keep only the image's own settings with literal values (no ${VAR} from a .env the CI does not have).
        const own = Object.fromEntries(Object.entries(e).filter(([k, v]) => /^(POSTGRES_|MYSQL_|MARIADB_)/.test(k) && !v.includes("$")));
        add(kind, file, own, svc.image);
      }
    }
  }

  // 2. Framework configuration.
  if (p.language === "ruby") {
    const dbFiles = ["config/database.yml", "config/database.yml.sample", "config/database.yml.example", "config/database.example.yml"].map((f) => joinRel(p.path, f));
    const dbFile = dbFiles.find((f) => repo.has(f));
    const text = dbFile ? repo.read(dbFile) ?? "" : "";
    const adapter = /^\s*adapter:\s*["']?(postgresql|postgis|mysql2|trilogy)/m.exec(text)?.[1];
    if (dbFile && adapter) {
      const kind: Kind = adapter.startsWith("post") ? "postgres" : "mysql";
      add(kind, dbFile);
      env.DATABASE_URL = kind === "postgres" ? `postgres://app:app@{postgres}:5432/${DB}` : `${adapter}://app:app@{mysql}:3306/${DB}`;
      env.RAILS_ENV = "test";
      if (dbFile !== dbFiles[0] && p.commands.test) {
        // Only a sample is committed: the job copies it, as a developer does, and DATABASE_URL points it at the service.
        p.commands.test = `cp config/${basenameOf(dbFile)} config/database.yml && ${p.commands.test}`;
      }
      if (p.commands.test && repo.has(joinRel(p.path, "bin/rails"))) {
        const schema = ["db/schema.rb", "db/structure.sql"].some((f) => repo.has(joinRel(p.path, f)));
        const prepare = schema ? "bin/rails db:create db:schema:load" : "bin/rails db:create db:migrate";
        p.commands.test = p.commands.test.replace(/(^|&& )(bundle exec |bin\/)?(rspec|rails test)/, `$1${prepare} && $2$3`);
      }
    }
  }
  if (p.language === "php") {
    for (const f of ["phpunit.xml", "phpunit.xml.dist"].map((n) => joinRel(p.path, n))) {
      const text = repo.read(f);
      const conn = text && /<env\s+name="DB_CONNECTION"\s+value="(mysql|mariadb|pgsql)"/.exec(text)?.[1];
      if (!conn) continue;
      const kind: Kind = conn === "pgsql" ? "postgres" : "mysql";
      const dbName = /<env\s+name="DB_DATABASE"\s+value="([^"]+)"/.exec(text!)?.[1];
      add(kind, f, { ...DEFAULT_ENV[kind], ...(dbName ? (kind === "mysql" ? { MYSQL_DATABASE: dbName } : { POSTGRES_DB: dbName }) : {}) });
      Object.assign(env, { DB_CONNECTION: conn, DB_HOST: `{${kind}}`, DB_PORT: String(PORT[kind]), DB_DATABASE: dbName ?? DB, DB_USERNAME: "app", DB_PASSWORD: "app" });
      break;
    }
  }
  if (p.language === "python") {
    const settings = repo.filesUnder(p.path, (n) => n === "settings.py" || n === "base.py").find((f) => /DATABASES\s*=/.test(repo.read(f) ?? ""));
    const text = settings ? repo.read(settings) ?? "" : "";
    if (settings && /django\.db\.backends\.postgresql|dj_database_url|DATABASE_URL/.test(text) && uses("postgres")) add("postgres", settings);
    if (settings && /django\.db\.backends\.mysql/.test(text)) add("mysql", settings);
  }

  // 3. Client libraries alone (no compose file or framework config said more).
  for (const kind of ["postgres", "mysql", "redis", "mongodb"] as const) {
    if (found.has(kind)) continue;
    const d = uses(kind);
    if (d && (kind === "redis" || p.language !== "ruby")) add(kind, d.file);
  }
  if (found.has("mongodb") && deps.some((d) => OWN_MONGODB.test(d.text))) found.delete("mongodb");

  if (found.size === 0) return;
  // Alembic projects build their schema with migrations: the tests meet an empty database otherwise.
  const alembic = joinRel(p.path, "alembic.ini");
  if (p.language === "python" && p.commands.test && (found.has("postgres") || found.has("mysql")) && repo.has(alembic) && deps.some((d) => /(^|[\s"'])alembic\b/im.test(d.text))) {
    const runner = /^(uv run|poetry run|pdm run|pipenv run)\s/.exec(p.commands.test)?.[1];
    p.commands.test = `${runner ? `${runner} alembic` : "python -m alembic"} upgrade head && ${p.commands.test}`;
    for (const s of found.values()) if (!s.evidence.includes(alembic)) s.evidence.push(alembic);
  }
  const pg = found.get("postgres");
  const my = found.get("mysql");
  if (pg && !env.DATABASE_URL && !env.DB_CONNECTION) env.DATABASE_URL = `postgresql://${pg.env.POSTGRES_USER ?? "postgres"}:${pg.env.POSTGRES_PASSWORD ?? ""}@{postgres}:5432/${pg.env.POSTGRES_DB ?? pg.env.POSTGRES_USER ?? "postgres"}`;
  if (my && !env.DATABASE_URL && !env.DB_CONNECTION) env.DATABASE_URL = `mysql://${my.env.MYSQL_USER ?? "root"}:${my.env.MYSQL_PASSWORD ?? my.env.MYSQL_ROOT_PASSWORD ?? ""}@{mysql}:3306/${my.env.MYSQL_DATABASE ?? DB}`;
  if (found.has("redis")) env.REDIS_URL = "redis://{redis}:6379/0";
  const examples = pg || found.has("mongodb") ? envExampleEntries(repo, p) : [];
  if (pg) {
    // Settings that read the connection in parts (pydantic's POSTGRES_SERVER/POSTGRES_USER…, as the project's env
    // example names them) get the service's values, not the developer's localhost defaults.
    const parts: Record<string, string> = {
      HOST: "{postgres}", SERVER: "{postgres}", PORT: "5432",
      USER: pg.env.POSTGRES_USER ?? "postgres", PASSWORD: pg.env.POSTGRES_PASSWORD ?? "", DB: pg.env.POSTGRES_DB ?? pg.env.POSTGRES_USER ?? "postgres",
    };
    for (const [name] of examples) {
      const part = /^POSTGRES_(HOST|SERVER|PORT|USER|PASSWORD|DB)$/.exec(name)?.[1];
      if (part && !(name in env)) env[name] = parts[part]!;
    }
  }
  if (found.has("mongodb")) {
    // The variable the project reads, when its env example names one with a mongodb:// value; else the common names.
    const named = [...new Set(examples.filter(([, value]) => /^["']?mongodb(\+srv)?:\/\//.test(value)).map(([name]) => name))];
    for (const name of named.length ? named : ["MONGODB_URI", "MONGODB_URL"]) env[name] = `mongodb://{mongodb}:27017/${DB}`;
  }
  p.testServices = [...found.values()];
  p.testEnv = env;
  for (const s of found.values()) for (const e of s.evidence) if (!p.evidence.includes(e) && isWithin(e, ".")) p.evidence.push(e);
}

const ENV_EXAMPLES = [".env.example", ".env.sample", ".env.test", ".env.dist", "example.env", ".env.template", ".env"];

/**
 * Assignments (name, value as written) in the env example files of the project, then of the repository root (a
 * committed .env with dev defaults counts): the names tell which settings the project reads.
 */
function envExampleEntries(repo: Repo, p: Project): [string, string][] {
  const dirs = p.path === "." ? ["."] : [p.path, "."];
  const texts = dirs.flatMap((d) => ENV_EXAMPLES.map((n) => repo.read(joinRel(d, n))).filter((t): t is string => t !== undefined));
  return texts.flatMap((t) => [...t.matchAll(/^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)\s*=[ \t]*(.*)$/gm)].map((m): [string, string] => [m[1]!, m[2]!]));
}

const SELF_MANAGED: { tool: string; re: RegExp }[] = [
  { tool: "Testcontainers", re: /testcontainers/i },
  { tool: "Spring Boot Docker Compose support", re: /spring-boot-docker-compose|spring-boot-testcontainers/ },
];

/** The tool with which the project's tests start their own service containers, if any. */
function selfManaged(repo: Repo, p: Project): { tool: string; file: string } | undefined {
  const names = ["pom.xml", "build.gradle", "build.gradle.kts", "package.json", "requirements-dev.txt", "requirements.txt", "pyproject.toml", "go.mod", "Gemfile", "composer.json", "gradle/libs.versions.toml"];
  for (const n of names) {
    const file = joinRel(p.path, n);
    const text = repo.has(file) ? repo.read(file) : undefined;
    if (!text) continue;
    const hit = SELF_MANAGED.find((t) => t.re.test(text));
    if (hit) return { tool: hit.tool, file };
  }
  return undefined;
}
