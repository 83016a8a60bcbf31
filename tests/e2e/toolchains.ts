// Toolchains that stand in for the container images (GitLab `image:`) and setup actions (GitHub `uses:`) of
// generated jobs when the e2e harness runs them on this machine, which has no Docker engine. Each one says what it
// substituted, so the report names every difference from the real image.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export const TOOLS = process.env.SD_TOOLS ?? join(homedir(), ".cache", "senior-devops", "tools");
const PYENV = process.env.PYENV_ROOT ?? join(homedir(), ".pyenv");
const CARGO_BIN = join(homedir(), ".cargo", "bin");

export interface Toolchain {
  /** Directories put first on PATH. */
  path: string[];
  env: Record<string, string>;
  /** What differs from the image or action (a different version, a Debian build). */
  notes: string[];
  /** Set when nothing here can stand in: the job is reported as not run, with this reason. */
  unavailable?: string;
}

const none = (why: string): Toolchain => ({ path: [], env: {}, notes: [], unavailable: why });
const onPath = (bin: string) => {
  try {
    return execFileSync("bash", ["-c", `command -v ${bin}`], { encoding: "utf8" }).trim();
  } catch {
    return "";
  }
};

/** Node `major` from the cached npm-registry runtimes (22, 24) or the machine's own (20). */
export function nodeToolchain(version: string): Toolchain {
  // setup-node aliases: lts/* is the active LTS (24); current/latest/node are stood in for by it too.
  const alias = /^(lts\/\*|lts|current|latest|node)$/.test(version) ? "24" : undefined;
  if (alias) return { ...nodeToolchain(alias), notes: [`node-version ${version} -> 24${version.startsWith("lts") ? "" : " (newest runtime here)"}`] };
  const major = Number.parseInt(version, 10);
  const sys = onPath("node") ? execFileSync("node", ["--version"], { encoding: "utf8" }).trim() : "";
  if (sys.startsWith(`v${major}.`)) {
    const notes = version.includes(".") && !sys.startsWith(`v${version}`) ? [`node ${version} -> machine's ${sys}`] : [];
    return { path: [dirname(onPath("node"))], env: {}, notes };
  }
  const dir = join(TOOLS, `node${major}`, "bin");
  if (!existsSync(join(dir, "node"))) return none(`no Node ${major} runtime (.ci/tools/node-runtimes.sh provides 22 and 24)`);
  const v = execFileSync(join(dir, "node"), ["--version"], { encoding: "utf8" }).trim();
  return { path: [dir], env: {}, notes: version.includes(".") && !v.startsWith(`v${version}`) ? [`node ${version} -> ${v}`] : [] };
}

/** CPython X.Y from the machine's pyenv builds, in a fresh virtualenv (a fresh image has no site packages). */
export function pythonToolchain(version: string, work: string): Toolchain {
  // setup-python reads "3.x" as the newest 3 release, as a runner's tool cache has it.
  const want = version.split(".").slice(0, 2).join(".").replace(/\.x$/, "");
  const numeric = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });
  const found = existsSync(join(PYENV, "versions")) ? readdirSync(join(PYENV, "versions")).filter((v) => /^\d+(\.\d+)+$/.test(v) && (v === want || v.startsWith(`${want}.`))).sort(numeric) : [];
  if (found.length === 0) return none(`no CPython ${want} on this machine`);
  const venv = join(work, `venv-${want}`);
  if (!existsSync(venv)) execFileSync(join(PYENV, "versions", found.at(-1)!, "bin", "python"), ["-m", "venv", venv]);
  return { path: [join(venv, "bin")], env: { VIRTUAL_ENV: venv, PIP_DISABLE_PIP_VERSION_CHECK: "1" }, notes: [`python ${version} -> pyenv ${found.at(-1)} in a fresh venv`] };
}

/** The machine's Go; older minors in images are substituted by it (go.mod's go line is a minimum). */
export function goToolchain(version: string, work: string): Toolchain {
  const go = onPath("go");
  if (!go) return none("no Go toolchain");
  const v = execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).trim();
  const gopath = join(work, "gopath");
  mkdirSync(join(gopath, "bin"), { recursive: true });
  mkdirSync("/go/bin", { recursive: true });
  return { path: [join(gopath, "bin"), "/go/bin", dirname(go)], env: { GOTOOLCHAIN: "local", GOPATH: gopath, GOFLAGS: "" }, notes: [`go ${version} -> ${v}`] };
}

