// Provider schemas read from the prebuilt CDK provider packages (npm), for checking generated Terraform offline:
// each package's lib/<resource>/index.js maps every argument and nested block of a resource type to the name
// Terraform knows (`synthesizeAttributes` and one `<block>ToTerraform` function per block type). That is the
// provider's schema as its generator saw it, at the provider version the package names.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Arguments and blocks of one schema level: name → the nested level for blocks, null for plain arguments. */
export type Level = Map<string, Level | null>;

export interface ProviderSchema {
  providerVersion: string;
  resources: Map<string, Level>;
  dataSources: Map<string, Level>;
}

const ENTRY = /^\s+(\w+): (.*?),?$/;

/** The `return { ... }` object of a function body: key → the block's `xToTerraform` function, if any. */
function returnedKeys(lines: string[], start: number): Map<string, string | null> {
  const keys = new Map<string, string | null>();
  let i = start;
  while (i < lines.length && !/^\s+return \{$/.test(lines[i]!)) i++;
  for (i++; i < lines.length && !/^\s+\};?$/.test(lines[i]!); i++) {
    const m = ENTRY.exec(lines[i]!);
    if (!m) continue;
    const block = /\b(\w+ToTerraform)\b/.exec(m[2]!.replace(/cdkt[fn]\.\w+ToTerraform/g, ""));
    keys.set(m[1]!, block ? block[1]! : null);
  }
  return keys;
}

function parseModule(source: string): { type: string; level: Level } | undefined {
  const type = /(?:\.|static )tfResourceType = "([\w-]+)";/.exec(source)?.[1];
  if (!type) return undefined;
  const lines = source.split("\n");
  const functions = new Map<string, Map<string, string | null>>();
  let top: Map<string, string | null> | undefined;
  lines.forEach((line, index) => {
    const fn = /^function (\w+ToTerraform)\(struct\) \{$/.exec(line);
    if (fn) functions.set(fn[1]!, returnedKeys(lines, index));
    if (/^\s+synthesizeAttributes\(\) \{$/.test(line)) top = returnedKeys(lines, index);
  });
  if (!top) return undefined;
  const built = new Map<string, Level>();
  const build = (keys: Map<string, string | null>, seen: Set<string>): Level => {
    const level: Level = new Map();
    for (const [key, fn] of keys) {
      const nested = fn ? functions.get(fn) : undefined;
      if (!fn || !nested || seen.has(fn)) {
        level.set(key, nested ? new Map() : null);
        continue;
      }
      if (!built.has(fn)) built.set(fn, build(nested, new Set([...seen, fn])));
      level.set(key, built.get(fn)!);
    }
    return level;
  };
  return { type, level: build(top, new Set()) };
}

/** Reads an unpacked provider package (the directory holding package.json and lib/). */
export function loadProviderSchema(packageDir: string): ProviderSchema {
  const lib = join(packageDir, "lib");
  const resources = new Map<string, Level>();
  const dataSources = new Map<string, Level>();
  let providerVersion = "";
  for (const entry of readdirSync(lib, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    let source: string;
    try {
      source = readFileSync(join(lib, entry.name, "index.js"), "utf8");
    } catch {
      continue;
    }
    if (entry.name === "provider") providerVersion = /providerVersion: '([^']+)'/.exec(source)?.[1] ?? "";
    const parsed = parseModule(source);
    if (!parsed) continue;
    (entry.name.startsWith("data-") ? dataSources : resources).set(parsed.type, parsed.level);
  }
  return { providerVersion, resources, dataSources };
}

const META = new Set(["count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"]);
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isBlockList = (v: Json | undefined): v is { [key: string]: Json }[] =>
  Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "object" && x !== null && !Array.isArray(x));

