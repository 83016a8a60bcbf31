import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/** Where the writer records what it generated, relative to the target root. */
export const MANIFEST_PATH = ".senior-devops/manifest.json";

const manifestSchema = z.object({
  version: z.literal(1),
  /** Generated path → sha256 of the content we wrote. A file whose current hash matches is ours to update. */
  files: z.record(z.string(), z.object({ sha256: z.string(), tool: z.string() })),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const sha256 = (content: string | Buffer) => createHash("sha256").update(content).digest("hex");

export function readManifest(realRoot: string): { manifest: Manifest; warning?: string } {
  let text: string;
  try {
    text = readFileSync(join(realRoot, ...MANIFEST_PATH.split("/")), "utf8");
  } catch {
    return { manifest: { version: 1, files: {} } };
  }
  return parseManifest(text);
}

/** The manifest read without following links (a symlinked or missing manifest is no manifest). */
export function readManifestSafely(safe: { readFile(rel: string): string | undefined }): { manifest: Manifest; warning?: string } {
  let text: string | undefined;
  try {
    text = safe.readFile(MANIFEST_PATH);
  } catch {
    text = undefined;
    return { manifest: { version: 1, files: {} }, warning: `${MANIFEST_PATH} is not a regular file inside the repository; treating every existing file as user-owned` };
  }
  if (text === undefined) return { manifest: { version: 1, files: {} } };
  return parseManifest(text);
}

function parseManifest(text: string): { manifest: Manifest; warning?: string } {
  try {
    return { manifest: manifestSchema.parse(JSON.parse(text)) };
  } catch {
    return {
      manifest: { version: 1, files: {} },
      warning: `${MANIFEST_PATH} is unreadable; treating every existing file as user-owned (nothing will be overwritten without force)`,
    };
  }
}

export function serialiseManifest(manifest: Manifest): string {
  const files = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => a.localeCompare(b)));
  return `${JSON.stringify({ version: 1, files }, null, 2)}\n`;
}
