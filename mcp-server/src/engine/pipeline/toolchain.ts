import type { ProjectJob } from "./model.ts";
import { CONTAINER_IMAGES, containerImage } from "./pinned-actions.ts";
import { installGolangciLint, needsGolangciLint } from "./shared.ts";

/**
 * Container image and dependency-cache layout for a project job on the container-based platforms
 * (GitLab CI, CircleCI, Jenkins docker agents). Images are official images pinned to a version tag: the
 * project's toolchain version when it declares one, else the CONTAINER_IMAGES default (never :latest).
 */
export interface ContainerToolchain {
  image: string;
  /** Commands that prepare the toolchain inside the image (e.g. enabling Corepack, installing Poetry). */
  prepare: { name: string; run: string }[];
  /** Environment that points the package manager's cache into `cacheDir`. */
  cacheEnv: [string, string][];
  /** Cache directory relative to the checkout root. */
  cacheDir: string;
}

const tag = (id: string) => CONTAINER_IMAGES[id]!.tag;

/**
 * pdm as pip/pipx installs it, shell-quoted: its "locked" extra pins pdm's own dependencies to the versions its
 * release was tested with, so a new release of one of them cannot break the job (hishel 2 broke pdm 2.29).
 */
export const PDM_PACKAGE = "'pdm[locked]'";

export function containerToolchain(job: ProjectJob, root: string, asRoot = true): ContainerToolchain {
  const p = job.project;
  const v = job.version;
  const cacheDir = `.cache/${job.id}`;
  const at = root ? `${root}/${cacheDir}` : cacheDir;
  const prepare: { name: string; run: string }[] = [];
  let image: string;
  let cacheEnv: [string, string][] = [];
  switch (p.language) {
    case "node":
      if (p.packageManager === "bun") {
        image = `oven/bun:${p.versions.bun && /^\d+\.\d+\.\d+$/.test(p.versions.bun) ? p.versions.bun : "1.3"}`;
        cacheEnv = [["BUN_INSTALL_CACHE_DIR", at]];
        break;
      }
      image = v ? `node:${v}-bookworm-slim` : containerImage("node");
      if (p.packageManager === "pnpm" || p.packageManager === "yarn") prepare.push({ name: "Enable Corepack", run: "corepack enable" });
      if (p.packageManager === "npm") cacheEnv = [["npm_config_cache", at]];
      if (p.packageManager === "pnpm") cacheEnv = [["npm_config_store_dir", at]];
      if (p.packageManager === "yarn") cacheEnv = [["YARN_CACHE_FOLDER", at]];
      break;
    case "python":
      image = v ? `python:${v}-slim` : containerImage("python");
      cacheEnv = [["PIP_CACHE_DIR", `${at}/pip`]];
      if (p.packageManager === "poetry") { prepare.push({ name: "Install poetry", run: "python -m pip install poetry" }); cacheEnv.push(["POETRY_CACHE_DIR", `${at}/poetry`]); }
      if (p.packageManager === "uv") { prepare.push({ name: "Install uv", run: "python -m pip install uv" }); cacheEnv.push(["UV_CACHE_DIR", `${at}/uv`]); }
      if (p.packageManager === "pdm") { prepare.push({ name: "Install pdm", run: `python -m pip install ${PDM_PACKAGE}` }); cacheEnv.push(["PDM_CACHE_DIR", `${at}/pdm`]); }
      if (p.packageManager === "pipenv") prepare.push({ name: "Install pipenv", run: "python -m pip install pipenv" });
      // A linter the project configures but does not declare runs through pipx, which the python images lack.
      if (job.steps.some((s) => /(^|&&\s*|;\s*)pipx\s/.test(s.run))) prepare.push({ name: "Install pipx", run: "python -m pip install pipx" });
      break;
    case "go":
      image = v ? `golang:${v}-bookworm` : containerImage("golang");
      cacheEnv = [["GOMODCACHE", `${at}/mod`], ["GOCACHE", `${at}/build`]];
      // The golang images do not ship golangci-lint; /go/bin is on PATH and world-writable in them.
      if (needsGolangciLint(job.steps)) prepare.push({ name: "Install golangci-lint", run: installGolangciLint("/go/bin").join("\n") });
      break;
    case "java":
    case "kotlin":
      if (p.packageManager === "gradle") {
        image = v ? `gradle:${tag("gradle").split("-")[0]}-jdk${v}` : containerImage("gradle");
        cacheEnv = [["GRADLE_USER_HOME", at]];
      } else {
        image = v ? `maven:3.9-eclipse-temurin-${v}` : containerImage("maven");
        cacheEnv = [["MAVEN_OPTS", `-Dmaven.repo.local=${at}/m2`]];
      }
      break;
    case "rust":
      image = v && /^\d/.test(v) ? `rust:${v}-slim` : containerImage("rust");
      cacheEnv = [["CARGO_HOME", at]];
      prepare.push({ name: "Install clippy and rustfmt", run: "rustup component add clippy rustfmt" });
      break;
    case "dotnet":
      image = v ? `mcr.microsoft.com/dotnet/sdk:${v}` : containerImage("dotnet-sdk");
      cacheEnv = [["NUGET_PACKAGES", at]];
      break;
    case "ruby":
      image = v ? `ruby:${v}` : containerImage("ruby");
      cacheEnv = [["BUNDLE_PATH", at]];
      break;
    case "php":
      image = containerImage("composer");
      cacheEnv = [["COMPOSER_CACHE_DIR", at]];
      break;
  }
  // Slim images have no git; an affected-only run asks git for the merge base with the default branch. A job that
  // runs as root installs it; a non-root one (Jenkins docker agents) takes the full image, which has git.
  if (/-slim$|^oven\/bun:/.test(image) && job.steps.some((s) => /(^|[;&|(]\s*|then\s+|\$\()git\s/.test(s.run))) {
    if (asRoot) prepare.unshift({ name: "Install git", run: "apt-get update -q && apt-get install -y -q --no-install-recommends git" });
    else image = image.replace(/-slim$/, "").replace(/^oven\/bun:(.*)$/, "oven/bun:$1-debian");
  }
  return { image, prepare, cacheEnv, cacheDir };
}
