/**
 * What the analyzer must report for each fixture under tests/fixtures/. Reviewed by eye: every value here is
 * what a DevOps engineer reading the fixture would write down. `commands` is compared exactly — a command
 * missing here must be missing from the analysis.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MonorepoTool } from "../../mcp-server/src/engine/analyze/types.ts";

export interface ProjectExpectation {
  path: string;
  language: string;
  packageManager: string;
  versions: Record<string, string>;
  commands: { install?: string; lint?: string; test?: string; build?: string };
  frameworks?: string[];
  servesHttp?: boolean;
  port?: number;
  dockerfile?: string;
  workspaceRoot?: string;
  modules?: string[];
  lockfiles?: string[];
  /** Programs built (Rust bin targets, Go main package directories); compared exactly for Rust and Go. */
  binaries?: string[];
  buildContext?: string;
  /** Health route read from the source (projects that serve HTTP); compared exactly. */
  healthPath?: string;
  /** Services the tests need, as "kind image", and the env they read ({postgres} etc. = the service host). */
  testServices?: string[];
  testEnv?: Record<string, string>;
}

export interface FixtureExpectation {
  fixture: string;
  monorepo?: MonorepoTool;
  projects: ProjectExpectation[];
  services?: { name: string; context: string; ports: number[] }[];
  /** Each pattern must match some warning; with none given, the analysis must have no warnings. */
  warnings?: RegExp[];
  /** Content that cannot live in git (ignored or excluded paths), created in the temp copy before analysis. */
  setup?: (dir: string) => void;
}

function write(dir: string, rel: string, content: string): void {
  mkdirSync(join(dir, rel, ".."), { recursive: true });
  writeFileSync(join(dir, rel), content);
}

