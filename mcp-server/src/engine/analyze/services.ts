import type { Service } from "./types.ts";
import { type Repo, basenameOf, dirName, dirname, joinRel, normalize } from "./repo.ts";
import { isRecord } from "./common.ts";

const COMPOSE_FILES = new Set(["docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"]);
/** Dockerfile variants meant for local development or tests are not deployable units. */
const NON_DEPLOY_VARIANT = /^(dev|develop|development|local|test|tests|ci|debug|e2e|playwright|cypress|devcontainer)$/i;

export function isDockerfileName(name: string): boolean {
  return name === "Dockerfile" || name === "Containerfile" || /^Dockerfile\.[A-Za-z0-9_.-]+$/.test(name) || /^[A-Za-z0-9_.-]+\.Dockerfile$/i.test(name);
}

/** The variant a Dockerfile name carries ("Dockerfile.worker" → "worker"), or undefined for a plain Dockerfile. */
function variantOf(name: string): string | undefined {
  if (name === "Dockerfile" || name === "Containerfile") return undefined;
  const m = /^Dockerfile\.(.+)$/.exec(name) ?? /^(.+)\.Dockerfile$/i.exec(name);
  return m?.[1];
}

/** Ports the final stage of a Dockerfile EXPOSEs (ARG/ENV defaults are substituted). */
export function exposedPorts(text: string): number[] {
  const lines = text.replace(/\\\r?\n/g, " ").split(/\r?\n/);
  const vars = new Map<string, string>();
  let ports: number[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const instr = m[1]!.toUpperCase();
    const args = m[2]!;
    if (instr === "FROM") ports = [];
    else if (instr === "ARG" || instr === "ENV") {
      for (const kv of args.matchAll(/(\w+)(?:=|\s+)("?)([^"\s]*)\2/g)) vars.set(kv[1]!, kv[3]!);
    } else if (instr === "EXPOSE") {
      for (const tok of args.split(/\s+/)) {
        const sub = tok.replace(/\$\{?(\w+)(?::-([^}]*))?\}?/g, (_, k: string, d?: string) => vars.get(k) ?? d ?? "");
        const n = Number(/^(\d+)(?:\/(?:tcp|udp))?$/i.exec(sub)?.[1]);
        if (Number.isInteger(n) && n > 0 && n < 65536 && !ports.includes(n)) ports.push(n);
      }
    }
  }
  return ports;
}

/** Container-side port of a compose `ports` entry: "8080:80" → 80, "3000" → 3000, { target: 80 } → 80. */
export function composeContainerPort(entry: unknown): number | undefined {
  if (typeof entry === "number") return entry;
  if (isRecord(entry)) {
    const t = Number(entry.target);
    return Number.isInteger(t) && t > 0 ? t : undefined;
  }
  if (typeof entry !== "string") return undefined;
  const noProto = entry.replace(/\/(tcp|udp)$/i, "");
  const parts = noProto.split(":");
  const last = parts[parts.length - 1]!.replace(/\$\{\w+:-(\d+)\}/, "$1");
  return /^\d+$/.test(last) ? Number(last) : undefined;
}

