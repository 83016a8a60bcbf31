import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { analyzeRepository } from "../../mcp-server/src/engine/analyze/index.ts";
import { analysisSchema } from "../../mcp-server/src/engine/analyze/types.ts";
import { isRealScript } from "../../mcp-server/src/engine/analyze/node.ts";
import { lowestPython, requirementName } from "../../mcp-server/src/engine/analyze/python.ts";
import { parseGoMod, parseGoWork } from "../../mcp-server/src/engine/analyze/go.ts";
import { gradleIncludes, normalizeJava } from "../../mcp-server/src/engine/analyze/jvm.ts";
import { dotnetVersionOf } from "../../mcp-server/src/engine/analyze/dotnet.ts";
import { rubyGems } from "../../mcp-server/src/engine/analyze/ruby.ts";
import { composeContainerPort, exposedPorts } from "../../mcp-server/src/engine/analyze/services.ts";
import { lowestVersion } from "../../mcp-server/src/engine/analyze/common.ts";
import { WorkspaceMatcher, globToRegExp } from "../../mcp-server/src/engine/analyze/repo.ts";
import { walkRepository } from "../../mcp-server/src/engine/analyze/walk.ts";
import { EXPECTATIONS } from "./expectations.ts";

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, "..", "fixtures");

/** A fresh directory named like the repository it holds (the root's name is the fallback project/service name). */
function tempDir(name: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), "sd-analyze-")), name);
  mkdirSync(dir);
  return dir;
}

function put(dir: string, rel: string, content: string): void {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), content);
}

describe("fixtures", () => {
  test("every fixture directory has an expectation and vice versa", () => {
    const dirs = readdirSync(FIXTURES).sort();
    assert.deepEqual(dirs, EXPECTATIONS.map((e) => e.fixture).sort());
  });

  for (const exp of EXPECTATIONS) {
    test(exp.fixture, async () => {
      const dir = tempDir(exp.fixture);
      try {
        cpSync(join(FIXTURES, exp.fixture), dir, { recursive: true });
        exp.setup?.(dir);
        const a = await analyzeRepository(dir);
        analysisSchema.parse(a);
        assert.equal(a.monorepo, exp.monorepo, "monorepo");
        assert.deepEqual(a.projects.map((p) => `${p.path}:${p.language}`), exp.projects.map((p) => `${p.path}:${p.language}`), "projects");
        for (const want of exp.projects) {
          const got = a.projects.find((p) => p.path === want.path && p.language === want.language)!;
          const label = `${exp.fixture}/${want.path}`;
          assert.equal(got.packageManager, want.packageManager, `${label} packageManager`);
          assert.deepEqual(got.versions, want.versions, `${label} versions`);
          assert.deepEqual(got.commands, want.commands, `${label} commands`);
          if (want.frameworks) assert.deepEqual(got.frameworks, want.frameworks, `${label} frameworks`);
          if (want.servesHttp !== undefined) assert.equal(got.servesHttp, want.servesHttp, `${label} servesHttp`);
          assert.equal(got.port, want.port, `${label} port`);
          assert.deepEqual(got.testServices?.map((t) => `${t.kind} ${t.image}`) ?? [], want.testServices ?? [], `${label} testServices`);
          assert.deepEqual(got.testEnv ?? {}, want.testEnv ?? {}, `${label} testEnv`);
          assert.equal(got.dockerfile, want.dockerfile, `${label} dockerfile`);
          assert.equal(got.workspaceRoot, want.workspaceRoot, `${label} workspaceRoot`);
          if (want.modules) assert.deepEqual(got.modules, want.modules, `${label} modules`);
          if (want.lockfiles) assert.deepEqual(got.lockfiles, want.lockfiles, `${label} lockfiles`);
          if (["rust", "go"].includes(got.language)) assert.deepEqual(got.binaries, want.binaries, `${label} binaries`);
          assert.equal(got.buildContext, want.buildContext, `${label} buildContext`);
          assert.equal(got.healthPath, want.healthPath, `${label} healthPath`);
          // evidence: non-empty, every file exists, relative, forward slashes
          assert.ok(got.evidence.length > 0, `${label} has evidence`);
          for (const e of [...got.evidence, ...got.lockfiles]) {
            assert.ok(!e.startsWith("/") && !e.includes("\\") && !e.startsWith(".."), `${label} evidence ${e} is relative`);
            assert.ok(existsSync(join(dir, e)), `${label} evidence ${e} exists`);
          }
        }
        if (exp.services) {
          assert.deepEqual(a.services.map((s) => ({ name: s.name, context: s.context, ports: s.ports })), exp.services, "services");
        }
        if (exp.warnings) {
          for (const w of exp.warnings) assert.ok(a.warnings.some((x) => w.test(x)), `a warning matches ${w}: ${JSON.stringify(a.warnings)}`);
        } else {
          assert.deepEqual(a.warnings, [], "no warnings");
        }
        assert.ok(a.stats.filesRead <= a.stats.filesVisited + 10, "reads only a few files");
      } finally {
        rmSync(dirname(dir), { recursive: true, force: true });
      }
    });
  }
});

