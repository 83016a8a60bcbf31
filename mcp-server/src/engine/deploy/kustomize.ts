import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describeErrno, RunFailure } from "../core/errors.ts";
import type { GeneratedFile, Validation } from "../core/types.ts";
import { validateKubernetes } from "../validate/kubernetes.ts";
import { kubectlBinary } from "./kubectl.ts";

/** Writes rendered files into a temp directory so kubectl can read a tree that is not (yet) on disk. */
export function materialise(files: GeneratedFile[]): string {
  const dir = mkdtempSync(join(tmpdir(), "senior-devops-deploy-"));
  try {
    for (const file of files) {
      const target = join(dir, ...file.path.split("/"));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content);
    }
  } catch (error) {
    // A full or size-limited TMPDIR (ENOSPC, EFBIG) must not leave the half-written copy behind.
    rmSync(dir, { recursive: true, force: true });
    const cause = describeErrno(error);
    if (!cause) throw error;
    throw new RunFailure(`cannot copy the rendered files into ${tmpdir()} for the kustomize check: ${cause.text}`, { cause: error });
  }
  return dir;
}

/** Runs a local tool (kubectl kustomize, helm) on rendered files: its output, or its error text; `missing` when not installed. */
export function runTool(command: string, args: string[], signal?: AbortSignal): Promise<{ ok: boolean; output: string; missing: boolean }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 120_000, maxBuffer: 32 * 1024 * 1024, ...(signal ? { signal } : {}) }, (error, stdout, stderr) => {
      const missing = (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
      resolve({ ok: !error, output: error ? `${stdout}${stderr || error.message}` : String(stdout), missing });
    });
  });
}

/** A rendered manifest stream checked against the schemas, as one validation of `path`. */
export async function renderedValidation(path: string, validator: string, built: { ok: boolean; output: string }): Promise<Validation> {
  if (!built.ok) return { path, validator, ok: false, messages: [built.output.trim()] };
  const schema = await validateKubernetes({ path, content: built.output, kind: "kubernetes" });
  return { path, validator, ok: schema.ok, messages: schema.messages.map((m) => `rendered: ${m}`) };
}

/**
 * Before anything is written: every overlay must build with `kubectl kustomize` (no cluster needed), and what it
 * builds must validate against the schemas. When kubectl is missing the check is reported as skipped, never passed.
 */
export async function validateOverlays(files: GeneratedFile[], overlays: string[], signal?: AbortSignal): Promise<Validation[]> {
  const dir = materialise(files);
  try {
    const results: Validation[] = [];
    for (const overlay of overlays) {
      const path = `${overlay}/kustomization.yaml`;
      const built = await runTool(kubectlBinary(), ["kustomize", join(dir, ...overlay.split("/"))], signal);
      if (built.missing) {
        results.push({ path, validator: "kustomize-build", ok: true, skipped: true, messages: ["kubectl not found: kustomize build not checked"] });
        continue;
      }
      results.push(await renderedValidation(path, "kustomize-build", built));
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