export const EXPECTATIONS: FixtureExpectation[] = [
  {
    fixture: "node-npm",
    projects: [{
      path: ".", healthPath: "/healthz", language: "node", packageManager: "npm", versions: { node: "20.18.0" },
      commands: { install: "npm ci", lint: "npm run lint", test: "npm test" },
      frameworks: ["express"], servesHttp: true, port: 8080, dockerfile: "Dockerfile", lockfiles: ["package-lock.json"],
    }],
    services: [{ name: "node-npm", context: ".", ports: [8080] }],
    // a real node_modules must never be read: its package.json files are not projects
    setup: (dir) => {
      write(dir, "node_modules/express/package.json", JSON.stringify({ name: "express", version: "4.21.1", scripts: { test: "mocha" } }));
      write(dir, "node_modules/.package-lock.json", "{}");
    },
  },
  {
    fixture: "node-pnpm",
    projects: [{
      // engines.node ">=20.11" is a range, not a pin: CI runs on the newest maintained line it admits.
      path: ".", language: "node", packageManager: "pnpm", versions: { node: "24", pnpm: "9.12.3" },
      commands: { install: "pnpm install --frozen-lockfile", lint: "pnpm run lint", test: "pnpm test", build: "pnpm run build" },
      frameworks: ["next", "react"], servesHttp: true, port: 3000, lockfiles: ["pnpm-lock.yaml"],
    }],
    setup: (dir) => write(dir, ".next/server/package.json", JSON.stringify({ type: "commonjs", name: "next-build-output" })),
  },
  {
    fixture: "node-yarn-berry",
    projects: [{
      path: ".", healthPath: "/healthz", language: "node", packageManager: "yarn", versions: { node: "22", yarn: "4.5.1" },
      commands: { install: "yarn install --immutable", lint: "yarn run lint", test: "yarn test" },
      frameworks: ["fastify"], servesHttp: true, lockfiles: ["yarn.lock"],
    }],
  },
  {
    fixture: "node-bun",
    projects: [{
      path: ".", healthPath: "/healthz", language: "node", packageManager: "bun", versions: {},
      // `bun test` would run Bun's own runner and skip the script; `bun run test` runs the script
      commands: { install: "bun install --frozen-lockfile", test: "bun run test", build: "bun run build" },
      frameworks: ["hono"], servesHttp: true, lockfiles: ["bun.lock"],
    }],
  },
  {
    fixture: "python-poetry",
    projects: [{
      path: ".", healthPath: "/healthz", language: "python", packageManager: "poetry", versions: { python: "3.11" },
      commands: { install: "poetry install --no-interaction", lint: "poetry run ruff check .", test: "poetry run python -m pytest", build: "poetry build" },
      frameworks: ["fastapi"], servesHttp: true, port: 8000, lockfiles: ["poetry.lock"],
    }],
    setup: (dir) => {
      write(dir, ".venv/lib/python3.11/site-packages/pip/pyproject.toml", "[project]\nname = \"pip\"\n");
      write(dir, "billing/__pycache__/main.cpython-311.pyc", "");
    },
  },
  {
    fixture: "python-uv",
    projects: [{
      path: ".", language: "python", packageManager: "uv", versions: { python: "3.12" },
      commands: { install: "uv sync --locked", lint: "uv run ruff check .", test: "uv run python -m pytest", build: "uv build" },
      frameworks: [], servesHttp: false, lockfiles: ["uv.lock"],
    }],
  },
  {
    fixture: "python-pdm",
    projects: [{
      path: ".", language: "python", packageManager: "pdm", versions: { python: "3.10" },
      commands: { install: "pdm install --frozen-lockfile", lint: "pdm run ruff check .", test: "pdm run python -m pytest", build: "pdm build" },
      frameworks: [], servesHttp: false, lockfiles: ["pdm.lock"],
    }],
  },
  {
    fixture: "python-pipenv",
    projects: [{
      path: ".", healthPath: "/healthz", language: "python", packageManager: "pipenv", versions: { python: "3.11" },
      commands: { install: "pipenv install --deploy --dev", lint: "pipenv run flake8", test: "pipenv run python -m pytest" },
      frameworks: ["flask"], servesHttp: true, port: 5000, lockfiles: ["Pipfile.lock"],
    }],
  },
  {
    fixture: "python-pip",
    projects: [{
      path: ".", language: "python", packageManager: "pip", versions: { python: "3.12.7" },
      commands: { install: "pip install -r requirements.txt -r requirements-dev.txt", lint: "ruff check .", test: "python -m pytest" },
      frameworks: [], servesHttp: false, lockfiles: ["requirements.txt", "requirements-dev.txt"],
    }],
  },
  {
    fixture: "go-service",
    projects: [{
      path: ".", healthPath: "/healthz", language: "go", packageManager: "go", versions: { go: "1.22", "go-toolchain": "1.22.5" },
      commands: { install: "go mod download", lint: "golangci-lint run", test: "go test ./...", build: "go build ./..." },
      frameworks: ["gin"], servesHttp: true, port: 8080, dockerfile: "Dockerfile", lockfiles: ["go.sum"], binaries: ["."],
    }],
    services: [{ name: "go-service", context: ".", ports: [8080] }],
    setup: (dir) => write(dir, "vendor/github.com/gin-gonic/gin/go.mod", "module github.com/gin-gonic/gin\n\ngo 1.20\n"),
  },
  {
    fixture: "java-maven",
    projects: [{
      path: ".", healthPath: "/actuator/health", language: "java", packageManager: "maven", versions: { java: "21", maven: "3.9.9" },
      commands: { test: "./mvnw -B -ntp test", build: "./mvnw -B -ntp package -DskipTests" },
      frameworks: ["spring-boot"], servesHttp: true, port: 8080,
    }],
    setup: (dir) => write(dir, "target/classes/META-INF/maven/com.acme/catalog-service/pom.xml", "<project><artifactId>copy</artifactId></project>"),
  },
  {
    fixture: "java-gradle-kotlin-dsl",
    projects: [{
      path: ".", healthPath: "/healthz", language: "kotlin", packageManager: "gradle", versions: { java: "17", gradle: "8.10.2" },
      commands: { lint: "./gradlew detekt", test: "./gradlew test", build: "./gradlew build -x test" },
      frameworks: ["ktor"], servesHttp: true, port: 8080,
    }],
    setup: (dir) => write(dir, "build/tmp/build.gradle.kts", "plugins { java }\n"),
  },
  {
    fixture: "rust-cargo",
    projects: [{
      path: ".", healthPath: "/healthz", language: "rust", packageManager: "cargo", versions: { rust: "1.82.0", "rust-version": "1.75" },
      commands: {
        install: "cargo fetch --locked",
        lint: "cargo fmt --all -- --check && cargo clippy --all-targets --locked -- -D warnings",
        test: "cargo test --locked", build: "cargo build --release --locked",
      },
      frameworks: ["axum"], servesHttp: true, lockfiles: ["Cargo.lock"], binaries: ["pricing-api"],
    }],
    setup: (dir) => write(dir, "target/package/pricing-api-0.3.1/Cargo.toml", "[package]\nname = \"pricing-api\"\nversion = \"0.3.1\"\n"),
  },
  {
    fixture: "rust-workspace",
    monorepo: "cargo",
    projects: [{
      path: ".", language: "rust", packageManager: "cargo", versions: { "rust-version": "1.78" },
      commands: {
        install: "cargo fetch --locked",
        lint: "cargo fmt --all -- --check && cargo clippy --workspace --all-targets --locked -- -D warnings",
        test: "cargo test --workspace --locked", build: "cargo build --workspace --release --locked",
      },
      frameworks: ["clap"], servesHttp: false, modules: ["crates/cli", "crates/core"], lockfiles: ["Cargo.lock"], binaries: ["logq"],
    }],
  },
  {
    // A library with two declared [[bin]] targets (a server and its client).
    fixture: "rust-multi-bin",
    projects: [{
      path: ".", language: "rust", packageManager: "cargo", versions: { "rust-version": "1.74" },
      commands: {
        install: "cargo fetch --locked",
        lint: "cargo fmt --all -- --check && cargo clippy --all-targets --locked -- -D warnings",
        test: "cargo test --locked", build: "cargo build --release --locked",
      },
      frameworks: [], servesHttp: false, lockfiles: ["Cargo.lock"], binaries: ["kvstore-server", "kvstore-cli"],
    }],
  },
  {
    // Programs under cmd/, a library at the root and a `//go:build ignore` generator that is not a program.
    fixture: "go-cmd-layout",
    projects: [{
      path: ".", language: "go", packageManager: "go", versions: { go: "1.24" },
      commands: { install: "go mod download", lint: "golangci-lint run", test: "go test ./...", build: "go build ./..." },
      frameworks: [], servesHttp: false, lockfiles: [], binaries: ["cmd/migrate", "cmd/orders-api"],
    }],
  },
  {
    fixture: "dotnet-sln",
    projects: [{
      path: ".", healthPath: "/healthz", language: "dotnet", packageManager: "dotnet", versions: { dotnet: "8.0.403" },
      commands: {
        install: "dotnet restore Shop.sln", lint: "dotnet format Shop.sln --verify-no-changes",
        test: "dotnet test Shop.sln", build: "dotnet build Shop.sln --no-restore -c Release",
      },
      frameworks: ["aspnetcore"], servesHttp: true, modules: ["src/Shop.Api", "tests/Shop.Api.Tests"],
    }],
    setup: (dir) => {
      write(dir, "src/Shop.Api/bin/Release/net8.0/Shop.Api.csproj", "<Project/>");
      write(dir, "src/Shop.Api/obj/project.assets.json", "{}");
    },
  },
  {
    fixture: "ruby-rails",
    projects: [{
      path: ".", healthPath: "/up", language: "ruby", packageManager: "bundler", versions: { ruby: "3.3.5", bundler: "2.5.22" },
      // Only config/database.yml.sample is committed: the job copies it and loads db/schema.rb into the service.
      commands: {
        install: "BUNDLE_FROZEN=true bundle install", lint: "bundle exec rubocop",
        test: "cp config/database.yml.sample config/database.yml && bin/rails db:create db:schema:load && bundle exec rspec",
      },
      frameworks: ["rails"], servesHttp: true, port: 3000, dockerfile: "Dockerfile", lockfiles: ["Gemfile.lock"],
      testServices: ["postgres postgres:17"],
      testEnv: { DATABASE_URL: "postgres://app:app@{postgres}:5432/app_test", RAILS_ENV: "test" },
    }],
    services: [{ name: "ruby-rails", context: ".", ports: [3000] }],
    setup: (dir) => write(dir, "vendor/bundle/ruby/3.3.0/gems/rack-3.1.8/Gemfile", "source 'https://rubygems.org'\n"),
  },
  {
    fixture: "php-laravel",
    projects: [{
      path: ".", language: "php", packageManager: "composer", versions: { php: "8.2" },
      commands: {
        install: "composer install --no-interaction --prefer-dist --no-progress",
        lint: "vendor/bin/pint --test", test: "cp -n .env.example .env && php artisan key:generate --force && composer run-script test",
      },
      frameworks: ["laravel"], servesHttp: true, lockfiles: ["composer.lock"],
    }],
    setup: (dir) => write(dir, "vendor/laravel/framework/composer.json", JSON.stringify({ name: "laravel/framework", scripts: { test: "phpunit" } })),
  },
  {
    fixture: "php-laravel-mysql",
    projects: [{
      path: ".", language: "php", packageManager: "composer", versions: { php: "8.2" },
      commands: {
        install: "composer install --no-interaction --prefer-dist --no-progress",
        lint: "vendor/bin/pint --test", test: "cp -n .env.example .env && php artisan key:generate --force && composer run-script test",
      },
      frameworks: ["laravel"], servesHttp: true, lockfiles: ["composer.lock"],
      // phpunit.xml sets DB_CONNECTION=mysql and the test database's name.
      testServices: ["mysql mysql:8.4"],
      testEnv: { DB_CONNECTION: "mysql", DB_HOST: "{mysql}", DB_PORT: "3306", DB_DATABASE: "helpdesk_test", DB_USERNAME: "app", DB_PASSWORD: "app" },
    }],
  },
  {
    fixture: "python-flask-postgres",
    projects: [{
      path: ".", language: "python", packageManager: "pip", versions: { python: "3.12" },
      // The schema comes from Alembic migrations, so the tests run them first.
      commands: { install: "pip install -r requirements.txt -r requirements-dev.txt", lint: "ruff check .", test: "python -m alembic upgrade head && python -m pytest" },
      frameworks: ["flask"], servesHttp: true, port: 5000, lockfiles: ["requirements.txt", "requirements-dev.txt"],
      // The compose file's postgres service, with its credentials.
      testServices: ["postgres postgres:16"],
      testEnv: { DATABASE_URL: "postgresql://notes:notes@{postgres}:5432/notes" },
    }],
    services: [{ name: "web", context: ".", ports: [8000] }],
  },
  {
    fixture: "node-redis",
    projects: [{
      path: ".", language: "node", packageManager: "npm", versions: { node: "22" },
      commands: { install: "npm ci", lint: "npm run lint", test: "npm test" },
      frameworks: [], servesHttp: false, lockfiles: ["package-lock.json"],
      testServices: ["redis redis:7"],
      testEnv: { REDIS_URL: "redis://{redis}:6379/0" },
    }],
  },
  {
    // The MongoDB driver, and .env.example naming the variable the code reads (MONGODB_URL).
    fixture: "node-mongo",
    projects: [{
      path: ".", language: "node", packageManager: "npm", versions: { node: "22" },
      commands: { install: "npm ci", lint: "npm run lint", test: "npm test" },
      frameworks: [], servesHttp: false, lockfiles: ["package-lock.json"],
      testServices: ["mongodb mongo:8.0"],
      testEnv: { MONGODB_URL: "mongodb://{mongodb}:27017/app_test" },
    }],
  },
  {
    fixture: "monorepo-pnpm-turbo",
    monorepo: "turbo",
    projects: [
      {
        path: "apps/api", healthPath: "/healthz", language: "node", packageManager: "pnpm", versions: { node: "20", pnpm: "9.12.3" },
        commands: {
          install: "pnpm install --frozen-lockfile",
          // turbo.json defines these tasks (build depends on ^build): run through turbo so dependencies build first
          lint: "pnpm exec turbo run lint --filter=@acme/api",
          test: "pnpm exec turbo run test --filter=@acme/api",
          build: "pnpm exec turbo run build --filter=@acme/api",
        },
        frameworks: ["express"], servesHttp: true, port: 4000, dockerfile: "apps/api/Dockerfile", workspaceRoot: ".", lockfiles: ["pnpm-lock.yaml"],
      },
      {
        path: "apps/web", language: "node", packageManager: "pnpm", versions: { node: "20", pnpm: "9.12.3" },
        commands: { install: "pnpm install --frozen-lockfile", lint: "pnpm exec turbo run lint --filter=@acme/web", build: "pnpm exec turbo run build --filter=@acme/web" },
        frameworks: ["next", "react"], servesHttp: true, port: 3000, workspaceRoot: ".", lockfiles: ["pnpm-lock.yaml"],
      },
      {
        path: "packages/ui", language: "node", packageManager: "pnpm", versions: { node: "20", pnpm: "9.12.3" },
        commands: { install: "pnpm install --frozen-lockfile", lint: "pnpm exec turbo run lint --filter=@acme/ui", test: "pnpm exec turbo run test --filter=@acme/ui" },
        frameworks: ["react"], servesHttp: false, workspaceRoot: ".", lockfiles: ["pnpm-lock.yaml"],
      },
    ],
    services: [{ name: "api", context: "apps/api", ports: [4000] }],
    setup: (dir) => {
      write(dir, "apps/web/.next/standalone/package.json", JSON.stringify({ name: "@acme/web", scripts: { start: "node server.js" } }));
      write(dir, "packages/ui/dist/package.json", JSON.stringify({ name: "@acme/ui-dist", scripts: { build: "x" } }));
      write(dir, ".turbo/cache/meta.json", "{}");
    },
  },
  {
    fixture: "monorepo-npm-chain",
    monorepo: "npm workspaces",
    projects: [
      {
        path: "packages/api", language: "node", packageManager: "npm", versions: { node: "24" },
        commands: { install: "npm ci", test: "npm test", build: "npm run build" },
        frameworks: [], servesHttp: false, workspaceRoot: ".", lockfiles: ["package-lock.json"],
      },
      {
        path: "packages/db", language: "node", packageManager: "npm", versions: { node: "24" },
        commands: { install: "npm ci", test: "npm test" },
        frameworks: [], servesHttp: false, workspaceRoot: ".", lockfiles: ["package-lock.json"],
      },
      {
        path: "packages/web", language: "node", packageManager: "npm", versions: { node: "24" },
        commands: { install: "npm ci", test: "npm test" },
        frameworks: [], servesHttp: false, workspaceRoot: ".", lockfiles: ["package-lock.json"],
      },
    ],
    services: [],
  },
  {
    fixture: "monorepo-go-work",
    monorepo: "go work",
    projects: [
      {
        path: "api", healthPath: "/healthz", language: "go", packageManager: "go", versions: { go: "1.23.2" },
        commands: { install: "go mod download", lint: "go vet ./...", test: "go test ./...", build: "go build ./..." },
        frameworks: ["chi"], servesHttp: true, lockfiles: ["api/go.sum"], binaries: ["."],
      },
      {
        path: "shared", language: "go", packageManager: "go", versions: { go: "1.23.2" },
        commands: { install: "go mod download", lint: "go vet ./...", test: "go test ./...", build: "go build ./..." },
        frameworks: [], servesHttp: false, binaries: [],
      },
      {
        // no _test.go file: no test command; it imports shared through go.work, so it builds from the workspace root
        path: "worker", language: "go", packageManager: "go", versions: { go: "1.23.2" },
        commands: { install: "go mod download", lint: "go vet ./...", build: "go build ./..." },
        frameworks: [], servesHttp: false, binaries: ["."], buildContext: ".",
      },
    ],
  },
  {
    fixture: "monorepo-multi-service",
    monorepo: "multi-service",
    projects: [
      {
        path: "ingest", language: "python", packageManager: "pip", versions: {},
        commands: { install: "pip install -r requirements.txt", test: "python -m pytest" },
        frameworks: ["fastapi"], servesHttp: true, port: 8000, dockerfile: "ingest/Dockerfile",
      },
      {
        path: "pricing", language: "go", packageManager: "go", versions: { go: "1.23" },
        commands: { install: "go mod download", lint: "go vet ./...", test: "go test ./...", build: "go build ./..." },
        frameworks: [], servesHttp: false, port: 8080, dockerfile: "pricing/Dockerfile", binaries: ["."],
      },
      {
        path: "web", language: "node", packageManager: "npm", versions: {},
        commands: { install: "npm ci", test: "npm test" },
        frameworks: ["express"], servesHttp: true, port: 3000, dockerfile: "web/Dockerfile", lockfiles: ["web/package-lock.json"],
      },
    ],
    services: [
      { name: "ingest", context: "ingest", ports: [8000] },
      { name: "pricing", context: "pricing", ports: [8080] },
      { name: "web", context: "web", ports: [3000] },
    ],
  },
  {
    fixture: "empty-repo",
    projects: [],
    services: [],
    warnings: [/no supported project found/],
  },
  {
    fixture: "awkward-two-lockfiles",
    projects: [{
      path: ".", language: "node", packageManager: "yarn", versions: {},
      commands: { install: "yarn install --frozen-lockfile", lint: "yarn run lint", test: "yarn test" },
      frameworks: [], servesHttp: false, lockfiles: ["yarn.lock"],
    }],
    warnings: [/several lockfiles \(yarn\.lock, package-lock\.json\); using yarn/],
  },
  {
    fixture: "awkward-examples",
    projects: [{
      path: ".", language: "node", packageManager: "npm", versions: {},
      commands: { install: "npm ci", lint: "npm run lint", test: "npm test", build: "npm run build" },
      frameworks: [], servesHttp: false,
    }],
  },
  {
    fixture: "awkward-gitignored",
    projects: [{
      path: ".", language: "node", packageManager: "npm", versions: {},
      commands: { install: "npm ci", test: "npm test", build: "npm run build" },
      frameworks: [], servesHttp: false,
    }],
    // generated/ is ignored by the fixture's .gitignore, so git cannot hold it: made here
    setup: (dir) => {
      write(dir, "generated/client/package.json", JSON.stringify({ name: "generated-client", scripts: { build: "tsc", test: "jest" } }));
      write(dir, "generated/client/package-lock.json", JSON.stringify({ lockfileVersion: 3, packages: {} }));
      write(dir, "generated/client/Dockerfile", "FROM node:20\nEXPOSE 9999\n");
    },
  },
  {
    fixture: "node-workspaces-examples",
    monorepo: "npm workspaces",
    projects: [
      {
        path: "examples/demo", language: "node", packageManager: "npm", versions: {},
        commands: { install: "npm ci", build: "npm run build" }, workspaceRoot: ".", lockfiles: ["package-lock.json"],
      },
      {
        path: "packages/chart-kit", language: "node", packageManager: "npm", versions: {},
        commands: { install: "npm ci", test: "npm test" }, workspaceRoot: ".", lockfiles: ["package-lock.json"],
      },
    ],
  },
];
