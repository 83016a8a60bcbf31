import { isMap, isScalar, isSeq, parseDocument, visit, type Pair } from "yaml";
import type { GeneratedFile, Validation } from "../core/types.ts";

const PINNED_USES = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$/;
const VERSION_COMMENT = /^\s*v\d+(\.\d+){0,2}\b/;
/** Contexts an attacker controls on pull_request/issue events; they must reach `run:` only through `env:`. */
const UNTRUSTED = /\$\{\{[^}]*\b(github\.event\.|github\.head_ref|inputs\.)/;

/**
 * SPEC §5 rules for GitHub workflows that actionlint does not enforce: every action is pinned to a full
 * commit SHA with a `# vX.Y.Z` comment, the workflow declares top-level `permissions`, and no expression
 * from untrusted event data is interpolated into a `run:` script.
 */
export function validateWorkflowSecurity(file: GeneratedFile): Validation {
  const messages: string[] = [];
  const doc = parseDocument(file.content);
  const root = doc.contents;
  if (file.kind === "github-workflow" && (!isMap(root) || !root.has("permissions"))) {
    messages.push("workflow has no top-level `permissions` (least privilege must be explicit)");
  }
  visit(doc, {
    Pair(_key, pair: Pair) {
      if (!isScalar(pair.key) || !isScalar(pair.value)) return;
      const key = String(pair.key.value);
      const value = String(pair.value.value);
      if (key === "uses" && !value.startsWith("./") && !value.startsWith("docker://")) {
        if (!PINNED_USES.test(value)) messages.push(`uses: ${value} is not pinned to a full 40-character commit SHA`);
        else if (!VERSION_COMMENT.test(pair.value.comment ?? "")) messages.push(`uses: ${value} has no "# vX.Y.Z" version comment`);
      }
      if (key === "run" && UNTRUSTED.test(value)) {
        messages.push(`run: interpolates untrusted input directly (${value.match(UNTRUSTED)?.[0]}…); pass it through env:`);
      }
    },
  });
  if (isSeq(root)) messages.push("workflow root must be a mapping");
  return { path: file.path, validator: "workflow-security", ok: messages.length === 0, messages };
}
