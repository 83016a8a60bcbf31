import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where a WebAssembly validator lives: the bundle ships them in mcp-server/dist/wasm (this code then runs from
 * dist/ or dist/chunks/); from the sources they come from the npm package in node_modules.
 */
export function wasmFile(shippedName: string, packageName: string, fileBesideMain: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [here, dirname(here)]) {
    const shipped = join(dir, "wasm", shippedName);
    if (existsSync(shipped)) return shipped;
  }
  const require = createRequire(import.meta.url);
  // Resolve the package's main module (its exports may not expose package.json) and look beside it.
  return join(dirname(require.resolve(packageName)), fileBesideMain);
}

type HclParse = (filename: string, contents: string) => Promise<Record<string, unknown>>;
let hclParse: Promise<HclParse> | undefined;

/**
 * HashiCorp's HCL parser (@cdktf/hcl2json). It is CommonJS with getter-defined exports, which a bundler's
 * ESM interop exposes only on `default`; accept both shapes.
 */
export function loadHclParser(): Promise<HclParse> {
  hclParse ??= import("@cdktf/hcl2json").then((module) => {
    const candidate = (module as { parse?: HclParse }).parse ?? (module as unknown as { default?: { parse?: HclParse } }).default?.parse;
    if (typeof candidate !== "function") throw new Error("@cdktf/hcl2json: parse() not found");
    return candidate;
  });
  return hclParse;
}
