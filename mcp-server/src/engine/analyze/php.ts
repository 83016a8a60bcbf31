import type { MonorepoTool, Project } from "./types.ts";
import { type Repo, byDepth, dirname, isWithin, joinRel } from "./repo.ts";
import { type EcosystemResult, addEvidence, asString, isRecord, lowestVersion, newProject, toolVersions } from "./common.ts";

interface Composer {
  name?: string;
  require?: Record<string, string>;
  "require-dev"?: Record<string, string>;
  scripts?: Record<string, unknown>;
  config?: { platform?: Record<string, string> };
}

const LINT_SCRIPTS = ["lint", "cs", "cs-check", "phpcs", "check-style", "format:check", "analyse", "analyze", "phpstan", "stan", "psalm"];

export function analyzePhp(repo: Repo): EcosystemResult {
  const projects: Project[] = [];
  const monorepo: MonorepoTool[] = [];
  const dirs = repo.filesUnder(".", (n) => n === "composer.json").map(dirname).sort(byDepth);
  for (const dir of dirs) {
    if (projects.some((p) => isWithin(dir, p.path))) continue;
    const file = joinRel(dir, "composer.json");
    const c = repo.json<Composer>(file);
    if (!c || !isRecord(c)) continue;
    const p = newProject(repo, dir, "php", "composer", asString(c.name));
    addEvidence(p, file);
    const lock = joinRel(dir, "composer.lock");
    if (repo.has(lock)) {
      p.lockfiles.push(lock);
      addEvidence(p, lock);
    } else {
      repo.warn(`${dir === "." ? "the root" : dir}: composer.json without composer.lock; \`composer install\` will resolve versions afresh`);
    }
    const require = isRecord(c.require) ? c.require : {};
    const requireDev = isRecord(c["require-dev"]) ? c["require-dev"] : {};
    const platformPhp = isRecord(c.config) && isRecord(c.config.platform) ? asString(c.config.platform.php) : undefined;
    const tv = toolVersions(repo, dir);
    const requirePhp = asString(require.php);
    const php = (platformPhp ? lowestVersion(platformPhp, true) : undefined) ?? (requirePhp ? lowestVersion(requirePhp, true) : undefined);
    if (php) p.versions.php = php;
    else if (tv.tools.get("php")) {
      p.versions.php = tv.tools.get("php")!;
      addEvidence(p, tv.file);
    }

    p.commands.install = "composer install --no-interaction --prefer-dist --no-progress";
    const scripts = isRecord(c.scripts) ? c.scripts : {};
    const all = { ...require, ...requireDev };
    const has = (pkg: string) => pkg in all;
    if ("test" in scripts) p.commands.test = "composer run-script test";
    else {
      const phpunitCfg = ["phpunit.xml", "phpunit.xml.dist", "phpunit.dist.xml"].map((n) => joinRel(dir, n)).find((f) => repo.has(f));
      if (phpunitCfg && has("phpunit/phpunit")) {
        p.commands.test = "vendor/bin/phpunit";
        addEvidence(p, phpunitCfg);
      } else if (has("pestphp/pest")) {
        p.commands.test = "vendor/bin/pest";
      }
    }
    const lintScript = LINT_SCRIPTS.find((s) => s in scripts);
    if (lintScript) p.commands.lint = `composer run-script ${lintScript}`;
    else {
      const parts: string[] = [];
      const stanCfg = ["phpstan.neon", "phpstan.neon.dist", "phpstan.dist.neon"].map((n) => joinRel(dir, n)).find((f) => repo.has(f));
      if (stanCfg && (has("phpstan/phpstan") || has("larastan/larastan") || has("nunomaduro/larastan"))) {
        parts.push("vendor/bin/phpstan analyse --no-progress");
        addEvidence(p, stanCfg);
      }
      const fixerCfg = [".php-cs-fixer.php", ".php-cs-fixer.dist.php", ".php_cs", ".php_cs.dist"].map((n) => joinRel(dir, n)).find((f) => repo.has(f));
      if (fixerCfg && has("friendsofphp/php-cs-fixer")) {
        parts.push("vendor/bin/php-cs-fixer fix --dry-run --diff");
        addEvidence(p, fixerCfg);
      }
      if (has("laravel/pint")) parts.push("vendor/bin/pint --test");
      const phpcsCfg = ["phpcs.xml", "phpcs.xml.dist", ".phpcs.xml", ".phpcs.xml.dist"].map((n) => joinRel(dir, n)).find((f) => repo.has(f));
      if (phpcsCfg && has("squizlabs/php_codesniffer")) {
        parts.push("vendor/bin/phpcs");
        addEvidence(p, phpcsCfg);
      }
      if (parts.length) p.commands.lint = parts.join(" && ");
    }
    if ("build" in scripts) p.commands.build = "composer run-script build";

    if (has("laravel/framework")) {
      p.frameworks.push("laravel");
      p.servesHttp = true;
      // A fresh checkout has no .env; Laravel's tests need one with an application key.
      const envExample = joinRel(dir, ".env.example");
      if (p.commands.test && repo.has(envExample) && repo.has(joinRel(dir, "artisan"))) {
        p.commands.test = `cp -n .env.example .env && php artisan key:generate --force && ${p.commands.test}`;
        addEvidence(p, envExample);
      }
    } else if (has("symfony/framework-bundle")) {
      p.frameworks.push("symfony");
      p.servesHttp = true;
    } else if (has("slim/slim")) {
      p.frameworks.push("slim");
      p.servesHttp = true;
    }
    projects.push(p);
  }
  return { projects, monorepo };
}
