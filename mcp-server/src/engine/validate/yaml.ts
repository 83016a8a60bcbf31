import { parseAllDocuments } from "yaml";
import type { GeneratedFile, Validation } from "../core/types.ts";

/** YAML parses with no errors or warnings (duplicate keys count as errors). */
export function validateYaml(file: GeneratedFile): Validation {
  const messages = parseAllDocuments(file.content, { uniqueKeys: true }).flatMap((doc) =>
    "errors" in doc ? [...doc.errors, ...doc.warnings].map((e) => e.message.split("\n")[0] ?? e.message) : [],
  );
  return { path: file.path, validator: "yaml", ok: messages.length === 0, messages };
}
