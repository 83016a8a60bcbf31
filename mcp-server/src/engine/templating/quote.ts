import { stringify } from "yaml";

/**
 * Quoting helpers: every user- or analysis-supplied value goes through one of these before it lands in a
 * template, so it stays a single scalar of the target language whatever characters it holds.
 */

function assertString(value: unknown, helper: string): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value !== "string") throw new TypeError(`${helper}: expected a string, got ${value === null ? "null" : typeof value}`);
  return value;
}

/** A double-quoted YAML 1.2 scalar. */
export function yamlString(value: unknown): string {
  const text = assertString(value, "yaml");
  // doubleQuotedAsJSON: one line, every escape explicit, so the scalar is safe at any indentation.
  return stringify(text, { defaultStringType: "QUOTE_DOUBLE", doubleQuotedAsJSON: true, lineWidth: 0, minContentWidth: 0 }).trimEnd();
}

/** Any JSON-able value as a one-line YAML flow node (mappings, sequences, scalars). */
export function yamlFlow(value: unknown): string {
  return stringify(value, {
    collectionStyle: "flow",
    defaultStringType: "QUOTE_DOUBLE",
    doubleQuotedAsJSON: true,
    lineWidth: 0,
    minContentWidth: 0,
  }).trimEnd();
}

/**
 * A YAML literal block scalar (`|-`, `|`, `|+`) for multi-line text such as a `run:` script, indented by `indent`
 * spaces (the column of the key that owns it plus two). Falls back to a double-quoted scalar for text a block
 * scalar cannot hold exactly (control characters, a first content line starting with a space, trailing spaces).
 */
export function yamlBlock(value: unknown, indent: number): string {
  const text = assertString(value, "yamlBlock");
  const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]|\r|[ \t]$|[ \t]\n/m;
  const firstContentLine = text.split("\n").find((line) => line !== "") ?? "";
  if (!text.includes("\n") || unsafe.test(text) || /^[ \t]/.test(firstContentLine) || /^\s*$/.test(text)) return yamlString(text);
  const body = text.replace(/\n+$/, "");
  const trailing = text.length - body.length;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const pad = " ".repeat(indent);
  const lines = body.split("\n").map((line) => (line === "" ? "" : pad + line));
  const extra = trailing > 1 ? "\n".repeat(trailing - 1) : "";
  return `|${chomp}\n${lines.join("\n")}${extra}`;
}

const controlChar = /[\u0000-\u001f\u007f\u2028\u2029]/g;
const unicodeEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** A double-quoted HCL string literal; `${` and `%{` are escaped so no interpolation or directive can start. */
export function hclString(value: unknown): string {
  const text = assertString(value, "hcl");
  const body = text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(controlChar, unicodeEscape)
    .replace(/\$\{/g, () => "$${")
    .replace(/%\{/g, () => "%%{");
  return `"${body}"`;
}

/** A POSIX shell word: single-quoted, so nothing inside is expanded. */
export function shellWord(value: unknown): string {
  const text = assertString(value, "sh");
  if (text.includes("\u0000")) throw new TypeError("sh: NUL cannot appear in a shell word");
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A single-quoted Groovy string literal: never interpolated. */
export function groovyString(value: unknown): string {
  const text = assertString(value, "groovy");
  const body = text
    .replace(/\\/g, "\\\\")
    .replace(/'/g, "\\'")
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(controlChar, unicodeEscape);
  return `'${body}'`;
}
