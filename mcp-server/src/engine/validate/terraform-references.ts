import { posix } from "node:path";
import type { GeneratedFile, Validation } from "../core/types.ts";
import { loadHclParser } from "./wasm.ts";

/**
 * Terraform reference resolution across a whole generated tree (SPEC §5 "every reference resolves").
 *
 * Each file is parsed to JSON with HashiCorp's own HCL parser (@cdktf/hcl2json); every expression string is then
 * scanned for traversals. Per directory it proves that:
 * - every `var.x` is a declared variable, every `local.x` a declared local;
 * - every `module.x` is a declared module call and `module.x.y` an output of the module's (local) source;
 * - every module call passes only variables that module declares, and every variable without a default;
 * - every `data.t.n` and resource reference `t.n` names a block declared in the same directory (resource types are
 *   recognised by the provider prefixes the directory's `required_providers` declare, plus the common ones);
 * - every key of a `.tfvars` file is a declared variable.
 * Module outputs live in other directories, so the checker needs every Terraform file of the run.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface ParsedFile {
  file: GeneratedFile;
  json?: JsonObject;
  error?: string;
}

interface Directory {
  dir: string;
  files: ParsedFile[];
  variables: Map<string, { required: boolean }>;
  locals: Set<string>;
  outputs: Set<string>;
  modules: Map<string, { source?: string; args: string[]; file: string }>;
  resources: Set<string>;
  data: Set<string>;
  providerPrefixes: Set<string>;
}

const MODULE_META_ARGUMENTS = new Set(["source", "version", "providers", "count", "for_each", "depends_on"]);
/** Provider local names whose resource types are always recognised, in addition to the directory's required_providers. */
const KNOWN_PROVIDERS = ["aws", "google", "azurerm", "azuread", "random", "tls", "kubernetes", "helm", "null", "time"];
/** Root names of traversals that are never resources. */
const BUILTIN_ROOTS = new Set(["var", "local", "module", "data", "count", "each", "self", "path", "terraform", "null", "true", "false"]);

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const directoryOf = (file: GeneratedFile) => file.group ?? posix.dirname(file.path);

/**
 * The code parts of a JSON string produced by hcl2json: the contents of each `${ … }` interpolation with the string
 * literals inside it blanked out (so `lookup(m, "aws_x.y")` does not count as a reference), recursively for
 * templates nested inside those literals.
 */
export function expressionCode(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i) || text.startsWith("%%{", i)) {
      i += 3;
      continue;
    }
    if (text.startsWith("${", i) || text.startsWith("%{", i)) {
      const { code, end, nested } = scanInterpolation(text, i + 2);
      out.push(code);
      for (const literal of nested) out.push(...expressionCode(literal));
      i = end;
      continue;
    }
    i += 1;
  }
  return out;
}

function scanInterpolation(text: string, start: number): { code: string; end: number; nested: string[] } {
  let depth = 1;
  let code = "";
  const nested: string[] = [];
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      // A quoted string inside the expression: skip it, but keep its text to look for nested templates.
      let j = i + 1;
      let literal = "";
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\" && j + 1 < text.length) {
          literal += text[j + 1];
          j += 2;
          continue;
        }
        literal += text[j];
        j += 1;
      }
      nested.push(literal);
      code += '""';
      i = j + 1;
      continue;
    }
    if (c === "{") depth += 1;
    if (c === "}") {
      depth -= 1;
      if (depth === 0) return { code, end: i + 1, nested };
    }
    code += c;
    i += 1;
  }
  return { code, end: text.length, nested };
}

interface Reference {
  root: string;
  parts: string[];
}

/** Traversals (`a.b.c`, with index/splat steps skipped) in a piece of expression code. */
export function traversals(code: string): Reference[] {
  const refs: Reference[] = [];
  const pattern = /(?<![\w.\]])([A-Za-z_][\w-]*)((?:\s*(?:\.[A-Za-z_][\w-]*|\.\*|\[[^\]]*\]))+)/g;
  for (const match of code.matchAll(pattern)) {
    const steps = match[2]!;
    const parts = [...steps.replace(/\[[^\]]*\]/g, "[]").matchAll(/\.([A-Za-z_][\w-]*)/g)].map((m) => m[1]!);
    if (parts.length > 0) refs.push({ root: match[1]!, parts });
    for (const index of steps.matchAll(/\[([^\]]*)\]/g)) refs.push(...traversals(index[1]!));
  }
  return refs;
}

/** Every string value anywhere under a JSON node (object keys are names, not expressions). */
function* strings(node: Json): Generator<string> {
  if (typeof node === "string") yield node;
  else if (Array.isArray(node)) for (const item of node) yield* strings(item);
  else if (isObject(node)) for (const value of Object.values(node)) yield* strings(value);
}

