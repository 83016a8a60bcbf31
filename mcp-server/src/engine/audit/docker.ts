import type { Arg, Env, From, Instruction } from "dockerfile-ast";
import { namedExport } from "../core/interop.ts";
import { imageProblem, looksLikeSecret } from "./common.ts";
import { type AuditedFile, type Finding, finding, SECRET_NAME } from "./model.ts";
import { asMap, entries, isScalar, parseYaml, posOf, seqItems, stringOf, valueOf } from "./yaml-util.ts";

type Parse = (content: string) => import("dockerfile-ast").Dockerfile;
let parser: Promise<Parse> | undefined;
function loadParser(): Promise<Parse> {
  parser ??= import("dockerfile-ast").then((m) => {
    const DockerfileParser = namedExport<{ parse: Parse }>(m, "DockerfileParser", "dockerfile-ast");
    return (content: string) => DockerfileParser.parse(content);
  });
  return parser;
}

const at = (instruction: { getRange(): { start: { line: number; character: number } } }) => {
  const { start } = instruction.getRange();
  return { line: start.line + 1, column: start.character + 1 };
};

/** Files copied into an image that are credentials by their name. */
const SECRET_FILE = /(^|\/)(\.env(\.[\w-]+)?|id_(rsa|dsa|ecdsa|ed25519)|\.npmrc|\.pypirc|\.netrc|\.git-credentials|credentials(\.json)?|[^/]*\.(pem|key|p12|pfx))$/;
/** Images whose default user is not root. */
const NONROOT_BASE = /nonroot|rootless|distroless\/.*:.*nonroot|chainguard|^cgr\.dev\//;

/** Dockerfile: unpinned bases, root user, secrets in layers, no HEALTHCHECK. */
export async function auditDockerfile(file: AuditedFile): Promise<{ findings: Finding[] }> {
  const dockerfile = (await loadParser())(file.content);
  const out: Finding[] = [];
  const instructions = dockerfile.getInstructions();
  const froms = dockerfile.getFROMs();
  if (froms.length === 0) return { findings: out };
  const stageNames = new Set<string>();
  const initialArgs = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const p = arg.getProperty();
    if (p?.getValue()) initialArgs.set(p.getName(), p.getValue()!);
  }
  for (const from of froms) {
    let image = from.getImage() ?? "";
    image = image.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}?/g, (m, name: string) => initialArgs.get(name) ?? m);
    const stage = from.getBuildStage();
    const base = image.split(/[:@]/)[0]!;
    if (!stageNames.has(base)) {
      const problem = imageProblem(image);
      if (problem) {
        out.push(finding("DF001", file.path, at(from), `FROM ${problem.text}`, { severity: problem.level === "latest" ? "warning" : "note" }));
      }
    }
    if (stage) stageNames.add(stage);
  }

  // the final stage, following `FROM <earlier stage>` back to the external base: its user and healthcheck carry over
  const stages = froms.map((from, i) => {
    const start = from.getRange().start.line;
    const end = i + 1 < froms.length ? froms[i + 1]!.getRange().start.line : Number.MAX_SAFE_INTEGER;
    const body = instructions.filter((x) => x.getRange().start.line > start && x.getRange().start.line < end);
    return { from, name: from.getBuildStage()?.toLowerCase(), base: (from.getImage() ?? "").toLowerCase(), body };
  });
  const chain: typeof stages = [];
  for (let s: (typeof stages)[number] | undefined = stages[stages.length - 1]; s && !chain.includes(s);) {
    chain.push(s);
    const base: string = s.base;
    s = stages.slice(0, stages.indexOf(s)).reverse().find((x) => x.name === base);
  }
  const last = chain[0]!.from;
  const externalBase = chain[chain.length - 1]!.base;
  const chainBody = chain.slice().reverse().flatMap((s) => s.body);
  const users = chainBody.filter((i) => i.getKeyword() === "USER");
  const lastUserInstruction = users[users.length - 1];
  const lastUser = lastUserInstruction ? lastUserInstruction.getArgumentsContent()?.trim() ?? "" : undefined;
  if (lastUser !== undefined ? /^(root|0)(:.*)?$/.test(lastUser) : !NONROOT_BASE.test(externalBase)) {
    const where = lastUserInstruction ?? last;
    out.push(finding("DF002", file.path, at(where), lastUser !== undefined ? `the final stage switches to USER ${lastUser}` : "the final stage never sets USER, so it runs as root"));
  }

  for (const instruction of instructions) secretsIn(file, instruction, out);

  if (!chainBody.some((i) => i.getKeyword() === "HEALTHCHECK")) {
    out.push(finding("DF004", file.path, at(last), "the final image has no HEALTHCHECK"));
  }
  return { findings: out };
}

