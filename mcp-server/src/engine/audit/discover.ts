import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { walkRepository } from "../analyze/walk.ts";
import { isKubernetesManifest } from "./kubernetes.ts";
import type { AuditedFile, Scope } from "./model.ts";

const MAX_BYTES = 1_000_000;

function read(root: string, rel: string): string | undefined {
  try {
    const abs = join(root, ...rel.split("/"));
    if (statSync(abs).size > MAX_BYTES) return undefined;
    return readFileSync(abs, "utf8");
  } catch {
    return undefined;
  }
}

/** Files under a hidden directory, which the repository walk does not enter. */
function listUnder(root: string, rel: string, depth = 4): string[] {
  const abs = join(root, ...rel.split("/"));
  if (!existsSync(abs) || depth < 0) return [];
  const out: string[] = [];
  for (const entry of readdirSync(abs, { withFileTypes: true })) {
    const child = `${rel}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listUnder(root, child, depth - 1));
    else if (entry.isFile()) out.push(child);
  }
  return out;
}

const YAML = /\.ya?ml$/;
const DOCKERFILE = /(^|\/)(Dockerfile|Containerfile)(\.[\w.-]+)?$|\.(Dockerfile|dockerfile)$/;
const COMPOSE = /(^|\/)(docker-)?compose(\.[\w-]+)*\.ya?ml$/;
const JENKINSFILE = /(^|\/)Jenkinsfile(\.[\w-]+)?$|\.jenkinsfile$/;

/** Every CI, container, manifest and Terraform file of the repository the scopes ask for. */
export function discover(root: string, scopes: ReadonlySet<Scope>): AuditedFile[] {
  const out: AuditedFile[] = [];
  const add = (path: string, scope: Scope, kind: AuditedFile["kind"], content?: string) => {
    const text = content ?? read(root, path);
    if (text !== undefined && scopes.has(scope)) out.push({ path, scope, kind, content: text });
  };
  const walk = walkRepository(root, { maxDepth: 8 });
  const files = walk.files.filter((f) => !walk.isIgnored(f)).sort();

  for (const f of listUnder(root, ".github/workflows", 0).filter((f) => YAML.test(f)).sort()) add(f, "github-actions", "github-workflow");
  const actions = [...listUnder(root, ".github/actions"), ...files].filter((f) => /(^|\/)action\.ya?ml$/.test(f));
  for (const f of [...new Set(actions)].sort()) add(f, "github-actions", "github-action");
  for (const f of [".gitlab-ci.yml", ".gitlab-ci.yaml", ...files.filter((f) => /\.gitlab-ci\.ya?ml$/.test(f) && f !== ".gitlab-ci.yml")]) {
    if (existsSync(join(root, f))) add(f, "gitlab-ci", "gitlab-ci");
  }
  for (const f of [".circleci/config.yml", ".circleci/config.yaml"]) if (existsSync(join(root, f))) add(f, "circleci", "circleci");
  for (const f of files.filter((f) => JENKINSFILE.test(f))) add(f, "jenkins", "jenkinsfile");
  for (const f of files.filter((f) => DOCKERFILE.test(f))) add(f, "docker", "dockerfile");
  for (const f of files.filter((f) => COMPOSE.test(f))) add(f, "docker", "compose");
  for (const f of files.filter((f) => /\.tf$/.test(f))) add(f, "terraform", "terraform");
  if (scopes.has("kubernetes")) {
    const taken = new Set(out.map((f) => f.path));
    for (const f of files.filter((f) => YAML.test(f) && !taken.has(f) && !/(^|\/)action\.ya?ml$/.test(f))) {
      const text = read(root, f);
      const kustomization = /(^|\/)kustomization\.ya?ml$/.test(f);
      if (text && (kustomization || isKubernetesManifest(text)) && !/\{\{/.test(text)) add(f, "kubernetes", "kubernetes", text);
    }
  }
  return out;
}