/** The iterator names a `for` expression introduces (`for k, v in …`), which are local to that expression. */
function forVariables(code: string): Set<string> {
  const names = new Set<string>();
  for (const match of code.matchAll(/\bfor\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?\s+in\b/g)) {
    names.add(match[1]!);
    if (match[2]) names.add(match[2]);
  }
  return names;
}

/** Dynamic block iterator names (`dynamic "x"` iterates as `x` unless `iterator = y`). */
function dynamicIterators(node: Json, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) dynamicIterators(item, into);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === "dynamic" && isObject(value)) {
      for (const [name, blocks] of Object.entries(value)) {
        into.add(name);
        if (Array.isArray(blocks)) for (const b of blocks) if (isObject(b) && typeof b.iterator === "string") into.add(b.iterator);
      }
    }
    dynamicIterators(value, into);
  }
}

function collect(dir: string, files: ParsedFile[]): Directory {
  const d: Directory = {
    dir, files, variables: new Map(), locals: new Set(), outputs: new Set(), modules: new Map(),
    resources: new Set(), data: new Set(), providerPrefixes: new Set(KNOWN_PROVIDERS),
  };
  for (const parsed of files) {
    const json = parsed.json;
    if (!json || parsed.file.kind !== "terraform") continue;
    const blocks = (name: string) => (isObject(json[name]) ? (json[name] as JsonObject) : {});
    for (const [name, bodies] of Object.entries(blocks("variable"))) {
      const body = Array.isArray(bodies) && isObject(bodies[0]) ? bodies[0] : {};
      d.variables.set(name, { required: !("default" in body) });
    }
    const locals = json.locals;
    if (Array.isArray(locals)) for (const block of locals) if (isObject(block)) for (const k of Object.keys(block)) d.locals.add(k);
    for (const name of Object.keys(blocks("output"))) d.outputs.add(name);
    for (const [name, bodies] of Object.entries(blocks("module"))) {
      const body = Array.isArray(bodies) && isObject(bodies[0]) ? bodies[0] : {};
      d.modules.set(name, {
        source: typeof body.source === "string" ? body.source : undefined,
        args: Object.keys(body).filter((k) => !MODULE_META_ARGUMENTS.has(k)),
        file: parsed.file.path,
      });
    }
    for (const [type, named] of Object.entries(blocks("resource"))) {
      if (isObject(named)) for (const name of Object.keys(named)) d.resources.add(`${type}.${name}`);
    }
    for (const [type, named] of Object.entries(blocks("data"))) {
      if (isObject(named)) for (const name of Object.keys(named)) d.data.add(`${type}.${name}`);
    }
    const terraform = json.terraform;
    if (Array.isArray(terraform)) {
      for (const t of terraform) {
        if (!isObject(t) || !Array.isArray(t.required_providers)) continue;
        for (const rp of t.required_providers) if (isObject(rp)) for (const local of Object.keys(rp)) d.providerPrefixes.add(local);
      }
    }
  }
  return d;
}

/** Checks one directory's files against its own declarations and the outputs/variables of the modules it calls. */
function checkDirectory(d: Directory, byDir: Map<string, Directory>): Map<string, string[]> {
  const problems = new Map<string, string[]>();
  const report = (path: string, message: string) => {
    const list = problems.get(path) ?? [];
    if (!list.includes(message)) list.push(message);
    problems.set(path, list);
  };

  for (const parsed of d.files) {
    const { file, json } = parsed;
    if (!json) {
      report(file.path, `cannot check references: ${parsed.error ?? "file does not parse"}`);
      continue;
    }
    if (file.kind === "tfvars") {
      for (const key of Object.keys(json)) {
        if (!d.variables.has(key)) report(file.path, `${key} is set but no variable "${key}" is declared in ${d.dir}`);
      }
      continue;
    }
    const iterators = new Set<string>();
    dynamicIterators(json, iterators);
    for (const text of strings(json)) {
      for (const code of expressionCode(text)) {
        const scoped = forVariables(code);
        for (const ref of traversals(code)) {
          checkReference(ref, d, byDir, scoped, iterators, (message) => report(file.path, message));
        }
      }
    }
  }

  for (const [name, call] of d.modules) {
    const target = resolveModule(d.dir, call.source);
    if (!target) continue;
    const module = byDir.get(target);
    if (!module) {
      report(call.file, `module "${name}": source ${JSON.stringify(call.source)} resolves to ${target}, which has no Terraform files in this set`);
      continue;
    }
    for (const arg of call.args) {
      if (!module.variables.has(arg)) report(call.file, `module "${name}": argument "${arg}" is not a variable of ${target}`);
    }
    for (const [variable, { required }] of module.variables) {
      if (required && !call.args.includes(variable)) report(call.file, `module "${name}": required variable "${variable}" of ${target} is not set`);
    }
  }
  return problems;
}