/** Rust through the machine's rustup: the image's version when installed, else stable. */
export function rustToolchain(version: string): Toolchain {
  if (!existsSync(join(CARGO_BIN, "cargo"))) return none("no rustup");
  const installed = execFileSync(join(CARGO_BIN, "rustup"), ["toolchain", "list"], { encoding: "utf8" });
  const exact = installed.split("\n").find((l) => l.startsWith(`${version}-`) || l.startsWith(`${version}.0-`));
  const tc = exact ? exact.split(" ")[0]! : "stable";
  return { path: [CARGO_BIN], env: { RUSTUP_TOOLCHAIN: tc }, notes: exact ? [] : [`rust ${version} -> ${tc} (${installed.split("\n").find((l) => l.startsWith("stable"))?.split(" ")[0]})`] };
}

const JDKS: Record<number, string> = { 17: "/usr/lib/jvm/java-17-openjdk-amd64", 25: "/usr/lib/jvm/temurin-25-jdk-amd64" };
/** A JDK of at least `version` (17 is the machine's OpenJDK, 21 runs on Temurin 25), with the machine's Maven. */
export function javaToolchain(version: string): Toolchain {
  const want = Number.parseInt(version, 10) || 17;
  const have = Object.keys(JDKS).map(Number).filter((v) => v >= want && existsSync(JDKS[v]!)).sort((a, b) => a - b)[0];
  if (have === undefined) return none(`no JDK >= ${want}`);
  return { path: [join(JDKS[have]!, "bin")], env: { JAVA_HOME: JDKS[have]! }, notes: have === want ? [] : [`jdk ${want} -> ${have}`] };
}

export function rubyToolchain(version: string): Toolchain {
  if (!onPath("ruby")) return none("no ruby (Debian package ruby)");
  const v = execFileSync("ruby", ["-e", "print RUBY_VERSION"], { encoding: "utf8" });
  // Bundler refuses a Gemfile's `ruby` line that another minor does not meet, and no other Ruby can be built here
  // (rubygems.org and ruby-lang.org are not reachable): a job for another minor cannot run.
  const minor = (x: string) => x.split(".").slice(0, 2).join(".");
  if (/^\d+\.\d+/.test(version) && minor(version) !== minor(v)) return none(`no Ruby ${minor(version)}: Debian has ${v}, and rubygems.org is not reachable here`);
  return { path: [], env: {}, notes: [`ruby ${version} -> Debian ${v}`] };
}

export function phpToolchain(): Toolchain {
  if (!onPath("php") || !onPath("composer")) return none("no php/composer (Debian packages php-cli, composer)");
  const v = execFileSync("php", ["-r", "echo PHP_VERSION;"], { encoding: "utf8" });
  return { path: [], env: {}, notes: [`composer:2 -> Debian php ${v} + composer`] };
}

export function bunToolchain(version: string): Toolchain {
  const dir = join(TOOLS, "bun", "bin");
  if (!existsSync(join(dir, "bun"))) return none("no bun (.ci/tools/bun.sh)");
  const v = execFileSync(join(dir, "bun"), ["--version"], { encoding: "utf8" }).trim();
  return { path: [dir], env: {}, notes: v.startsWith(version) ? [] : [`bun ${version} -> ${v}`] };
}

/** uv as astral-sh/setup-uv puts it on PATH (a pinned release from PyPI, .ci/tools/e2e/uv.sh). */
export function uvToolchain(): Toolchain {
  const dir = join(TOOLS, "uv", "bin");
  if (!existsSync(join(dir, "uv"))) return none("no uv (.ci/tools/e2e/uv.sh)");
  const v = execFileSync(join(dir, "uv"), ["--version"], { encoding: "utf8" }).trim();
  return { path: [dir], env: {}, notes: [`astral-sh/setup-uv -> ${v}`] };
}

/** The toolchain standing in for a job's container image. */
export function forImage(image: string, work: string): Toolchain {
  const [name, tag = ""] = image.split(":") as [string, string?];
  const version = tag.split("-")[0] ?? "";
  switch (name) {
    case "node": return nodeToolchain(version);
    case "python": return pythonToolchain(version, work);
    case "golang": return goToolchain(version, work);
    case "rust": return rustToolchain(version);
    case "maven": return javaToolchain(tag.match(/temurin-(\d+)/)?.[1] ?? "17");
    case "gradle": return javaToolchain(tag.match(/jdk(\d+)/)?.[1] ?? "17");
    case "ruby": return rubyToolchain(version);
    case "composer": return phpToolchain();
    case "oven/bun": return bunToolchain(version);
    case "mcr.microsoft.com/dotnet/sdk": return none("no .NET SDK: Debian 12 has none and NuGet is not reachable here");
    default: return none(`image ${image} is a tool image this harness does not emulate (no Docker engine)`);
  }
}

export function merge(...chains: Toolchain[]): Toolchain {
  return {
    path: chains.flatMap((c) => c.path),
    env: Object.assign({}, ...chains.map((c) => c.env)),
    notes: chains.flatMap((c) => c.notes),
    unavailable: chains.find((c) => c.unavailable)?.unavailable,
  };
}
