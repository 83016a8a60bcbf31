import { SECRET_NAME } from "./model.ts";

export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

/** Splits `registry:port/name:tag@sha256:…`; undefined when it holds variables we cannot resolve. */
export function parseImage(reference: string): ImageRef | undefined {
  const ref = reference.trim();
  if (ref === "" || /[$]|\{\{/.test(ref)) return undefined;
  const at = ref.indexOf("@");
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const rest = at >= 0 ? ref.slice(0, at) : ref;
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > slash) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, digest };
}

/**
 * How an image reference falls short: "latest" (no tag or :latest, warning) or "tag" (version tag, no digest,
 * note); undefined when pinned by digest or not judgeable (variables, scratch).
 */
export function imageProblem(reference: string): { level: "latest" | "tag"; text: string } | undefined {
  const image = parseImage(reference);
  if (!image || image.name === "scratch") return undefined;
  if (image.digest) return undefined;
  if (!image.tag || image.tag === "latest") return { level: "latest", text: `image ${reference} has ${image.tag ? "the moving tag latest" : "no tag (implies latest)"}` };
  return { level: "tag", text: `image ${reference} is pinned by tag only, not by digest` };
}

/** Well-known token shapes: a literal that looks like one is a leaked credential whatever its key is called. */
export const TOKEN_SHAPES = [
  /\bsq[pua]_[0-9a-f]{40}\b/, /\bAIza[0-9A-Za-z_-]{35}\b/, /\bhooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,}/,
  /\bgh[pousr]_[A-Za-z0-9]{30,}/, /\bgithub_pat_[A-Za-z0-9_]{40,}/, /\bglpat-[A-Za-z0-9_-]{20}/, /\bAKIA[0-9A-Z]{16}\b/,
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/, /\bsk-[A-Za-z0-9]{32,}/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /\bnpm_[A-Za-z0-9]{36}\b/,
];
/** 1-based positions of well-known token shapes anywhere in a file (commands, URLs, comments). */
export function tokenShapesIn(text: string): { line: number; column: number; shape: string }[] {
  const out: { line: number; column: number; shape: string }[] = [];
  text.split("\n").forEach((line, i) => {
    for (const re of TOKEN_SHAPES) {
      const m = re.exec(line);
      if (m) out.push({ line: i + 1, column: m.index + 1, shape: `${m[0].slice(0, 6)}…` });
    }
  });
  return out;
}

/** Throw-away values used for local test databases and examples; not credentials worth a finding. */
const DUMMY = /^(postgres|password|passw0rd|secret|test|testing|example|changeme|change-me|root|admin|mysql|redis|guest|dummy|fake|xxx+|\*+|none|null|true|false|local|dev|development)$/i;

/**
 * A plain-text credential: a well-known token shape anywhere, or a literal (no variable, expression or secret
 * reference) of at least 8 characters under a credential-like name.
 */
export function looksLikeSecret(name: string, value: string): boolean {
  const v = value.trim();
  if (TOKEN_SHAPES.some((re) => re.test(v))) return true;
  if (!SECRET_NAME.test(name)) return false;
  if (v.length < 8 || DUMMY.test(v)) return false;
  if (/\$\{\{|\$\{|\$[A-Za-z_]|\{\{|%\{|^\(\(|credentials\(|vault:|^arn:|^projects\//.test(v)) return false;
  // Names of other things (a file path, a URL without userinfo, a secret's name) are not the secret itself.
  if (/^[./~]|^https?:\/\/[^@]*$|^[A-Z0-9_]+$/.test(v)) return false;
  return true;
}