/** Sources a Dockerfile copies from its build context (COPY/ADD without --from, no URLs), up to any glob. */
export function copySources(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.replace(/\\\r?\n/g, " ").split(/\r?\n/)) {
    const m = /^\s*(COPY|ADD)\s+(.*)$/i.exec(raw);
    if (!m || /--from=/.test(m[2]!) || /<</.test(m[2]!)) continue;
    let args = m[2]!.trim();
    let parts: string[];
    if (args.startsWith("[")) {
      try {
        parts = JSON.parse(args) as string[];
      } catch {
        continue;
      }
    } else {
      args = args.replace(/--[a-z-]+(=\S+)?\s+/g, "");
      parts = args.split(/\s+/);
    }
    for (const src of parts.slice(0, -1)) {
      if (/^[a-z]+:\/\//i.test(src) || src.includes("$")) continue;
      const literal = normalize(src.split(/[*?[]/)[0]!);
      if (literal && literal !== "." && !literal.startsWith("..")) out.push(literal.replace(/\/$/, ""));
    }
  }
  return out;
}

/**
 * Build context of a Dockerfile no compose file describes: its own directory, unless what it copies is not there
 * but is in an ancestor (a docker/production.Dockerfile that copies requirements/ and src/ from the repository root).
 */
function contextOf(repo: Repo, df: string): string {
  const own = dirname(df);
  const sources = copySources(repo.read(df) ?? "");
  if (sources.length === 0) return own;
  const holdsAll = (dir: string) => sources.every((src) => repo.exists(joinRel(dir, src)));
  if (holdsAll(own)) return own;
  for (let dir = own; dir !== "."; ) {
    dir = dirname(dir);
    if (holdsAll(dir)) return dir;
  }
  return own;
}

function serviceName(root: string, dir: string, variant?: string): string {
  const base = dirName(root, dir).toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "app";
  return variant ? `${base}-${variant.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}` : base;
}

export function findServices(repo: Repo): { services: Service[]; dockerfiles: string[] } {
  const dockerfiles = repo.filesUnder(".", (n) => isDockerfileName(n));
  const services: Service[] = [];
  const byDockerfile = new Map<string, Service>();

  // Compose services with a build section come first: they carry the names people use.
  for (const file of repo.filesUnder(".", (n) => COMPOSE_FILES.has(n))) {
    const doc = repo.yaml(file);
    if (!isRecord(doc) || !isRecord(doc.services)) continue;
    const base = dirname(file);
    for (const [name, svc] of Object.entries(doc.services)) {
      if (!isRecord(svc) || svc.build === undefined) continue;
      const build = svc.build;
      const ctxRaw = typeof build === "string" ? build : isRecord(build) && typeof build.context === "string" ? build.context : ".";
      if (/^[a-z]+:\/\//i.test(ctxRaw) || ctxRaw.startsWith("git@")) continue; // remote build context
      const context = joinRel(base, normalize(ctxRaw));
      if (context.startsWith("..")) continue;
      const dfName = isRecord(build) && typeof build.dockerfile === "string" ? build.dockerfile : "Dockerfile";
      const dockerfile = joinRel(context, normalize(dfName));
      const ports: number[] = [];
      for (const entry of Array.isArray(svc.ports) ? svc.ports : []) {
        const port = composeContainerPort(entry);
        if (port && !ports.includes(port)) ports.push(port);
      }
      for (const entry of Array.isArray(svc.expose) ? svc.expose : []) {
        const port = composeContainerPort(entry);
        if (port && !ports.includes(port)) ports.push(port);
      }
      const existing = byDockerfile.get(dockerfile);
      if (existing) {
        for (const p of ports) if (!existing.ports.includes(p)) existing.ports.push(p);
        continue;
      }
      const s: Service = { name, context, ports, source: file };
      if (repo.has(dockerfile)) {
        s.dockerfile = dockerfile;
        for (const p of exposedPorts(repo.read(dockerfile) ?? "")) if (!s.ports.includes(p)) s.ports.push(p);
      }
      if (typeof svc.image === "string") s.image = svc.image;
      services.push(s);
      byDockerfile.set(dockerfile, s);
    }
  }

  for (const df of dockerfiles) {
    if (byDockerfile.has(df)) continue;
    const variant = variantOf(basenameOf(df));
    if (variant && NON_DEPLOY_VARIANT.test(variant)) continue;
    const dir = contextOf(repo, df);
    const s: Service = {
      name: serviceName(repo.root, dir, variant),
      context: dir,
      dockerfile: df,
      ports: exposedPorts(repo.read(df) ?? ""),
      source: df,
    };
    services.push(s);
    byDockerfile.set(df, s);
  }
  // Names must be unique: suffix duplicates with their directory path.
  const seen = new Map<string, number>();
  for (const s of services) {
    const n = seen.get(s.name) ?? 0;
    seen.set(s.name, n + 1);
    if (n > 0) s.name = `${s.name}-${s.context.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
  }
  return { services: services.sort((a, b) => a.context.localeCompare(b.context) || a.name.localeCompare(b.name)), dockerfiles };
}
