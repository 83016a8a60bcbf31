import type { MonorepoTool, Project } from "./types.ts";
import { shellWord } from "../templating/quote.ts";
import { type Repo, byDepth, dirname, isWithin, joinRel } from "./repo.ts";
import { type EcosystemResult, addEvidence, newProject, toolVersions, versionFile } from "./common.ts";

/** Gem names from a Gemfile.lock (the GEM specs and DEPENDENCIES sections) or, without one, from `gem "x"` lines. */
export function rubyGems(gemfile: string, lock: string | undefined): Set<string> {
  const gems = new Set<string>();
  if (lock) {
    for (const m of lock.matchAll(/^ {4}([A-Za-z0-9_.-]+) \(/gm)) gems.add(m[1]!);
    let inDeps = false;
    for (const line of lock.split(/\r?\n/)) {
      if (/^DEPENDENCIES$/.test(line)) inDeps = true;
      else if (/^\S/.test(line)) inDeps = false;
      else if (inDeps) {
        const m = /^ {2}([A-Za-z0-9_.-]+)/.exec(line);
        if (m) gems.add(m[1]!);
      }
    }
  }
  for (const m of gemfile.matchAll(/^\s*gem\s+["']([^"']+)["']/gm)) gems.add(m[1]!);
  return gems;
}

export function analyzeRuby(repo: Repo): EcosystemResult {
  const projects: Project[] = [];
  const monorepo: MonorepoTool[] = [];
  const dirs = repo.filesUnder(".", (n) => n === "Gemfile" || n === "gems.rb").map(dirname).sort(byDepth);
  for (const dir of dirs) {
    // A Gemfile nested in another Ruby project (engines, gemfiles/ for appraisal) belongs to that project.
    if (projects.some((p) => isWithin(dir, p.path))) continue;
    const gemfile = repo.has(joinRel(dir, "Gemfile")) ? joinRel(dir, "Gemfile") : joinRel(dir, "gems.rb");
    const lockfile = [joinRel(dir, "Gemfile.lock"), joinRel(dir, "gems.locked")].find((f) => repo.has(f));
    const gemText = repo.read(gemfile) ?? "";
    const lockText = lockfile ? repo.read(lockfile) : undefined;
    const gems = rubyGems(gemText, lockText);
    // `gemspec` in the Gemfile pulls in the gem itself and its (development) dependencies.
    const ownSpec = repo.namesIn(dir).find((n) => n.endsWith(".gemspec"));
    if (ownSpec && /^\s*gemspec\b/m.test(gemText)) {
      gems.add(ownSpec.replace(/\.gemspec$/, ""));
      const specText = repo.read(joinRel(dir, ownSpec)) ?? "";
      for (const m of specText.matchAll(/add_(?:development_|runtime_)?dependency\(?\s*["']([^"']+)["']/g)) gems.add(m[1]!);
    }
    const p = newProject(repo, dir, "ruby", "bundler");
    addEvidence(p, gemfile, lockfile);
    if (lockfile) p.lockfiles.push(lockfile);
    else repo.warn(`${dir === "." ? "the root" : dir}: Gemfile without Gemfile.lock; \`bundle install\` will resolve versions afresh`);

    // Ruby version: .ruby-version, .tool-versions, Gemfile `ruby "x"`, Gemfile.lock RUBY VERSION.
    const rv = repo.findUp(dir, ".ruby-version");
    let ruby = rv ? versionFile(repo, rv)?.replace(/^ruby-/, "") : undefined;
    if (ruby && rv) addEvidence(p, rv);
    if (!ruby) {
      const tv = toolVersions(repo, dir);
      ruby = tv.tools.get("ruby");
      if (ruby) addEvidence(p, tv.file);
    }
    if (!ruby) {
      const m = /^\s*ruby\s+["']([^"']+)["']/m.exec(gemText);
      const v = m?.[1]?.replace(/^[~>=<\s]+/, "");
      if (v) {
        ruby = v;
        addEvidence(p, gemfile);
      }
    }
    if (!ruby && lockText) {
      const m = /RUBY VERSION\s*\n\s*ruby (\d+\.\d+\.\d+)/.exec(lockText);
      if (m) {
        ruby = m[1];
        addEvidence(p, lockfile);
      }
    }
    if (ruby) p.versions.ruby = ruby;
    const bundled = lockText ? /BUNDLED WITH\s*\n\s*(\d+\.\d+\.\d+)/.exec(lockText)?.[1] : undefined;
    if (bundled) p.versions.bundler = bundled;

    // With a lockfile, CI must install exactly what it pins (a drifted Gemfile fails instead of re-resolving).
    p.commands.install = lockText ? "BUNDLE_FROZEN=true bundle install" : "bundle install";
    const rails = gems.has("rails") || gems.has("railties");
    if (gems.has("rubocop")) {
      p.commands.lint = "bundle exec rubocop";
      const cfg = joinRel(dir, ".rubocop.yml");
      if (repo.has(cfg)) addEvidence(p, cfg);
    } else if (gems.has("standard")) {
      p.commands.lint = "bundle exec standardrb";
    }
    const specDir = repo.dirs.has(joinRel(dir, "spec"));
    const testDir = repo.dirs.has(joinRel(dir, "test"));
    if ((gems.has("rspec") || gems.has("rspec-core") || gems.has("rspec-rails")) && (specDir || repo.has(joinRel(dir, ".rspec")))) {
      p.commands.test = "bundle exec rspec";
      if (repo.has(joinRel(dir, ".rspec"))) addEvidence(p, joinRel(dir, ".rspec"));
    } else if (rails && testDir && repo.has(joinRel(dir, "bin/rails"))) {
      p.commands.test = "bin/rails test";
      addEvidence(p, joinRel(dir, "bin/rails"));
    } else if (testDir && repo.has(joinRel(dir, "Rakefile")) && (gems.has("minitest") || gems.has("rake"))) {
      const rakefile = repo.read(joinRel(dir, "Rakefile")) ?? "";
      if (/TestTask|task\s*[:(]?\s*["']?test\b|:test\b/.test(rakefile)) {
        p.commands.test = "bundle exec rake test";
        addEvidence(p, joinRel(dir, "Rakefile"));
      }
    }
    const gemspec = repo.namesIn(dir).find((n) => n.endsWith(".gemspec"));
    if (gemspec) {
      p.name = gemspec.replace(/\.gemspec$/, "");
      p.commands.build = `gem build ${shellWord(gemspec)}`;
      addEvidence(p, joinRel(dir, gemspec));
    }
    if (rails) {
      p.frameworks.push("rails");
      p.servesHttp = true;
      p.port = 3000;
    } else if (gems.has("sinatra")) {
      p.frameworks.push("sinatra");
      p.servesHttp = true;
      p.port = 4567;
    } else if (gems.has("hanami")) {
      p.frameworks.push("hanami");
      p.servesHttp = true;
      p.port = 2300;
    }
    projects.push(p);
  }
  return { projects, monorepo };
}