/** Names used in a resource/data body that its schema level does not know, as dotted paths. */
export function unknownArguments(body: { [key: string]: Json }, level: Level, path = ""): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (path === "" && META.has(key)) continue;
    if (key === "dynamic" && typeof value === "object" && value !== null) {
      // hcl2json writes `dynamic "label" { ... }` as { dynamic: { label: [{ for_each, content: [...] }] } }.
      for (const labelled of Array.isArray(value) ? value : [value]) {
        if (typeof labelled !== "object" || labelled === null || Array.isArray(labelled)) continue;
        for (const [label, specs] of Object.entries(labelled)) {
          if (!level.has(label)) { out.push(`${path}dynamic "${label}"`); continue; }
          const nested = level.get(label);
          if (!isBlockList(specs) || !nested) continue;
          for (const spec of specs) {
            const content = spec.content;
            if (isBlockList(content)) for (const c of content) out.push(...unknownArguments(c, nested, `${path}${label}.`));
          }
        }
      }
      continue;
    }
    if (!level.has(key)) { out.push(`${path}${key}`); continue; }
    const nested = level.get(key);
    if (nested && nested.size > 0 && isBlockList(value)) {
      for (const block of value) out.push(...unknownArguments(block, nested, `${path}${key}.`));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Reduced provider schemas: the part of `terraform providers schema -json` (from the real provider plugin) that
// covers the resource and data source types the generator emits, committed as tests/terraform/*-schema.json and
// regenerated by tests/terraform/reduce-provider-schema.ts. They carry what the CDK packages lack: which
// arguments are required, which are blocks and which attributes, and how many blocks a nesting allows.

/** A cty type as Terraform writes it in JSON: "string", ["list", "string"], ["object", {...}], ... */
export type CtyType = string | [string, unknown] | [string, unknown, unknown];

export interface ReducedAttribute {
  type?: CtyType;
  /** Attributes with a nested type (plugin framework): their own attributes and nesting. */
  nested?: { nesting: string; attributes: Record<string, ReducedAttribute> };
  required?: true;
  optional?: true;
  computed?: true;
  deprecated?: true;
}

export interface ReducedBlock {
  attributes: Record<string, ReducedAttribute>;
  blocks: Record<string, { nesting: string; min_items?: number; max_items?: number; block: ReducedBlock }>;
}

export interface ReducedProvider {
  version: string;
  resources: Record<string, ReducedBlock>;
  data_sources: Record<string, ReducedBlock>;
}

export interface ReducedSchemaFile {
  description: string;
  /** Provider source address → its reduced schema. */
  providers: Record<string, ReducedProvider>;
}

interface FullAttribute {
  type?: CtyType;
  nested_type?: { nesting_mode: string; attributes: Record<string, FullAttribute> };
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  deprecated?: boolean;
}
interface FullBlock {
  attributes?: Record<string, FullAttribute>;
  block_types?: Record<string, { nesting_mode: string; min_items?: number; max_items?: number; block: FullBlock }>;
}
/** The shape of `terraform providers schema -json` (format 1.0) this reduction reads. */
export interface ProvidersSchemaJson {
  format_version: string;
  provider_schemas: Record<string, {
    resource_schemas?: Record<string, { block: FullBlock }>;
    data_source_schemas?: Record<string, { block: FullBlock }>;
  }>;
}

const sorted = <T>(entries: [string, T][]): Record<string, T> =>
  Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function reduceAttribute(a: FullAttribute): ReducedAttribute {
  const out: ReducedAttribute = {};
  if (a.type !== undefined) out.type = a.type;
  if (a.nested_type) {
    out.nested = {
      nesting: a.nested_type.nesting_mode,
      attributes: sorted(Object.entries(a.nested_type.attributes).map(([k, v]) => [k, reduceAttribute(v)])),
    };
  }
  if (a.required) out.required = true;
  if (a.optional) out.optional = true;
  if (a.computed) out.computed = true;
  if (a.deprecated) out.deprecated = true;
  return out;
}

export function reduceBlock(block: FullBlock): ReducedBlock {
  return {
    attributes: sorted(Object.entries(block.attributes ?? {}).map(([k, v]) => [k, reduceAttribute(v)])),
    blocks: sorted(Object.entries(block.block_types ?? {}).map(([k, v]) => [k, {
      nesting: v.nesting_mode,
      ...(v.min_items ? { min_items: v.min_items } : {}),
      ...(v.max_items ? { max_items: v.max_items } : {}),
      block: reduceBlock(v.block),
    }])),
  };
}

/**
 * Keeps, of each provider in a full schema, only the given resource and data source types (a type the provider
 * does not know is an error: the reduction would silently drop what the check must find).
 */
export function reduceSchema(
  full: ProvidersSchemaJson,
  versions: Record<string, string>,
  wanted: { resources: string[]; dataSources: string[] },
  description: string,
): ReducedSchemaFile {
  const providers: Record<string, ReducedProvider> = {};
  const missing: string[] = [];
  for (const [address, schema] of Object.entries(full.provider_schemas)) {
    const prefix = `${address.split("/").pop()}_`;
    const pick = (all: Record<string, { block: FullBlock }> | undefined, names: string[], kind: string) =>
      sorted(names.filter((n) => n.startsWith(prefix)).flatMap((n): [string, ReducedBlock][] => {
        const s = all?.[n];
        if (!s) { missing.push(`${kind} ${n} (${address})`); return []; }
        return [[n, reduceBlock(s.block)]];
      }));
    const version = versions[address];
    if (!version) throw new Error(`no version known for provider ${address}`);
    providers[address] = {
      version,
      resources: pick(schema.resource_schemas, wanted.resources, "resource"),
      data_sources: pick(schema.data_source_schemas, wanted.dataSources, "data source"),
    };
  }
  if (missing.length > 0) throw new Error(`types the provider does not have: ${missing.join(", ")}`);
  return { description, providers: sorted(Object.entries(providers)) };
}

/** Whether a cty type is a list or set of objects, which HCL may write as `x = [{ ... }]` (parsed like blocks). */
const objectCollection = (t: CtyType | undefined): boolean =>
  Array.isArray(t) && (t[0] === "list" || t[0] === "set") && Array.isArray(t[1]) && t[1][0] === "object";

const isObject = (v: Json | undefined): v is { [key: string]: Json } => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Problems of one resource/data body (as hcl2json parses it) against its reduced schema: unknown arguments and
 * blocks, arguments Terraform computes and one cannot set, a block written as an attribute or an attribute as a
 * block, a missing required argument or block, and more blocks than the nesting allows.
 */
export function schemaProblems(body: { [key: string]: Json }, block: ReducedBlock, path = ""): string[] {
  const out: string[] = [];
  const counts = new Map<string, number>();
  const nestedBlock = (name: string, contents: Json[], where: string) => {
    const spec = block.blocks[name]!;
    counts.set(name, (counts.get(name) ?? 0) + contents.length);
    for (const content of contents) {
      if (isObject(content)) out.push(...schemaProblems(content, spec.block, `${where}${name}.`));
    }
  };
  for (const [key, value] of Object.entries(body)) {
    if (path === "" && META.has(key)) continue;
    if (key === "dynamic" && (isObject(value) || isBlockList(value))) {
      for (const labelled of Array.isArray(value) ? value : [value]) {
        if (!isObject(labelled)) continue;
        for (const [label, specs] of Object.entries(labelled)) {
          if (!block.blocks[label]) {
            out.push(`${path}dynamic "${label}": ${block.attributes[label] ? "is an attribute, not a block" : "unknown block"}`);
            continue;
          }
          // A dynamic block may produce any number of blocks: count it as at least one, check its content.
          counts.set(label, Math.max(counts.get(label) ?? 0, 1));
          for (const spec of isBlockList(specs) ? specs : []) {
            const content = spec.content;
            if (isBlockList(content)) for (const c of content) out.push(...schemaProblems(c, block.blocks[label]!.block, `${path}${label}.`));
          }
        }
      }
      continue;
    }
    const attribute = block.attributes[key];
    const nested = block.blocks[key];
    if (attribute) {
      if (attribute.computed && !attribute.optional && !attribute.required) out.push(`${path}${key}: computed by the provider, cannot be set`);
      else if (isBlockList(value) && !attribute.nested && !objectCollection(attribute.type)) out.push(`${path}${key}: is an attribute, written as a block`);
      continue;
    }
    if (nested) {
      if (isBlockList(value)) nestedBlock(key, value, path);
      else out.push(`${path}${key}: is a block, written as an attribute`);
      continue;
    }
    out.push(`${path}${key}: unknown argument`);
  }
  for (const [name, attribute] of Object.entries(block.attributes)) {
    if (attribute.required && !(name in body)) out.push(`${path}${name}: required argument missing`);
  }
  for (const [name, spec] of Object.entries(block.blocks)) {
    const n = counts.get(name) ?? 0;
    if (spec.min_items && n < spec.min_items) out.push(`${path}${name}: required block missing`);
    if (spec.max_items && n > spec.max_items) out.push(`${path}${name}: ${n} blocks, at most ${spec.max_items} allowed`);
  }
  return out;
}

/** Deprecated arguments a body sets (the provider's next major removes them). */
export function deprecatedArguments(body: { [key: string]: Json }, block: ReducedBlock, path = ""): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (block.attributes[key]?.deprecated) out.push(`${path}${key}`);
    const nested = block.blocks[key];
    if (nested && isBlockList(value)) for (const b of value) out.push(...deprecatedArguments(b, nested.block, `${path}${key}.`));
  }
  return out;
}
