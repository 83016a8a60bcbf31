import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import type { GeneratedFile, Validation } from "../core/types.ts";
import { loadHclParser } from "./wasm.ts";

const run = promisify(execFile);

/** HCL parses (HashiCorp's own parser, compiled to WebAssembly in @cdktf/hcl2json). */
export async function validateHclSyntax(file: GeneratedFile): Promise<Validation> {
  const parse = await loadHclParser();
  try {
    await parse(basename(file.path), file.content);
    return { path: file.path, validator: "hcl", ok: true, messages: [] };
  } catch (error) {
    return { path: file.path, validator: "hcl", ok: false, messages: [String((error as Error).message ?? error)] };
  }
}

let terraformBinary: Promise<string | undefined> | undefined;

/** The `terraform` on PATH, if any (checked once per process). */
export function findTerraform(): Promise<string | undefined> {
  terraformBinary ??= run("terraform", ["version", "-json"], { timeout: 15_000 })
    .then(() => "terraform")
    .catch(() => undefined);
  return terraformBinary;
}

/** `terraform fmt -check` on the rendered files, when a terraform binary is available; reported as skipped otherwise. */
export async function validateTerraformFmt(files: GeneratedFile[]): Promise<Validation[]> {
  const terraform = await findTerraform();
  if (!terraform) {
    return files.map((f) => ({
      path: f.path, validator: "terraform-fmt", ok: true, skipped: true,
      messages: ["skipped: no terraform binary on PATH"],
    }));
  }
  const dir = await mkdtemp(join(tmpdir(), "senior-devops-fmt-"));
  try {
    const names = files.map((f, i) => `${i}-${basename(f.path)}`);
    await Promise.all(files.map((f, i) => writeFile(join(dir, names[i]!), f.content)));
    const unformatted = new Set<string>();
    try {
      await run(terraform, ["fmt", "-check", "-list=true", "-no-color", dir], { timeout: 60_000 });
    } catch (error) {
      const out = String((error as { stdout?: string }).stdout ?? "");
      for (const line of out.split("\n")) if (line.trim()) unformatted.add(basename(line.trim()));
      if (unformatted.size === 0) throw error;
    }
    return files.map((f, i) => {
      const bad = unformatted.has(names[i]!);
      return { path: f.path, validator: "terraform-fmt", ok: !bad, messages: bad ? ["not in canonical format (terraform fmt)"] : [] };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
