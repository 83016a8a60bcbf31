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

/** Gems the project asks for itself: `gem "x"` lines and the lockfile's DEPENDENCIES section. */
function directGems(gemfile: string, lock: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const m of gemfile.matchAll(/^\s*gem\s+["']([^"']+)["']/gm)) out.add(m[1]!);
  let inDeps = false;
  for (const line of (lock ?? "").split(/\r?\n/)) {
    if (/^DEPENDENCIES$/.test(line)) inDeps = true;
    else if (/^\S/.test(line)) inDeps = false;
    else if (inDeps) {
      const m = /^ {2}([A-Za-z0-9_.-]+)/.exec(line);
      if (m) out.add(m[1]!);
    }
  }
  return out;
}

/** Gems a .rubocop.yml loads through `require:` or `plugins:` (rubocop-rails, rubocop-rspec, …). */
export function rubocopPlugins(config: string): string[] {
  const out: string[] = [];
  let inList = false;
  for (const line of config.split(/\r?\n/)) {
    const head = /^(require|plugins):\s*(.*)$/.exec(line);
    if (head) {
      inList = head[2]!.trim() === "";
      const inline = head[2]!.trim().replace(/^\[|\]$/g, "");
      for (const g of inline.split(",").map((x) => x.trim().replace(/^["']|["']$/g, ""))) if (/^rubocop-[\w-]+$/.test(g)) out.push(g);
      continue;
    }
    if (inList) {
      const item = /^\s+-\s*["']?([\w-]+)["']?\s*$/.exec(line);
      if (item) {
        if (/^rubocop-/.test(item[1]!)) out.push(item[1]!);
      } else if (/^\S/.test(line)) inList = false;
    }
  }
  return [...new Set(out)];
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
    if (!ruby && lockText) {
      // No Ruby declared: an old Rails cannot run on a current Ruby, so take the newest Ruby its version supports.
      const rails = /^ {4}railties \((\d+)\.(\d+)\./m.exec(lockText);
      const newest = rails ? newestRubyForRails(Number(rails[1]), Number(rails[2])) : undefined;
      if (newest) {
        ruby = newest;
        addEvidence(p, lockfile);
        repo.warn(`${lockfile}: no Ruby version declared; Rails ${rails![1]}.${rails![2]} runs on Ruby ${newest} at the newest, so CI uses it: add a .ruby-version`);
      }
    }
    if (ruby) p.versions.ruby = ruby;
    const bundled = lockText ? /BUNDLED WITH\s*\n\s*(\d+\.\d+\.\d+)/.exec(lockText)?.[1] : undefined;
    if (bundled) p.versions.bundler = bundled;

    // With a lockfile, CI must install exactly what it pins (a drifted Gemfile fails instead of re-resolving).
    p.commands.install = lockText ? "BUNDLE_FROZEN=true bundle install" : "bundle install";
    const rails = gems.has("rails") || gems.has("railties");
    // The linter the repository itself uses. `standard` pulls rubocop in as a dependency, so its presence (in the
    // Gemfile or as .standard.yml) wins over rubocop being in the lockfile.
    const direct = directGems(gemText, lockText);
    const standardCfg = joinRel(dir, ".standard.yml");
    if (gems.has("standard") && (direct.has("standard") || repo.has(standardCfg) || !direct.has("rubocop"))) {
      p.commands.lint = "bundle exec standardrb";
      if (repo.has(standardCfg)) addEvidence(p, standardCfg);
    } else if (gems.has("rubocop")) {
      p.commands.lint = "bundle exec rubocop";
      const cfg = joinRel(dir, ".rubocop.yml");
      if (repo.has(cfg)) {
        addEvidence(p, cfg);
        // Plugins the config loads must be in the bundle, or `bundle exec rubocop` stops at "cannot load such file".
        const loaded = rubocopPlugins(repo.read(cfg) ?? "");
        const missing = loaded.filter((g) => !gems.has(g));
        if (missing.length) repo.warn(`${cfg} loads ${missing.join(", ")}, which the Gemfile does not include: \`bundle exec rubocop\` fails until ${missing.length > 1 ? "they are" : "it is"} added to the Gemfile`);
      }
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

/** The newest Ruby minor a Rails minor supports, for Rails older than 7.2 (newer ones run on current Ruby). */
function newestRubyForRails(major: number, minor: number): string | undefined {
  if (major > 7 || (major === 7 && minor >= 2)) return undefined;
  if (major === 7) return "3.3";
  if (major === 6) return minor >= 1 ? "3.0" : "2.7";
  if (major === 5) return "2.7";
  return "2.4";
}
