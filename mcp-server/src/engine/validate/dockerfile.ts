import { namedExport } from "../core/interop.ts";
import type { GeneratedFile, Validation } from "../core/types.ts";

/** Dockerfile passes dockerfile-utils validation (the linter behind the Docker language server) with no findings. */
export async function validateDockerfile(file: GeneratedFile): Promise<Validation> {
  const validate = namedExport<typeof import("dockerfile-utils").validate>(await import("dockerfile-utils"), "validate", "dockerfile-utils");
  const problems = validate(file.content);
  return {
    path: file.path,
    validator: "dockerfile-utils",
    ok: problems.length === 0,
    messages: problems.map((p) => `${p.range.start.line + 1}:${p.range.start.character + 1} ${p.message}`),
  };
}
