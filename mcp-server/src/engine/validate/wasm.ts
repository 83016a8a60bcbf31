import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { namedExport } from "../core/interop.ts";

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

/** HashiCorp's HCL parser (@cdktf/hcl2json), a CommonJS package read through the same interop as the others. */
export function loadHclParser(): Promise<HclParse> {
  hclParse ??= import("@cdktf/hcl2json").then((module) => namedExport<HclParse>(module, "parse", "@cdktf/hcl2json"));
  return hclParse;
}