function resolveModule(dir: string, source: string | undefined): string | undefined {
  if (!source || !(source.startsWith("./") || source.startsWith("../"))) return undefined;
  return posix.normalize(posix.join(dir, source)).replace(/\/$/, "");
}

function checkReference(
  ref: Reference, d: Directory, byDir: Map<string, Directory>, scoped: Set<string>, iterators: Set<string>,
  report: (message: string) => void,
): void {
  const [first, second] = ref.parts;
  switch (ref.root) {
    case "var":
      if (!d.variables.has(first!)) report(`var.${first} is not a declared variable in ${d.dir}`);
      return;
    case "local":
      if (!d.locals.has(first!)) report(`local.${first} is not a declared local in ${d.dir}`);
      return;
    case "module": {
      const call = d.modules.get(first!);
      if (!call) {
        report(`module.${first} is not a declared module call in ${d.dir}`);
        return;
      }
      if (second === undefined) return;
      const target = resolveModule(d.dir, call.source);
      const module = target ? byDir.get(target) : undefined;
      if (target && module && !module.outputs.has(second)) report(`module.${first}.${second}: ${target} has no output "${second}"`);
      return;
    }
    case "data":
      if (second !== undefined && !d.data.has(`${first}.${second}`)) report(`data.${first}.${second} is not a declared data source in ${d.dir}`);
      return;
    default: {
      if (BUILTIN_ROOTS.has(ref.root) || scoped.has(ref.root) || iterators.has(ref.root)) return;
      const prefix = ref.root.split("_")[0]!;
      if (!ref.root.includes("_") || !d.providerPrefixes.has(prefix)) return;
      if (!d.resources.has(`${ref.root}.${first}`)) report(`${ref.root}.${first} is not a declared resource in ${d.dir}`);
    }
  }
}

/**
 * The writer validates one group at a time but passes the same array of every file each time: parse and index
 * that array once, not once per group.
 */
const analysedRuns = new WeakMap<GeneratedFile[], Promise<{ terraformFiles: GeneratedFile[]; byDir: Map<string, Directory> }>>();

async function analyse(all: GeneratedFile[]): Promise<{ terraformFiles: GeneratedFile[]; byDir: Map<string, Directory> }> {
  const parse = await loadHclParser();
  const terraformFiles = all.filter((f) => f.kind === "terraform" || f.kind === "tfvars");
  const parsed: ParsedFile[] = await Promise.all(
    terraformFiles.map(async (file) => {
      try {
        return { file, json: (await parse(posix.basename(file.path), file.content)) as JsonObject };
      } catch (error) {
        return { file, error: String((error as Error).message ?? error) };
      }
    }),
  );
  const grouped = new Map<string, ParsedFile[]>();
  for (const p of parsed) {
    const dir = directoryOf(p.file);
    grouped.set(dir, [...(grouped.get(dir) ?? []), p]);
  }
  return { terraformFiles, byDir: new Map([...grouped].map(([dir, files]) => [dir, collect(dir, files)])) };
}

/**
 * Checks every Terraform/tfvars file of `group` (one directory) against the full set `all` of generated files,
 * returning one validation per file of the group. Without `group`, checks every directory in `all`.
 */
export async function checkTerraformReferences(all: GeneratedFile[], group?: GeneratedFile[]): Promise<Validation[]> {
  let run = analysedRuns.get(all);
  if (!run) {
    run = analyse(all);
    analysedRuns.set(all, run);
  }
  const { terraformFiles, byDir } = await run;
  const wanted = group ?? terraformFiles;
  const dirs = new Set(wanted.map(directoryOf));
  const results: Validation[] = [];
  for (const dir of dirs) {
    const d = byDir.get(dir);
    if (!d) continue;
    const problems = checkDirectory(d, byDir);
    for (const p of d.files) {
      if (!wanted.includes(p.file)) continue;
      const messages = problems.get(p.file.path) ?? [];
      results.push({ path: p.file.path, validator: "terraform-references", ok: messages.length === 0, messages });
    }
  }
  return results;
}

/** Group-validator form for validate/index.ts: the group's files plus every file of the run. */
export function validateTerraformReferences(group: GeneratedFile[], all?: GeneratedFile[]): Promise<Validation[]> {
  return checkTerraformReferences(all ?? group, group);
}
