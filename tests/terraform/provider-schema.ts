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
