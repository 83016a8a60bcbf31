import type { MonorepoTool, Project } from "./types.ts";
import { type Repo, byDepth, basenameOf, dirname, isWithin, joinRel, normalize } from "./repo.ts";
import { type EcosystemResult, addEvidence, asString, isRecord, newProject, toolVersions } from "./common.ts";

const PROJ = /\.(cs|fs|vb)proj$/;
const TEST_PACKAGES = /^(Microsoft\.NET\.Test\.Sdk|xunit|xunit\.v3|xunit\.runner\.visualstudio|NUnit|NUnit3TestAdapter|MSTest\.TestFramework|MSTest\.Sdk|MSTest|TUnit)$/i;

interface ProjInfo {
  file: string;
  sdk?: string;
  frameworks: string[];
  packages: string[];
  isTest: boolean;
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

function readProj(repo: Repo, file: string): ProjInfo {
  const doc = repo.xml(file);
  const project = doc && isRecord(doc.Project) ? doc.Project : {};
  const sdk = asString(project["@Sdk"]);
  const frameworks: string[] = [];
  const packages: string[] = [];
  let isTestProp = false;
  for (const pg of asArray(project.PropertyGroup)) {
    if (!isRecord(pg)) continue;
    const tf = asString(pg.TargetFramework);
    const tfs = asString(pg.TargetFrameworks);
    if (tf) frameworks.push(tf);
    if (tfs) frameworks.push(...tfs.split(";").map((s) => s.trim()).filter(Boolean));
    if (asString(pg.IsTestProject)?.toLowerCase() === "true") isTestProp = true;
  }
  for (const ig of asArray(project.ItemGroup)) {
    if (!isRecord(ig)) continue;
    for (const pr of asArray(ig.PackageReference)) {
      if (isRecord(pr)) {
        const inc = asString(pr["@Include"]) ?? asString(pr["@Update"]);
        if (inc) packages.push(inc);
      }
    }
  }
  const isTest = isTestProp || packages.some((p) => TEST_PACKAGES.test(p)) || /MSTest\.Sdk/i.test(sdk ?? "");
  return { file, sdk, frameworks, packages, isTest };
}

/** "net8.0" → "8.0", "net9.0-windows" → "9.0", "netcoreapp3.1" → "3.1"; .NET Framework/netstandard give nothing. */
export function dotnetVersionOf(tfm: string): string | undefined {
  const m = /^net(?:coreapp)?(\d+\.\d+)/.exec(tfm.trim());
  if (!m) return undefined;
  return Number(m[1]!.split(".")[0]) >= 5 || tfm.startsWith("netcoreapp") ? m[1] : undefined;
}

/** Project paths listed in a .sln (text) or .slnx (XML) file, relative to the repo root. */
function solutionProjects(repo: Repo, sln: string): string[] {
  const base = dirname(sln);
  const text = repo.read(sln) ?? "";
  const out: string[] = [];
  if (sln.endsWith(".slnx")) {
    for (const m of text.matchAll(/<Project\s+[^>]*Path\s*=\s*"([^"]+)"/g)) out.push(joinRel(base, normalize(m[1]!)));
  } else {
    for (const m of text.matchAll(/^Project\("[^"]*"\)\s*=\s*"[^"]*",\s*"([^"]+)"/gm)) {
      if (PROJ.test(m[1]!)) out.push(joinRel(base, normalize(m[1]!)));
    }
  }
  return out;
}

export function analyzeDotnet(repo: Repo): EcosystemResult {
  const projects: Project[] = [];
  const monorepo: MonorepoTool[] = [];
  const slns = repo.filesUnder(".", (n) => n.endsWith(".sln") || n.endsWith(".slnx"));
  const projs = repo.filesUnder(".", (n) => PROJ.test(n));
  const claimed = new Set<string>();

  const byDir = new Map<string, string[]>();
  for (const s of slns) byDir.set(dirname(s), [...(byDir.get(dirname(s)) ?? []), s]);
  const solutionDirs = [...byDir.keys()].sort(byDepth);

  const build = (dir: string, projFiles: string[], entry: string | undefined, name: string) => {
    const infos = projFiles.map((f) => readProj(repo, f));
    const p = newProject(repo, dir, "dotnet", "dotnet", name);
    addEvidence(p, entry, ...projFiles);
    const rel = entry ? ` ${basenameOf(entry)}` : "";
    // Version: global.json sdk.version wins (it is what `dotnet` itself honours), else the highest target framework.
    const gj = repo.findUp(dir, "global.json");
    const sdkVersion = gj ? (() => {
      const j = repo.json<Record<string, unknown>>(gj);
      return j && isRecord(j.sdk) ? asString(j.sdk.version) : undefined;
    })() : undefined;
    if (sdkVersion && gj) {
      p.versions.dotnet = sdkVersion;
      addEvidence(p, gj);
    } else {
      const tfms = infos.flatMap((i) => i.frameworks).map(dotnetVersionOf).filter((v): v is string => !!v);
      const props = repo.findUp(dir, "Directory.Build.props");
      if (!tfms.length && props) {
        const t = repo.read(props) ?? "";
        for (const m of t.matchAll(/<TargetFrameworks?>([^<]+)<\/TargetFrameworks?>/g)) {
          for (const f of m[1]!.split(";")) {
            const v = dotnetVersionOf(f);
            if (v) tfms.push(v);
          }
        }
        if (tfms.length) addEvidence(p, props);
      }
      const highest = tfms.sort((a, b) => Number(b.split(".")[0]) - Number(a.split(".")[0]) || Number(b.split(".")[1]) - Number(a.split(".")[1]))[0];
      if (highest) p.versions.dotnet = highest;
      else {
        const tv = toolVersions(repo, dir);
        const v = tv.tools.get("dotnet") ?? tv.tools.get("dotnet-core");
        if (v) {
          p.versions.dotnet = v;
          addEvidence(p, tv.file);
        }
      }
    }
    const locks = projFiles.map((f) => joinRel(dirname(f), "packages.lock.json")).filter((f) => repo.has(f));
    p.lockfiles = locks;
    addEvidence(p, ...locks);
    p.commands.install = `dotnet restore${rel}${locks.length ? " --locked-mode" : ""}`;
    p.commands.lint = `dotnet format${rel} --verify-no-changes`;
    p.commands.build = `dotnet build${rel} --no-restore -c Release`;
    const tests = infos.filter((i) => i.isTest);
    if (tests.length) {
      p.commands.test = `dotnet test${rel}`;
      addEvidence(p, ...tests.map((t) => t.file));
    }
    const web = infos.filter((i) => /Microsoft\.NET\.Sdk\.(Web|BlazorWebAssembly|Razor)/i.test(i.sdk ?? "") && !i.isTest);
    if (web.length) {
      p.frameworks.push("aspnetcore");
      p.servesHttp = web.some((w) => /Sdk\.Web$/i.test(w.sdk ?? ""));
    }
    if (infos.some((i) => i.packages.some((x) => /^Microsoft\.Azure\.Functions/i.test(x)))) p.frameworks.push("azure-functions");
    if (projFiles.length > 1) p.modules = [...new Set(projFiles.map(dirname))].sort();
    projects.push(p);
  };

  for (const dir of solutionDirs) {
    if (claimed.has(dir) || [...claimed].some((c) => isWithin(dir, c))) continue;
    const files = byDir.get(dir)!.sort((a, b) => (a.endsWith(".sln") ? -1 : 1) - (b.endsWith(".sln") ? -1 : 1) || a.localeCompare(b));
    const entry = files[0]!;
    if (files.length > 1) {
      repo.warn(`${dir === "." ? "the root" : dir}: several solution files (${files.join(", ")}); commands name ${basenameOf(entry)}`);
    }
    const listed = solutionProjects(repo, entry).filter((f) => repo.has(f) || repo.exists(f));
    const under = projs.filter((f) => isWithin(f, dir));
    const members = [...new Set([...listed, ...under])].sort();
    build(dir, members, entry, basenameOf(entry).replace(/\.slnx?$/, ""));
    claimed.add(dir);
  }
  // Project files outside any solution: each is built on its own.
  for (const f of projs) {
    const d = dirname(f);
    if ([...claimed].some((c) => isWithin(d, c))) continue;
    const inDir = projs.filter((x) => dirname(x) === d);
    if (inDir.length > 1) repo.warn(`${d}: several project files (${inDir.join(", ")}); commands name ${basenameOf(inDir[0]!)}`);
    build(d, [inDir[0]!], inDir.length > 1 ? inDir[0] : undefined, basenameOf(inDir[0]!).replace(PROJ, ""));
    claimed.add(d);
  }
  return { projects, monorepo };
}