function secretsIn(file: AuditedFile, instruction: Instruction, out: Finding[]): void {
  const keyword = instruction.getKeyword();
  if (keyword === "ENV" || keyword === "ARG") {
    const properties = keyword === "ENV" ? (instruction as Env).getProperties() : [(instruction as Arg).getProperty()].filter((p) => p !== null);
    for (const p of properties) {
      const name = p.getName();
      const value = p.getValue();
      if (value && looksLikeSecret(name, value)) {
        out.push(finding("DF003", file.path, at(instruction), `${keyword} ${name} bakes a literal credential into the image`));
      } else if (SECRET_NAME.test(name) && !/(_FILE|_PATH|_DIR|_URL|_ID|_NAME)$/i.test(name)) {
        out.push(finding("DF003", file.path, at(instruction), `${keyword} ${name} puts a credential into the image ${keyword === "ARG" ? "history (build args are recorded)" : "environment of every layer"}`,
          { severity: "warning" }));
      }
    }
  }
  if (keyword === "COPY" || keyword === "ADD") {
    const args = instruction.getArguments().map((a) => a.getValue()).filter((v) => !v.startsWith("--"));
    for (const source of args.slice(0, -1)) {
      if (SECRET_FILE.test(source)) out.push(finding("DF003", file.path, at(instruction), `${keyword} ${source} copies a credential file into a layer`));
    }
  }
}

/** docker-compose / compose files: unpinned images, privileged services, plain-text secrets. */
export function auditCompose(file: AuditedFile): { findings: Finding[]; parseErrors: string[] } {
  const parsed = parseYaml(file.content);
  if (parsed.errors.length > 0) return { findings: [], parseErrors: parsed.errors };
  const out: Finding[] = [];
  for (const service of entries(asMap(valueOf(asMap(parsed.docs[0]?.contents), "services")))) {
    const map = asMap(service.value);
    const image = valueOf(map, "image");
    if (isScalar(image) && !valueOf(map, "build")) {
      const problem = imageProblem(String(image.value));
      if (problem) out.push(finding("DC001", file.path, posOf(parsed, image), `service ${service.key}: ${problem.text}`, { severity: problem.level === "latest" ? "warning" : "note" }));
    }
    for (const key of ["privileged", "network_mode", "pid", "ipc"]) {
      const v = stringOf(map, key);
      if ((key === "privileged" && v === "true") || (key !== "privileged" && v === "host")) {
        out.push(finding("DC002", file.path, posOf(parsed, valueOf(map, key)), `service ${service.key}: ${key}: ${v}`));
      }
    }
    const env = valueOf(map, "environment");
    for (const e of entries(asMap(env))) {
      if (isScalar(e.value) && typeof e.value.value === "string" && looksLikeSecret(e.key, e.value.value)) {
        out.push(finding("DC003", file.path, posOf(parsed, e.keyNode), `service ${service.key}: ${e.key} holds a literal credential`));
      }
    }
    for (const item of seqItems(env)) {
      if (!isScalar(item)) continue;
      const [name, ...rest] = String(item.value).split("=");
      if (rest.length > 0 && looksLikeSecret(name!, rest.join("="))) {
        out.push(finding("DC003", file.path, posOf(parsed, item), `service ${service.key}: ${name} holds a literal credential`));
      }
    }
  }
  return { findings: out, parseErrors: [] };
}

export type { From };
