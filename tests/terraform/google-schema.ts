// The committed reduced schema of the google and random providers (see reduce-provider-schema.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../shipped.ts";
import type { ReducedBlock, ReducedSchemaFile } from "./provider-schema.ts";

export const GOOGLE_SCHEMA_FILE = join(REPO, "tests", "terraform", "google-schema.json");

export function loadGoogleSchema(): ReducedSchemaFile {
  return JSON.parse(readFileSync(GOOGLE_SCHEMA_FILE, "utf8")) as ReducedSchemaFile;
}

/**
 * The file's text: one line per attribute (its flags and type), blocks nested by indentation, so that a provider
 * upgrade shows as a readable diff of the arguments that changed.
 */
export function formatReducedSchema(schema: ReducedSchemaFile): string {
  const pad = (n: number) => " ".repeat(n);
  const entries = (obj: Record<string, unknown>, indent: number, value: (v: unknown, indent: number) => string) =>
    Object.keys(obj).length === 0
      ? "{}"
      : `{\n${Object.entries(obj).map(([k, v]) => `${pad(indent + 1)}${JSON.stringify(k)}: ${value(v, indent + 1)}`).join(",\n")}\n${pad(indent)}}`;
  const block = (b: ReducedBlock, indent: number): string =>
    `{\n${pad(indent + 1)}"attributes": ${entries(b.attributes, indent + 1, (a) => JSON.stringify(a))},\n` +
    `${pad(indent + 1)}"blocks": ${entries(b.blocks, indent + 1, (v, i) => {
      const { block: inner, ...rest } = v as ReducedBlock["blocks"][string];
      return `${JSON.stringify(rest).slice(0, -1)}, "block": ${block(inner, i)}}`;
    })}\n${pad(indent)}}`;
  const provider = (p: unknown, indent: number) => {
    const { version, resources, data_sources } = p as ReducedSchemaFile["providers"][string];
    return `{\n${pad(indent + 1)}"version": ${JSON.stringify(version)},\n` +
      `${pad(indent + 1)}"resources": ${entries(resources, indent + 1, (b, i) => block(b as ReducedBlock, i))},\n` +
      `${pad(indent + 1)}"data_sources": ${entries(data_sources, indent + 1, (b, i) => block(b as ReducedBlock, i))}\n${pad(indent)}}`;
  };
  return `{\n "description": ${JSON.stringify(schema.description)},\n "providers": ${entries(schema.providers, 1, provider)}\n}\n`;
}
