import type { MonorepoTool, Project } from "./types.ts";
import { type Repo, byDepth, dirname, isWithin, joinRel, normalize } from "./repo.ts";
import { type EcosystemResult, addEvidence, asString, isRecord, newProject, toolVersions } from "./common.ts";

/** "1.8" → "8", "17" → "17", "JavaVersion.VERSION_21" → "21", "VERSION_1_8" → "8". */
export function normalizeJava(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const s = v.trim().replace(/^JavaVersion\./, "").replace(/^VERSION_/, "").replace(/_/g, ".").replace(/^["']|["']$/g, "");
  const m = /^(?:1\.)?(\d+)/.exec(s);
  return m ? m[1] : undefined;
}

function resolveProps(value: string | undefined, props: Record<string, string>, depth = 0): string | undefined {
  if (value === undefined) return undefined;
  const out = value.replace(/\$\{([^}]+)\}/g, (_, k: string) => props[k] ?? "");
  return out.includes("${") && depth < 5 ? resolveProps(out, props, depth + 1) : out || undefined;
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

interface Pom {
  artifactId?: string;
  parentArtifact?: string;
  parentGroup?: string;
  modules: string[];
  props: Record<string, string>;
  compilerRelease?: string;
  text: string;
}

function readPom(repo: Repo, file: string): Pom | undefined {
  const doc = repo.xml(file);
  const text = repo.read(file) ?? "";
  const project = doc && isRecord(doc.project) ? doc.project : undefined;
  if (!project) return undefined;
  const props: Record<string, string> = {};
  if (isRecord(project.properties)) {
    for (const [k, v] of Object.entries(project.properties)) {
      const s = asString(v);
      if (s !== undefined) props[k] = s;
    }
  }
  const modules: string[] = [];
  const collectModules = (holder: unknown) => {
    if (!isRecord(holder) || !isRecord(holder.modules)) return;
    for (const m of asArray(holder.modules.module)) if (typeof m === "string") modules.push(normalize(m));
  };
  collectModules(project);
  if (isRecord(project.profiles)) for (const prof of asArray(project.profiles.profile)) collectModules(prof);
  let compilerRelease: string | undefined;
  const build = isRecord(project.build) ? project.build : undefined;
  const pluginLists = [build && isRecord(build.plugins) ? build.plugins.plugin : undefined, build && isRecord(build.pluginManagement) && isRecord(build.pluginManagement.plugins) ? build.pluginManagement.plugins.plugin : undefined];
  for (const list of pluginLists) {
    for (const pl of asArray(list)) {
      if (!isRecord(pl) || pl.artifactId !== "maven-compiler-plugin" || !isRecord(pl.configuration)) continue;
      compilerRelease ??= asString(pl.configuration.release) ?? asString(pl.configuration.source);
    }
  }
  const parent = isRecord(project.parent) ? project.parent : undefined;
  return {
    artifactId: asString(project.artifactId),
    parentArtifact: asString(parent?.artifactId),
    parentGroup: asString(parent?.groupId),
    modules,
    props,
    compilerRelease,
    text,
  };
}

function pomJava(pom: Pom): string | undefined {
  const p = pom.props;
  const raw = resolveProps(pom.compilerRelease, p) ?? p["maven.compiler.release"] ?? p["maven.compiler.source"] ?? p["java.version"] ?? p["maven.compiler.target"] ?? p["jdk.version"];
  return normalizeJava(resolveProps(raw, p));
}

const JVM_FRAMEWORKS: { needle: RegExp; name: string; http: boolean; port?: number }[] = [
  { needle: /spring-boot-starter-(web|webflux)\b|org\.springframework\.boot:spring-boot-starter-(web|webflux)/, name: "spring-boot-web", http: true, port: 8080 },
  { needle: /spring-boot/, name: "spring-boot", http: false },
  { needle: /io\.quarkus|quarkus-/, name: "quarkus", http: true, port: 8080 },
  { needle: /io\.micronaut/, name: "micronaut", http: true, port: 8080 },
  { needle: /io\.ktor/, name: "ktor", http: true, port: 8080 },
  { needle: /io\.dropwizard/, name: "dropwizard", http: true, port: 8080 },
  { needle: /io\.vertx/, name: "vertx", http: true },
  { needle: /com\.android\.(application|library)/, name: "android", http: false },
];

function applyFrameworks(p: Project, texts: string[]): void {
  const all = texts.join("\n");
  for (const fw of JVM_FRAMEWORKS) {
    if (!fw.needle.test(all)) continue;
    const name = fw.name === "spring-boot-web" ? "spring-boot" : fw.name;
    if (!p.frameworks.includes(name)) p.frameworks.push(name);
    if (fw.http) {
      p.servesHttp = true;
      p.port ??= fw.port;
    }
  }
  if (p.port === undefined) delete p.port;
}

/** Kotlin when a Kotlin plugin is applied or Kotlin sources exist (a .kts build script alone does not make Kotlin code). */
function isKotlin(repo: Repo, dir: string, texts: string[]): boolean {
  if (texts.some((t) => /kotlin\("(jvm|multiplatform|android)"\)|org\.jetbrains\.kotlin|kotlin-maven-plugin|kotlin-stdlib/.test(t))) return true;
  return [...repo.dirs].some((d) => isWithin(d, dir) && /(^|\/)src\/main\/kotlin$/.test(d));
}

function hasTests(repo: Repo, dir: string): string | undefined {
  return [...repo.dirs].sort().find((d) => isWithin(d, dir) && /(^|\/)src\/test$/.test(d));
}

function wrapperVersion(repo: Repo, file: string, re: RegExp): string | undefined {
  if (!repo.exists(file)) return undefined;
  const m = re.exec(repo.read(file) ?? "");
  return m?.[1];
}

/** Maven modules / Gradle includes the root declares (read before the walk). */
export function declaredJvmModules(repo: Repo): string[] {
  const out: string[] = [];
  if (repo.exists("pom.xml")) out.push(...(readPom(repo, "pom.xml")?.modules ?? []));
  for (const n of ["settings.gradle", "settings.gradle.kts"]) {
    const t = repo.read(n);
    if (t) out.push(...gradleIncludes(t));
  }
  return out;
}

/** Project directories a settings.gradle(.kts) includes (":a:b" → "a/b", with projectDir overrides). */
export function gradleIncludes(text: string): string[] {
  const out: string[] = [];
  const clean = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const re = /\binclude\s*\(?((?:\s*["'][^"']+["']\s*,?)+)\)?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(clean))) {
    for (const s of m[1]!.matchAll(/["']([^"']+)["']/g)) out.push(s[1]!.replace(/^:/, "").replace(/:/g, "/"));
  }
  const overrides = new Map<string, string>();
  for (const o of clean.matchAll(/project\(\s*["']:?([^"']+)["']\s*\)\.projectDir\s*=\s*(?:new\s+)?(?:File|file)\(\s*(?:rootDir\s*,\s*|settingsDir\s*,\s*)?["']([^"']+)["']\s*\)/g)) {
    overrides.set(o[1]!.replace(/:/g, "/"), normalize(o[2]!));
  }
  return [...new Set(out.map((d) => overrides.get(d) ?? d))];
}