describe("repository-level facts", () => {
  test("Ruby lint: standardrb when the repo uses standard (rubocop comes with it); missing RuboCop plugins are named", async () => {
    const dir = tempDir("rubylint");
    try {
      put(dir, "Gemfile", 'source "https://rubygems.org"\ngem "standard", group: :development\n');
      put(dir, "Gemfile.lock", "GEM\n  remote: https://rubygems.org/\n  specs:\n    rubocop (1.68.0)\n    standard (1.42.1)\n      rubocop (~> 1.68.0)\n\nDEPENDENCIES\n  standard\n");
      let a = await analyzeRepository(dir);
      assert.equal(a.projects[0]!.commands.lint, "bundle exec standardrb");
      put(dir, "Gemfile", 'source "https://rubygems.org"\ngem "rubocop"\n');
      put(dir, "Gemfile.lock", "GEM\n  remote: https://rubygems.org/\n  specs:\n    rubocop (1.68.0)\n\nDEPENDENCIES\n  rubocop\n");
      put(dir, ".rubocop.yml", "require:\n  - rubocop-rspec\nplugins: [rubocop-performance]\nAllCops:\n  NewCops: enable\n");
      a = await analyzeRepository(dir);
      assert.equal(a.projects[0]!.commands.lint, "bundle exec rubocop");
      assert.ok(a.warnings.some((w) => /rubocop-rspec, rubocop-performance.*Gemfile/.test(w)), JSON.stringify(a.warnings));
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("a test script that runs Playwright installs its browsers first", async () => {
    const dir = tempDir("pw");
    try {
      put(dir, "package.json", JSON.stringify({ name: "shop", scripts: { test: "vitest run && playwright test" }, devDependencies: { "@playwright/test": "^1.48.0", vitest: "^2" } }));
      put(dir, "pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
      const a = await analyzeRepository(dir);
      assert.equal(a.projects[0]!.commands.test, "pnpm exec playwright install --with-deps && pnpm test");
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("code the generator cannot build is named in warnings (C++, Elixir, Go without go.mod)", async () => {
    const dir = tempDir("unbuildable");
    try {
      cpSync(join(FIXTURES, "python-pip"), dir, { recursive: true });
      put(dir, "native/CMakeLists.txt", "cmake_minimum_required(VERSION 3.20)\nproject(fast)\n");
      put(dir, "native/src/CMakeLists.txt", "add_library(fast fast.cpp)\n");
      put(dir, "notifier/mix.exs", "defmodule Notifier.MixProject do\nend\n");
      put(dir, "tools/gen/main.go", "package main\n\nfunc main() {}\n");
      const a = await analyzeRepository(dir);
      assert.ok(a.warnings.some((w) => /C\/C\+\+ \(CMake\) code in native is not built/.test(w)), JSON.stringify(a.warnings));
      assert.ok(a.warnings.some((w) => /Elixir \(mix.exs\) in notifier/.test(w)));
      assert.ok(a.warnings.some((w) => /Go code without a go.mod in tools\/gen/.test(w)));
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("test services: a compose postgres goes only to the project using a postgres client", async () => {
    const dir = tempDir("svc");
    try {
      put(dir, "docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: pw\n  cache:\n    image: redis:7-alpine\n");
      put(dir, "api/package.json", JSON.stringify({ name: "api", scripts: { test: "node --test" }, dependencies: { pg: "^8" } }));
      put(dir, "web/package.json", JSON.stringify({ name: "web", scripts: { test: "node --test" }, dependencies: { ioredis: "^5" } }));
      const a = await analyzeRepository(dir);
      const api = a.projects.find((p) => p.path === "api")!;
      const web = a.projects.find((p) => p.path === "web")!;
      assert.deepEqual(api.testServices?.map((s) => `${s.kind} ${s.image} ${s.env.POSTGRES_PASSWORD}`), ["postgres postgres:16 pw"]);
      assert.equal(api.testEnv?.DATABASE_URL, "postgresql://postgres:pw@{postgres}:5432/postgres");
      assert.deepEqual(web.testServices?.map((s) => `${s.kind} ${s.image}`), ["redis redis:7-alpine"]);
      assert.equal(web.testEnv?.REDIS_URL, "redis://{redis}:6379/0");
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("test services: tests that start their own containers (Testcontainers, Spring Boot compose support) get none", async () => {
    const dir = tempDir("svc-own");
    try {
      put(dir, "docker-compose.yml", "services:\n  postgres:\n    image: postgres:17\n    ports: [\"5432:5432\"]\n    environment:\n      POSTGRES_PASSWORD: petclinic\n");
      put(dir, "pom.xml", "<project><artifactId>petclinic</artifactId><dependencies><dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId></dependency><dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-docker-compose</artifactId></dependency></dependencies></project>");
      put(dir, "src/test/java/PetTests.java", "class PetTests {}\n");
      const a = await analyzeRepository(dir);
      assert.equal(a.projects[0]!.testServices, undefined);
      assert.ok(a.warnings.some((w) => w.startsWith(".: the tests start their own containers (Spring Boot Docker Compose support, pom.xml)")), a.warnings.join("\n"));
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("test services: settings read in parts (POSTGRES_SERVER, POSTGRES_USER…) as the env example names them reach the service", async () => {
    const dir = tempDir("svc-parts");
    try {
      put(dir, ".env", "DOMAIN=localhost\nPOSTGRES_SERVER=localhost\nPOSTGRES_PORT=5432\nPOSTGRES_DB=app\nPOSTGRES_USER=postgres\nPOSTGRES_PASSWORD=changethis\n");
      put(dir, "docker-compose.yml", "services:\n  db:\n    image: postgres:17\n    environment:\n      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD?Variable not set}\n      - POSTGRES_USER=${POSTGRES_USER?Variable not set}\n");
      put(dir, "backend/pyproject.toml", "[project]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"fastapi\", \"psycopg[binary]\"]\n[dependency-groups]\ndev = [\"pytest\"]\n[tool.pytest.ini_options]\n");
      put(dir, "backend/uv.lock", "version = 1\n");
      put(dir, "backend/tests/test_x.py", "def test_x():\n    assert True\n");
      const a = await analyzeRepository(dir);
      const p = a.projects.find((q) => q.path === "backend")!;
      assert.deepEqual(p.testServices?.map((t) => t.kind), ["postgres"]);
      const env = p.testEnv ?? {};
      assert.equal(env.POSTGRES_SERVER, "{postgres}");
      assert.equal(env.POSTGRES_PORT, "5432");
      assert.equal(env.POSTGRES_USER, "postgres");
      assert.equal(env.POSTGRES_DB, p.testServices![0]!.env.POSTGRES_DB ?? "postgres");
      assert.equal(env.POSTGRES_PASSWORD, p.testServices![0]!.env.POSTGRES_PASSWORD);
      assert.ok(env.DATABASE_URL?.includes("@{postgres}:5432/"), JSON.stringify(env));
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("defaultBranch from .git/HEAD, origin/HEAD wins; existingCi detected", async () => {
    const dir = tempDir("git");
    try {
      cpSync(join(FIXTURES, "go-service"), dir, { recursive: true });
      put(dir, ".git/HEAD", "ref: refs/heads/trunk\n");
      let a = await analyzeRepository(dir);
      assert.equal(a.defaultBranch, "trunk");
      put(dir, ".git/refs/remotes/origin/HEAD", "ref: refs/remotes/origin/develop\n");
      put(dir, ".github/workflows/ci.yml", "on: push\n");
      put(dir, ".gitlab-ci.yml", "test:\n  script: [go test ./...]\n");
      put(dir, "Jenkinsfile", "pipeline { agent any }\n");
      put(dir, ".circleci/config.yml", "version: 2.1\n");
      a = await analyzeRepository(dir);
      assert.equal(a.defaultBranch, "develop");
      assert.deepEqual(a.existingCi, ["github-actions", "gitlab-ci", "jenkins", "circleci"]);
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("detached HEAD and no .git fall back to main", async () => {
    const dir = tempDir("detached");
    try {
      put(dir, "go.mod", "module x\n\ngo 1.22\n");
      assert.equal((await analyzeRepository(dir)).defaultBranch, "main");
      put(dir, ".git/HEAD", "3f786850e387550fdab836ed7e6dc881de23001b\n");
      assert.equal((await analyzeRepository(dir)).defaultBranch, "main");
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("Makefile targets fill commands the ecosystem lacks, with evidence", async () => {
    const dir = tempDir("make");
    try {
      put(dir, "requirements.txt", "requests==2.32.3\n");
      put(dir, "fetch.py", "import requests\n");
      put(dir, "Makefile", "PY ?= python\n.PHONY: test lint\ntest:\n\t$(PY) -m unittest\nlint: fmt\n\t$(PY) -m pyflakes .\nfmt:\n\ttrue\n%.o: %.c\n\tcc $<\n");
      const a = await analyzeRepository(dir);
      const p = a.projects[0]!;
      assert.equal(p.commands.test, "make test");
      assert.equal(p.commands.lint, "make lint");
      assert.equal(p.commands.build, undefined);
      assert.ok(p.evidence.includes("Makefile"));
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("npm without lockfile: npm install and a warning; packageManager field beats the lockfile with a warning", async () => {
    const dir = tempDir("nolock");
    try {
      put(dir, "package.json", JSON.stringify({ name: "x", scripts: { test: "echo \"Error: no test specified\" && exit 1" } }));
      let a = await analyzeRepository(dir);
      assert.equal(a.projects[0]!.commands.install, "npm install");
      assert.equal(a.projects[0]!.commands.test, undefined, "npm's placeholder is not a test");
      assert.ok(a.warnings.some((w) => /no npm lockfile/.test(w)));
      put(dir, "package.json", JSON.stringify({ name: "x", packageManager: "pnpm@9.1.0+sha512.abc", scripts: { lint: "eslint ." } }));
      put(dir, "package-lock.json", "{}");
      a = await analyzeRepository(dir);
      assert.equal(a.projects[0]!.packageManager, "pnpm");
      assert.equal(a.projects[0]!.versions.pnpm, "9.1.0");
      assert.equal(a.projects[0]!.commands.install, "pnpm install");
      assert.ok(a.warnings.some((w) => /packageManager says pnpm but package-lock\.json is present; using pnpm/.test(w)), JSON.stringify(a.warnings));
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("yarn classic vs berry and engines.node via semver", async () => {
    const dir = tempDir("yarn");
    try {
      put(dir, "package.json", JSON.stringify({ name: "y", engines: { node: "^18.18.0 || >=20" }, scripts: { build: "tsc" } }));
      put(dir, "yarn.lock", "# yarn lockfile v1\n\n");
      let a = await analyzeRepository(dir);
      assert.equal(a.projects[0]!.commands.install, "yarn install --frozen-lockfile");
      // A range is what the package supports, not what CI should run: the newest maintained line inside it.
      assert.equal(a.projects[0]!.versions.node, "24");
      put(dir, "package.json", JSON.stringify({ name: "y", engines: { node: ">=12" }, packageManager: "pnpm@11.1.0", scripts: { build: "tsc" } }));
      put(dir, "pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
      a = await analyzeRepository(dir);
      assert.equal(a.projects[0]!.versions.node, "24", "never the floor of engines.node (node:12 has no bookworm image)");
      put(dir, ".nvmrc", "20\n");
      a = await analyzeRepository(dir);
      assert.equal(a.projects[0]!.versions.node, "24", "pnpm 11 needs Node >= 22.13: an older pin is raised, with a warning");
      assert.ok(a.warnings.some((w) => /pnpm 11\.1\.0 needs Node >=22\.13/.test(w)), a.warnings.join("\n"));
      rmSync(join(dir, ".nvmrc"));
      rmSync(join(dir, "pnpm-lock.yaml"));
      put(dir, "package.json", JSON.stringify({ name: "y", engines: { node: "^18.18.0 || >=20" }, scripts: { build: "tsc" } }));
      put(dir, ".yarnrc.yml", "nodeLinker: node-modules\nyarnPath: .yarn/releases/yarn-4.1.1.cjs\n");
      a = await analyzeRepository(dir);
      assert.equal(a.projects[0]!.commands.install, "yarn install --immutable");
      assert.equal(a.projects[0]!.versions.yarn, "4.1.1");
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("pyproject with only tool config is not a project; pytest configured but undeclared warns", async () => {
    const dir = tempDir("pytool");
    try {
      put(dir, "pyproject.toml", "[tool.black]\nline-length = 100\n");
      let a = await analyzeRepository(dir);
      assert.deepEqual(a.projects, []);
      put(dir, "pyproject.toml", "[project]\nname = \"p\"\nversion = \"1\"\nrequires-python = \">=3.9,<4\"\n\n[tool.pytest.ini_options]\naddopts = \"-q\"\n");
      a = await analyzeRepository(dir);
      const p = a.projects[0]!;
      assert.equal(p.packageManager, "pip");
      assert.equal(p.versions.python, "3.9");
      assert.equal(p.commands.install, "pip install .");
      assert.equal(p.commands.test, undefined);
      assert.ok(a.warnings.some((w) => /pytest is configured but not declared/.test(w)));
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("nested .gitignore is honoured and pruned directories are never listed", async () => {
    const dir = tempDir("gitignore");
    try {
      put(dir, "go.mod", "module x\n\ngo 1.22\n");
      put(dir, "tools/.gitignore", "/gen\n");
      put(dir, "tools/gen/go.mod", "module gen\n\ngo 1.21\n");
      put(dir, "tools/keep/go.mod", "module keep\n\ngo 1.21\n");
      const a = await analyzeRepository(dir);
      assert.deepEqual(a.projects.map((p) => p.path), [".", "tools/keep"]);
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("Ruby: with no version declared, an old Rails gets the newest Ruby it supports, and the warning says to pin it", async () => {
    const dir = tempDir("rails42");
    try {
      put(dir, "Gemfile", "source 'https://rubygems.org'\ngem 'rails', '4.2.11'\n");
      put(dir, "Gemfile.lock", "GEM\n  remote: https://rubygems.org/\n  specs:\n    rails (4.2.11)\n      railties (= 4.2.11)\n    railties (4.2.11)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  rails (= 4.2.11)\n\nBUNDLED WITH\n   1.17.3\n");
      let a = await analyzeRepository(dir);
      assert.equal(a.projects[0]!.versions.ruby, "2.4");
      assert.ok(a.warnings.some((w) => w.startsWith("Gemfile.lock: no Ruby version declared; Rails 4.2 runs on Ruby 2.4 at the newest")), a.warnings.join("\n"));
      put(dir, ".ruby-version", "2.3.8\n");
      a = await analyzeRepository(dir);
      assert.equal(a.projects[0]!.versions.ruby, "2.3.8", "a declared version is never second-guessed");
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("a Dockerfile kept in a sub-directory that copies from the repository root builds from the root", async () => {
    const dir = tempDir("dfctx");
    try {
      put(dir, "requirements/base.txt", "django==5.1.3\n");
      put(dir, "styleguide/settings.py", "DEBUG = False\n");
      put(dir, "manage.py", "print('manage')\n");
      put(dir, "docker/production.Dockerfile", "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements/ requirements/\nRUN pip install -r requirements/base.txt\nCOPY ./styleguide ./styleguide\nCOPY manage.py .\nCMD [\"gunicorn\"]\n");
      put(dir, "docker/local.Dockerfile", "FROM python:3.12\nCOPY . .\n");
      put(dir, "worker/Dockerfile", "FROM python:3.12-slim\nCOPY --from=builder /wheels /wheels\nCOPY worker.py ./\nCMD [\"python\", \"worker.py\"]\n");
      put(dir, "worker/worker.py", "print('w')\n");
      const a = await analyzeRepository(dir);
      assert.deepEqual(a.services.map((s) => [s.dockerfile, s.context]), [["docker/production.Dockerfile", "."], ["worker/Dockerfile", "worker"]]);
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("a golangci-lint v1 configuration is not handed to the v2 binary CI installs: go vet, and a warning to migrate", async () => {
    const dir = tempDir("golangci-v1");
    try {
      put(dir, "go.mod", "module example.com/svc\n\ngo 1.23\n");
      put(dir, "main.go", "package main\n\nfunc main() {}\n");
      put(dir, ".golangci.yml", "run:\n  timeout: 5m\nlinters:\n  enable:\n    - gofmt\n    - goimports\n");
      let a = await analyzeRepository(dir);
      assert.equal(a.projects[0]!.commands.lint, "go vet ./...");
      assert.ok(a.warnings.some((w) => w.startsWith(".golangci.yml: a golangci-lint v1 configuration") && w.includes("golangci-lint migrate")), a.warnings.join("\n"));
      put(dir, ".golangci.yml", "version: \"2\"\nlinters:\n  default: standard\n");
      a = await analyzeRepository(dir);
      assert.equal(a.projects[0]!.commands.lint, "golangci-lint run");
      assert.ok(!a.warnings.some((w) => w.includes("v1 configuration")), a.warnings.join("\n"));
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("Maven multi-module is one project with its modules; Gradle multi-project likewise", async () => {
    const dir = tempDir("multimodule");
    try {
      put(dir, "pom.xml", "<project><artifactId>parent</artifactId><packaging>pom</packaging><modules><module>core</module><module>web</module></modules><properties><maven.compiler.release>17</maven.compiler.release></properties><build><plugins><plugin><artifactId>maven-checkstyle-plugin</artifactId></plugin></plugins></build></project>");
      put(dir, "core/pom.xml", "<project><artifactId>core</artifactId></project>");
      put(dir, "core/src/test/java/CoreTest.java", "class CoreTest {}\n");
      put(dir, "web/pom.xml", "<project><artifactId>web</artifactId></project>");
      let a = await analyzeRepository(dir);
      assert.equal(a.monorepo, "maven modules");
      assert.equal(a.projects.length, 1);
      assert.deepEqual(a.projects[0]!.modules, ["core", "web"]);
      assert.equal(a.projects[0]!.versions.java, "17");
      assert.equal(a.projects[0]!.commands.lint, "mvn -B -ntp checkstyle:check");
      assert.equal(a.projects[0]!.commands.test, "mvn -B -ntp test");
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      put(dir, "settings.gradle", "rootProject.name = 'shop'\ninclude 'api', ':lib:util'\n");
      put(dir, "build.gradle", "plugins { id 'java' }\njava { sourceCompatibility = JavaVersion.VERSION_11 }\n");
      put(dir, "api/build.gradle", "plugins { id 'org.springframework.boot' version '3.3.5' }\ndependencies { implementation 'org.springframework.boot:spring-boot-starter-web' }\n");
      put(dir, "lib/util/build.gradle", "plugins { id 'java-library' }\n");
      a = await analyzeRepository(dir);
      assert.equal(a.monorepo, "gradle multi-project");
      assert.equal(a.projects.length, 1);
      const p = a.projects[0]!;
      assert.equal(p.language, "java");
      assert.equal(p.name, "shop");
      assert.deepEqual(p.modules, ["api", "lib/util"]);
      assert.equal(p.versions.java, "11");
      assert.equal(p.commands.build, "gradle build -x test");
      assert.equal(p.commands.test, undefined, "no src/test anywhere");
      assert.ok(p.frameworks.includes("spring-boot") && p.servesHttp);
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("a Rails app's package.json stays a separate node project; compose long-syntax ports", async () => {
    const dir = tempDir("compose");
    try {
      put(dir, "svc/package.json", JSON.stringify({ name: "svc", scripts: { start: "node ." } }));
      put(dir, "svc/package-lock.json", "{}");
      put(dir, "svc/Dockerfile.worker", "FROM node:20\nARG PORT=7070\nEXPOSE ${PORT}\n");
      put(dir, "svc/Dockerfile.dev", "FROM node:20\n");
      put(dir, "compose.yaml", "services:\n  api:\n    build: { context: svc, dockerfile: Dockerfile.worker }\n    ports:\n      - target: 7070\n        published: 80\n  cache:\n    image: redis:7.4\n");
      const a = await analyzeRepository(dir);
      assert.deepEqual(a.services, [{ name: "api", context: "svc", dockerfile: "svc/Dockerfile.worker", ports: [7070], source: "compose.yaml" }]);
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });
});

describe("ecosystem helpers", () => {
  test("isRealScript", () => {
    assert.equal(isRealScript('echo "Error: no test specified" && exit 1'), false);
    assert.equal(isRealScript("exit 0"), false);
    assert.equal(isRealScript(""), false);
    assert.equal(isRealScript(undefined), false);
    assert.equal(isRealScript("vitest run"), true);
    assert.equal(isRealScript("echo lint && eslint ."), true);
  });

  test("lowestPython", () => {
    assert.equal(lowestPython(">=3.10"), "3.10");
    assert.equal(lowestPython("^3.11"), "3.11");
    assert.equal(lowestPython("~=3.9"), "3.9");
    assert.equal(lowestPython(">=3.8,<4"), "3.8");
    assert.equal(lowestPython("==3.12.*"), "3.12");
    assert.equal(lowestPython(">3.9"), "3.10");
    assert.equal(lowestPython("^3.9 || ^3.11"), "3.9");
  });

  test("lowestVersion (npm/composer ranges)", () => {
    assert.equal(lowestVersion(">=18"), "18");
    assert.equal(lowestVersion("^20.11.0"), "20");
    assert.equal(lowestVersion("^7.4|^8.0", true), "7.4");
    assert.equal(lowestVersion(">=8.1", true), "8.1");
    assert.equal(lowestVersion("nonsense"), undefined);
  });

  test("requirementName", () => {
    assert.equal(requirementName("Django>=4.2; python_version > '3.8'"), "django");
    assert.equal(requirementName("pytest_cov[toml]==5.0"), "pytest-cov");
    assert.equal(requirementName("# comment"), undefined);
  });

  test("parseGoMod / parseGoWork", () => {
    const m = parseGoMod("module example.com/a // the module\n\ngo 1.21.4\ntoolchain go1.22.1\nrequire github.com/x/y v1.0.0\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n)\n");
    assert.deepEqual(m, { module: "example.com/a", go: "1.21.4", toolchain: "1.22.1", requires: ["github.com/x/y", "github.com/gin-gonic/gin"] });
    assert.deepEqual(parseGoWork("go 1.22\n\nuse ./a\nuse (\n\t./b // b\n\t\"./c\"\n)\n").use, ["./a", "./b", "./c"]);
  });

  test("gradleIncludes and normalizeJava", () => {
    assert.deepEqual(gradleIncludes('include("app", "lib")\ninclude(":services:api")\n// include("old")\n'), ["app", "lib", "services/api"]);
    assert.deepEqual(gradleIncludes("include 'a'\nproject(':a').projectDir = file('modules/a')\n"), ["modules/a"]);
    assert.equal(normalizeJava("1.8"), "8");
    assert.equal(normalizeJava("JavaVersion.VERSION_17"), "17");
    assert.equal(normalizeJava("VERSION_1_8"), "8");
    assert.equal(normalizeJava("21"), "21");
  });

  test("dotnetVersionOf", () => {
    assert.equal(dotnetVersionOf("net8.0"), "8.0");
    assert.equal(dotnetVersionOf("net9.0-windows"), "9.0");
    assert.equal(dotnetVersionOf("netcoreapp3.1"), "3.1");
    assert.equal(dotnetVersionOf("net48"), undefined);
    assert.equal(dotnetVersionOf("netstandard2.0"), undefined);
  });

  test("rubyGems from Gemfile.lock", () => {
    const gems = rubyGems('gem "sinatra"\n', "GEM\n  specs:\n    rack (3.0.0)\n    rspec-core (3.13.0)\n\nDEPENDENCIES\n  rubocop\n");
    assert.ok(gems.has("rack") && gems.has("rspec-core") && gems.has("rubocop") && gems.has("sinatra"));
  });

  test("exposedPorts takes the final stage and substitutes ARG/ENV", () => {
    assert.deepEqual(exposedPorts("FROM a AS build\nEXPOSE 1111\nFROM b\nENV PORT=8080\nEXPOSE $PORT 9090/tcp 53/udp\n"), [8080, 9090, 53]);
    assert.deepEqual(exposedPorts("FROM a\nEXPOSE 80 \\\n  443\n"), [80, 443]);
  });

  test("composeContainerPort", () => {
    assert.equal(composeContainerPort("8080:80"), 80);
    assert.equal(composeContainerPort("127.0.0.1:9090:8080/tcp"), 8080);
    assert.equal(composeContainerPort(3000), 3000);
    assert.equal(composeContainerPort({ target: 5432, published: 5433 }), 5432);
    assert.equal(composeContainerPort("3000-3005"), undefined);
  });

  test("globToRegExp and WorkspaceMatcher", () => {
    assert.ok(globToRegExp("packages/*").test("packages/a"));
    assert.ok(!globToRegExp("packages/*").test("packages/a/b"));
    assert.ok(globToRegExp("apps/**").test("apps/a/b"));
    assert.ok(globToRegExp("{apps,libs}/*").test("libs/x"));
    const m = new WorkspaceMatcher(["packages/*", "!packages/legacy", "examples/*"]);
    assert.ok(m.matches("packages/a") && !m.matches("packages/legacy"));
    assert.ok(m.leadsTo("examples") && m.matches("examples/demo") && !m.leadsTo("docs"));
  });

  test("walk prunes node_modules, .git, build output and skip trees without listing them", () => {
    const dir = tempDir("walk");
    try {
      put(dir, "package.json", "{}");
      for (let i = 0; i < 50; i++) {
        put(dir, `node_modules/p${i}/package.json`, "{}");
        put(dir, `.git/objects/${i}`, "x");
        put(dir, `dist/chunk${i}.js`, "x");
        put(dir, `examples/e${i}/package.json`, "{}");
      }
      const w = walkRepository(dir);
      assert.deepEqual(w.files, ["package.json"]);
      assert.equal(w.filesVisited, 1);
      const declared = walkRepository(dir, { isDeclared: (rel) => rel === "examples" || rel.startsWith("examples/") });
      assert.equal(declared.files.length, 51);
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("walk depth cap", () => {
    const dir = tempDir("depth");
    try {
      put(dir, "a/b/c/d/e/f/go.mod", "module six\n");
      put(dir, "a/b/c/d/e/f/g/go.mod", "module seven\n");
      const w = walkRepository(dir, { maxDepth: 6 });
      assert.deepEqual(w.files, ["a/b/c/d/e/f/go.mod"]);
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("a missing directory is an error", async () => {
    await assert.rejects(() => analyzeRepository(join(tmpdir(), "sd-analyze-does-not-exist-xyz")), /no such directory/);
  });
});

describe("workspaces beyond package.json scripts", () => {
  test("Nx integrated repo: project.json projects with explicit and inferred targets", async () => {
    const dir = tempDir("nx");
    try {
      put(dir, "package.json", JSON.stringify({ name: "acme", private: true, devDependencies: { nx: "20.1.0" } }));
      put(dir, "package-lock.json", "{}");
      put(dir, "nx.json", JSON.stringify({ plugins: [{ plugin: "@nx/jest/plugin", options: { targetName: "test" } }, "@nx/eslint/plugin"] }));
      put(dir, "eslint.config.mjs", "export default [];\n");
      put(dir, "apps/shop/project.json", JSON.stringify({ name: "shop", targets: { build: { executor: "@nx/webpack:webpack" } } }));
      put(dir, "apps/shop/jest.config.ts", "export default {};\n");
      put(dir, "libs/util/project.json", JSON.stringify({ name: "util", targets: {} }));
      const a = await analyzeRepository(dir);
      assert.equal(a.monorepo, "nx");
      assert.deepEqual(a.projects.map((p) => p.path), ["apps/shop", "libs/util"]);
      const shop = a.projects[0]!;
      assert.deepEqual(shop.commands, { install: "npm ci", lint: "npx nx run shop:lint", test: "npx nx run shop:test", build: "npx nx run shop:build" });
      assert.equal(shop.workspaceRoot, ".");
      assert.deepEqual(a.projects[1]!.commands, { install: "npm ci", lint: "npx nx run util:lint" });
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("uv workspace: members are projects installing from the root lockfile; a virtual root is not a project", async () => {
    const dir = tempDir("uvws");
    try {
      put(dir, "pyproject.toml", "[tool.uv.workspace]\nmembers = [\"services/*\"]\n");
      put(dir, "uv.lock", "version = 1\n");
      put(dir, ".python-version", "3.13\n");
      put(dir, "services/api/pyproject.toml", "[project]\nname = \"api\"\nversion = \"0.1.0\"\ndependencies = [\"fastapi\"]\n\n[dependency-groups]\ndev = [\"pytest\"]\n");
      put(dir, "services/api/Dockerfile", "FROM python:3.13-slim\nEXPOSE 8080\n");
      const a = await analyzeRepository(dir);
      assert.deepEqual(a.projects.map((p) => p.path), ["services/api"]);
      const p = a.projects[0]!;
      assert.equal(p.packageManager, "uv");
      assert.equal(p.workspaceRoot, ".");
      assert.deepEqual(p.lockfiles, ["uv.lock"]);
      assert.equal(p.versions.python, "3.13");
      assert.deepEqual(p.commands, { install: "uv sync --locked --package api", test: "uv run python -m pytest" });
      assert.equal(p.port, 8080);
      assert.equal(p.dockerfile, "services/api/Dockerfile");
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  test("_-prefixed directories are skipped like Go does", async () => {
    const dir = tempDir("underscore");
    try {
      put(dir, "go.mod", "module example.com/lib\n\ngo 1.22\n");
      put(dir, "_examples/rest/go.mod", "module rest\n\ngo 1.16\n");
      const a = await analyzeRepository(dir);
      assert.deepEqual(a.projects.map((p) => p.path), ["."]);
      assert.equal(a.monorepo, undefined);
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });
});

test(".tool-versions supplies versions to every ecosystem that has no closer pin", async () => {
  const dir = tempDir("asdf");
  try {
    put(dir, ".tool-versions", "nodejs 20.11.1\npython 3.12.2 # pinned\ngolang 1.22.1\nruby 3.3.0\njava temurin-21.0.2+13.0.LTS\n");
    put(dir, "web/package.json", JSON.stringify({ name: "web", scripts: { build: "vite build" } }));
    put(dir, "web/package-lock.json", "{}");
    put(dir, "api/requirements.txt", "flask==3.0.3\n");
    put(dir, "api/app.py", "from flask import Flask\napp = Flask(__name__)\n");
    put(dir, "tool/go.mod", "module tool\n");
    put(dir, "site/Gemfile", "source 'https://rubygems.org'\ngem 'sinatra'\n");
    put(dir, "svc/pom.xml", "<project><artifactId>svc</artifactId></project>");
    const a = await analyzeRepository(dir);
    const v = Object.fromEntries(a.projects.map((p) => [p.path, p.versions]));
    assert.equal(v.web?.node, "20.11.1");
    assert.equal(v.api?.python, "3.12.2");
    assert.equal(v.tool?.go, "1.22.1");
    assert.equal(v.site?.ruby, "3.3.0");
    assert.equal(v.svc?.java, "21");
    assert.equal(a.monorepo, "multi-service");
    for (const p of a.projects) assert.ok(p.evidence.includes(".tool-versions"), `${p.path} cites .tool-versions`);
  } finally {
    rmSync(dirname(dir), { recursive: true, force: true });
  }
});

test("a manifest symlinked to a file outside the repository is not read", async () => {
  const dir = tempDir("symlink");
  try {
    const outside = join(dirname(dir), "outside.json");
    writeFileSync(outside, JSON.stringify({ name: "secret", scripts: { test: "jest" } }));
    symlinkSync(outside, join(dir, "package.json"));
    const a = await analyzeRepository(dir);
    assert.deepEqual(a.projects, []);
  } finally {
    rmSync(dirname(dir), { recursive: true, force: true });
  }
});

test("a requirements.txt with no Python code beside a Go module is tooling, not a project", async () => {
  const dir = tempDir("tooling");
  try {
    put(dir, "go.mod", "module example.com/svc\n\ngo 1.22\n");
    put(dir, "main.go", "package main\n\nfunc main() {}\n");
    put(dir, "requirements.txt", "codespell==2.3.0\n");
    put(dir, "Makefile", "test:\n\tgo test ./...\n");
    const a = await analyzeRepository(dir);
    assert.deepEqual(a.projects.map((p) => p.language), ["go"]);
  } finally {
    rmSync(dirname(dir), { recursive: true, force: true });
  }
});

test("Java version from .sdkmanrc when the build files do not pin one", async () => {
  const dir = tempDir("sdkman");
  try {
    put(dir, "pom.xml", "<project><artifactId>plain</artifactId></project>");
    put(dir, ".sdkmanrc", "# Enable auto-env through the sdkman_auto_env config\njava=21.0.5-tem\n");
    const a = await analyzeRepository(dir);
    assert.equal(a.projects[0]!.versions.java, "21");
    assert.ok(a.projects[0]!.evidence.includes(".sdkmanrc"));
  } finally {
    rmSync(dirname(dir), { recursive: true, force: true });
  }
});

describe("python start command (what a generated Dockerfile runs)", () => {
  const fixture = (name: string) => join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", name);
  const startOf = async (name: string, path = ".") =>
    (await analyzeRepository(fixture(name))).projects.find((p) => p.language === "python" && p.path === path)?.start;

  test("the ASGI app object in the entry module, served by uvicorn when it is a dependency", async () => {
    assert.deepEqual(await startOf("python-poetry"), ["uvicorn", "billing.main:app", "--host", "0.0.0.0", "--port", "8000"]);
    assert.deepEqual(await startOf("monorepo-multi-service", "ingest"), ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]);
  });

  test("a Flask app served by gunicorn when it is a dependency", async () => {
    assert.deepEqual(await startOf("python-pipenv"), ["gunicorn", "--bind", "0.0.0.0:5000", "app:app"]);
  });

  test("a single declared console script", async () => {
    assert.deepEqual(await startOf("python-uv"), ["feedsync"]);
  });

  test("nothing declared, nothing guessed", async () => {
    assert.equal(await startOf("python-pip"), undefined);
  });
});

describe("python: a Django layout as real repositories have it", () => {
  test("runtime.txt gives the Python version; requirements/local.txt is a dev requirements file (pytest and ruff declared there run)", async () => {
    const dir = tempDir("django-layout");
    put(dir, "manage.py", "import django\n");
    put(dir, "app/__init__.py", "");
    put(dir, "runtime.txt", "python-3.12.4\n");
    put(dir, "requirements.txt", "-r requirements/base.txt\n");
    put(dir, "requirements/base.txt", "Django==5.1.4\n");
    put(dir, "requirements/local.txt", "-r base.txt\npytest==8.4.2\nruff==0.8.4\n");
    put(dir, "pytest.ini", "[pytest]\n");
    const p = (await analyzeRepository(dir)).projects[0]!;
    assert.equal(p.versions.python, "3.12.4");
    assert.equal(p.commands.test, "python -m pytest");
    assert.equal(p.commands.lint, "ruff check .");
    assert.match(p.commands.install ?? "", /-r requirements\/local\.txt/);
  });
});
