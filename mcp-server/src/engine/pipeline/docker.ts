import type { GeneratedFile } from "../core/types.ts";
import type { TemplateEngine } from "../templating/render.ts";
import type { PipelinePlan, ProjectJob } from "./model.ts";
import { CONTAINER_IMAGES } from "./pinned-actions.ts";
import { imageProgram } from "./programs.ts";
import { relativeTo } from "../analyze/repo.ts";

const TEMPLATE: Record<string, string> = {
  node: "node", python: "python", go: "go", java: "java", kotlin: "java", rust: "rust", dotnet: "dotnet", ruby: "ruby", php: "php",
};

/** Context for `templates/pipeline/docker/<language>.Dockerfile.hbs`; base images pinned to version tags. */
function dockerContext(job: ProjectJob, program: string | undefined) {
  const p = job.project;
  const v = job.version;
  const port = p.port ?? (p.servesHttp ? 8080 : null);
  const http = p.servesHttp && port !== null;
  // The image does not know the app's health route, so the check asks only that the server answers HTTP (any
  // status): a 404 on "/" is a live server. Readiness on a real health path belongs to the orchestrator.
  const healthUrl = `http://127.0.0.1:${port}/`;
  const base = {
    port,
    lockfiles: job.lockfiles.map((l) => (p.path === "." ? l : l.startsWith(`${p.path}/`) ? l.slice(p.path.length + 1) : null)).filter((l): l is string => l !== null),
    install: p.commands.install ?? null,
    build: p.commands.build ?? null,
    name: p.name.replace(/^@[^/]+\//, "").replace(/[^A-Za-z0-9._-]/g, "-") || "app",
  };
  switch (p.language) {
    case "node": {
      const tag = v ? `${v.split(".")[0]}-bookworm-slim` : CONTAINER_IMAGES.node!.tag;
      const bun = p.packageManager === "bun";
      return { ...base, image: bun ? "oven/bun:1.3-slim" : `node:${tag}`, user: bun ? "bun" : "node",
        corepack: p.packageManager === "pnpm" || p.packageManager === "yarn",
        manifests: ["package.json", ...base.lockfiles], cmd: [p.packageManager === "bun" ? "bun" : "npm", "start"],
        healthcheck: http ? ["node", "-e", `fetch(${JSON.stringify(healthUrl)}).then(() => process.exit(0), () => process.exit(1))`] : null,
        pm: p.packageManager };
    }
    case "python": {
      const tag = v ? `${v}-slim` : CONTAINER_IMAGES.python!.tag;
      return { ...base, image: `python:${tag}`, cmd: p.start ?? ["python", "-m", base.name.replace(/-/g, "_")],
        healthcheck: http ? ["python", "-c", `import http.client; c = http.client.HTTPConnection("127.0.0.1", ${port}, timeout=3); c.request("GET", "/"); c.getresponse()`] : null };
    }
    case "go":
      return { ...base, pkg: goPackage(program, fromContext(p)), workspace: p.buildContext !== undefined, image: `golang:${v ? `${v}-bookworm` : CONTAINER_IMAGES.golang!.tag}`, runtime: "debian:bookworm-slim", cmd: ["/usr/local/bin/app"], healthcheck: null };
    case "java":
    case "kotlin": {
      const java = v ?? "21";
      const gradle = p.packageManager === "gradle";
      return { ...base, gradle, image: gradle ? `gradle:${CONTAINER_IMAGES.gradle!.tag.split("-")[0]}-jdk${java}` : `maven:3.9-eclipse-temurin-${java}`,
        runtime: `eclipse-temurin:${java}-jre`, cmd: ["java", "-jar", "/app/app.jar"], healthcheck: null };
    }
    case "rust": {
      const bin = program ?? base.name;
      return { ...base, bin, locked: job.lockfiles.length > 0, image: `rust:${v && /^\d/.test(v) ? v : CONTAINER_IMAGES.rust!.tag.replace(/-slim$/, "")}-slim`,
        runtime: "debian:bookworm-slim", cmd: [`/usr/local/bin/${bin}`], healthcheck: null };
    }
    case "dotnet": {
      const dv = v ?? CONTAINER_IMAGES["dotnet-sdk"]!.tag;
      return { ...base, image: `mcr.microsoft.com/dotnet/sdk:${dv}`, runtime: `mcr.microsoft.com/dotnet/aspnet:${dv}`, cmd: ["dotnet", `${base.name}.dll`], healthcheck: null };
    }
    case "ruby":
      return { ...base, image: `ruby:${v ? `${v}-slim` : `${CONTAINER_IMAGES.ruby!.tag}-slim`}`, cmd: ["bundle", "exec", "rackup", "--host", "0.0.0.0", "--port", String(port ?? 9292)],
        healthcheck: http ? ["ruby", "-rnet/http", "-e", `Net::HTTP.get_response(URI(${JSON.stringify(healthUrl)}))`] : null };
    case "php":
      return { ...base, image: `php:${v ? `${v}-cli` : CONTAINER_IMAGES.php!.tag}`, composer: `composer:${CONTAINER_IMAGES.composer!.tag}`,
        cmd: ["php", "-S", `0.0.0.0:${port ?? 8080}`, "-t", "public"],
        healthcheck: http ? ["php", "-r", `exit(@fsockopen("127.0.0.1", ${port}) === false ? 1 : 0);`] : null };
  }
}

/** Where the project sits inside its build context ("" when the context is the project itself). */
function fromContext(project: ProjectJob["project"]): string {
  return project.buildContext === undefined ? "" : relativeTo(project.path, project.buildContext);
}

function goPackage(dir: string | undefined, prefix = ""): string {
  const parts = [prefix, dir ?? ""].filter((part) => part !== "" && part !== ".");
  return parts.length ? `./${parts.join("/")}` : ".";
}

/** A Dockerfile and .dockerignore for every image whose project has none. */
export function renderDockerfiles(plan: PipelinePlan, engine: TemplateEngine): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const image of plan.images.filter((i) => i.generated)) {
    const job = plan.jobs.find((j) => j.id === image.projectJob);
    if (!job) continue;
    const program = imageProgram(job.project);
    const ctx = dockerContext(job, program?.chosen);
    files.push({ path: image.dockerfile, content: engine.render(`pipeline/docker/${TEMPLATE[job.project.language]}.Dockerfile`, ctx), kind: "dockerfile" });
    // Docker reads .dockerignore from the root of the build context.
    const dir = image.context === "." ? "" : `${image.context}/`;
    if (!files.some((f) => f.path === `${dir}.dockerignore`)) {
      files.push({ path: `${dir}.dockerignore`, content: engine.render("pipeline/docker/dockerignore", { language: job.project.language }), kind: "dockerignore" });
    }
    if (program?.chosen && program.others.length) {
      const shown = program.others.slice(0, 5).join(", ") + (program.others.length > 5 ? ", …" : "");
      plan.warnings.push(`${image.dockerfile}: the image runs ${job.project.language === "go" ? goPackage(program.chosen) : program.chosen}; the project also builds ${shown}: edit the Dockerfile if another one is the service`);
    }
    const cmdFromProject = job.project.start !== undefined && job.project.start === ctx.cmd;
    plan.warnings.push(cmdFromProject
      ? `${image.dockerfile}: generated; its CMD ${JSON.stringify(ctx.cmd)} is the entry point the project declares${job.project.workspaceRoot ? "; check that the build context has the workspace lockfile" : ""}`
      : `${image.dockerfile}: generated; check its CMD (${JSON.stringify(ctx.cmd)}) starts your service${job.project.workspaceRoot ? " and that the build context has the workspace lockfile" : ""}`);
  }
  return files;
}