function gradleJava(texts: string[]): string | undefined {
  const pats = [
    /JavaLanguageVersion\.of\(\s*["']?(\d+)["']?\s*\)/,
    /jvmToolchain\(\s*(\d+)\s*\)/,
    /(?:sourceCompatibility|targetCompatibility)\s*=?\s*(JavaVersion\.VERSION_[0-9_]+|["']?[0-9.]+["']?)/,
    /jvmTarget(?:\.set\()?\s*=?\s*(?:JvmTarget\.JVM_)?["']?([0-9.]+)/,
  ];
  for (const re of pats) {
    for (const t of texts) {
      const m = re.exec(t);
      const v = normalizeJava(m?.[1]);
      if (v) return v;
    }
  }
  return undefined;
}

export function analyzeJvm(repo: Repo): EcosystemResult {
  const projects: Project[] = [];
  const monorepo: MonorepoTool[] = [];
  const claimedRoots: string[] = [];

  // Gradle: a settings file marks a build root; a build file without a settings file above it is a root too.
  const gradleSettings = repo.filesUnder(".", (n) => n === "settings.gradle" || n === "settings.gradle.kts").map(dirname);
  const gradleBuilds = repo.filesUnder(".", (n) => n === "build.gradle" || n === "build.gradle.kts").map(dirname);
  const pomDirs = repo.filesUnder(".", (n) => n === "pom.xml").map(dirname);
  const roots: { dir: string; tool: "maven" | "gradle" }[] = [];
  for (const d of [...new Set([...gradleSettings, ...gradleBuilds])].sort(byDepth)) {
    if (roots.some((r) => isWithin(d, r.dir))) continue;
    if (!gradleSettings.includes(d) && gradleSettings.some((s) => isWithin(d, s))) continue;
    roots.push({ dir: d, tool: "gradle" });
  }
  for (const d of [...pomDirs].sort(byDepth)) {
    if (roots.some((r) => isWithin(d, r.dir))) {
      const owner = roots.find((r) => isWithin(d, r.dir))!;
      if (owner.dir === d && owner.tool === "gradle") repo.warn(`${d === "." ? "the root" : d}: both pom.xml and a Gradle build; using Gradle`);
      continue;
    }
    roots.push({ dir: d, tool: "maven" });
  }

  // Maven multi-module and Gradle multi-project builds are reported as ONE project at the build root:
  // the reactor/Gradle builds modules together (inter-module dependencies resolve only in one build), so one CI
  // job runs the root's tool; the module directories are listed in `modules`.
  for (const { dir, tool } of roots) {
    claimedRoots.push(dir);
    if (tool === "maven") {
      const pomFile = joinRel(dir, "pom.xml");
      const pom = readPom(repo, pomFile);
      if (!pom) continue;
      const childPoms = pomDirs.filter((d) => d !== dir && isWithin(d, dir));
      const texts = [pom.text, ...childPoms.map((d) => repo.read(joinRel(d, "pom.xml")) ?? "")];
      const kotlin = isKotlin(repo, dir, texts);
      const p = newProject(repo, dir, kotlin ? "kotlin" : "java", "maven", pom.artifactId);
      addEvidence(p, pomFile);
      const modules = pom.modules.map((m) => joinRel(dir, m));
      if (modules.length) {
        p.modules = modules;
        monorepo.push("maven modules");
      }
      let java = pomJava(pom);
      if (!java) {
        for (const c of childPoms) {
          const cp = readPom(repo, joinRel(c, "pom.xml"));
          const v = cp ? pomJava({ ...cp, props: { ...pom.props, ...cp.props } }) : undefined;
          if (v) {
            java = v;
            addEvidence(p, joinRel(c, "pom.xml"));
            break;
          }
        }
      }
      java ??= javaFromToolVersions(repo, dir, p);
      if (java) p.versions.java = java;
      const mvnw = joinRel(dir, "mvnw");
      const mvn = repo.has(mvnw) ? "./mvnw" : "mvn";
      if (repo.has(mvnw)) addEvidence(p, mvnw);
      const mv = wrapperVersion(repo, joinRel(dir, ".mvn/wrapper/maven-wrapper.properties"), /apache-maven\/(\d+\.\d+\.\d+)\//);
      if (mv) {
        p.versions.maven = mv;
        addEvidence(p, joinRel(dir, ".mvn/wrapper/maven-wrapper.properties"));
      }
      const all = texts.join("\n");
      const lintGoals: string[] = [];
      if (/<artifactId>\s*spotless-maven-plugin\s*<\/artifactId>/.test(all)) lintGoals.push("spotless:check");
      if (/<artifactId>\s*maven-checkstyle-plugin\s*<\/artifactId>/.test(all)) lintGoals.push("checkstyle:check");
      if (/<artifactId>\s*ktlint-maven-plugin\s*<\/artifactId>/.test(all)) lintGoals.push("ktlint:check");
      if (/<artifactId>\s*detekt-maven-plugin\s*<\/artifactId>/.test(all)) lintGoals.push("detekt:check");
      if (lintGoals.length) p.commands.lint = `${mvn} -B -ntp ${lintGoals.join(" ")}`;
      const testDir = hasTests(repo, dir);
      if (testDir) p.commands.test = `${mvn} -B -ntp test`;
      p.commands.build = `${mvn} -B -ntp package -DskipTests`;
      for (const d of childPoms) addEvidence(p, joinRel(d, "pom.xml"));
      applyFrameworks(p, [all]);
      projects.push(p);
    } else {
      const settings = ["settings.gradle.kts", "settings.gradle"].map((n) => joinRel(dir, n)).find((f) => repo.has(f));
      const buildFile = ["build.gradle.kts", "build.gradle"].map((n) => joinRel(dir, n)).find((f) => repo.has(f));
      const settingsText = settings ? repo.read(settings) ?? "" : "";
      const includes = gradleIncludes(settingsText).map((d) => joinRel(dir, d));
      const subBuilds = gradleBuilds.filter((d) => d !== dir && isWithin(d, dir));
      const conventionFiles = repo.filesUnder(joinRel(dir, "buildSrc")).concat(repo.filesUnder(joinRel(dir, "build-logic"))).filter((f) => /\.gradle(\.kts)?$/.test(f));
      const texts = [
        buildFile ? repo.read(buildFile) ?? "" : "",
        ...subBuilds.map((d) => repo.read(["build.gradle.kts", "build.gradle"].map((n) => joinRel(d, n)).find((f) => repo.has(f))!) ?? ""),
        ...conventionFiles.map((f) => repo.read(f) ?? ""),
      ];
      const catalog = joinRel(dir, "gradle/libs.versions.toml");
      if (repo.exists(catalog)) texts.push(repo.read(catalog) ?? "");
      const kotlin = isKotlin(repo, dir, texts);
      const nameMatch = /rootProject\.name\s*=\s*["']([^"']+)["']/.exec(settingsText);
      const p = newProject(repo, dir, kotlin ? "kotlin" : "java", "gradle", nameMatch?.[1]);
      addEvidence(p, settings, buildFile);
      if (includes.length) {
        p.modules = includes;
        monorepo.push("gradle multi-project");
      }
      const java = gradleJava(texts) ?? javaFromToolVersions(repo, dir, p);
      if (java) p.versions.java = java;
      const gradlew = joinRel(dir, "gradlew");
      const gradle = repo.has(gradlew) ? "./gradlew" : "gradle";
      if (repo.has(gradlew)) addEvidence(p, gradlew);
      const gv = wrapperVersion(repo, joinRel(dir, "gradle/wrapper/gradle-wrapper.properties"), /gradle-(\d+\.\d+(?:\.\d+)?)-(?:bin|all)\.zip/);
      if (gv) {
        p.versions.gradle = gv;
        addEvidence(p, joinRel(dir, "gradle/wrapper/gradle-wrapper.properties"));
      }
      const all = texts.join("\n");
      const lintTasks: string[] = [];
      if (/com\.diffplug\.spotless|\bspotless\s*\{/.test(all)) lintTasks.push("spotlessCheck");
      if (/\bid\s*\(?\s*["']checkstyle["']|apply\s+plugin:\s*["']checkstyle["']|^\s*checkstyle\s*$/m.test(all)) lintTasks.push("checkstyleMain");
      if (/org\.jlleitschuh\.gradle\.ktlint/.test(all)) lintTasks.push("ktlintCheck");
      if (/io\.gitlab\.arturbosch\.detekt|dev\.detekt/.test(all)) lintTasks.push("detekt");
      if (lintTasks.length) p.commands.lint = `${gradle} ${lintTasks.join(" ")}`;
      if (hasTests(repo, dir)) p.commands.test = `${gradle} test`;
      p.commands.build = `${gradle} build -x test`;
      applyFrameworks(p, [all]);
      for (const d of subBuilds) addEvidence(p, ["build.gradle.kts", "build.gradle"].map((n) => joinRel(d, n)).find((f) => repo.has(f)));
      projects.push(p);
    }
  }
  return { projects, monorepo };
}

function javaFromToolVersions(repo: Repo, dir: string, p: Project): string | undefined {
  const tv = toolVersions(repo, dir);
  const v = tv.tools.get("java");
  if (v) {
    const m = /(\d+)(?:\.\d+)*/.exec(v.replace(/^[a-z-]+-(?=\d)/i, ""));
    if (m) {
      addEvidence(p, tv.file);
      return normalizeJava(m[1]);
    }
  }
  const sdkman = repo.findUp(dir, ".sdkmanrc");
  if (sdkman) {
    const m = /^\s*java\s*=\s*(\d+(?:\.\d+)*)/m.exec(repo.read(sdkman) ?? "");
    const n = normalizeJava(m?.[1]);
    if (n) {
      addEvidence(p, sdkman);
      return n;
    }
  }
  const jv = repo.findUp(dir, ".java-version");
  if (jv) {
    const n = normalizeJava(repo.read(jv)?.trim());
    if (n) {
      addEvidence(p, jv);
      return n;
    }
  }
  return undefined;
}
