// Container image tags known to be published. The engine's pinned image table (each entry verified when it was
// pinned) plus the version-derived tag families of the official images the generator composes from a project's own
// toolchain version, bounded to the versions those families were actually published for. Anything else fails.
import { CONTAINER_IMAGES } from "../../mcp-server/src/engine/pipeline/pinned-actions.ts";

const inRange = (n: number, lo: number, hi: number) => Number.isInteger(n) && n >= lo && n <= hi;

/** Tag families of official images, with the version ranges published for that exact variant. */
const FAMILIES: { image: string; tag: RegExp; published: (m: RegExpMatchArray) => boolean; why: string }[] = [
  // The bookworm variants exist from Node 18 on (Node 12 and 14 were end-of-life before Debian 12 shipped).
  { image: "node", tag: /^(\d+)(?:\.\d+){0,2}-bookworm(-slim)?$/, published: (m) => inRange(Number(m[1]), 18, 25), why: "node:<18..25>[.minor[.patch]]-bookworm[-slim]" },
  { image: "python", tag: /^3\.(\d+)(?:\.\d+)?-slim$/, published: (m) => inRange(Number(m[1]), 8, 14), why: "python:3.<8..14>-slim" },
  { image: "golang", tag: /^1\.(\d+)(?:\.\d+)?-bookworm$/, published: (m) => inRange(Number(m[1]), 20, 27), why: "golang:1.<20..27>-bookworm" },
  { image: "rust", tag: /^1\.(\d+)(?:\.\d+)?-slim$/, published: (m) => inRange(Number(m[1]), 40, 98), why: "rust:1.<40..98>-slim" },
  { image: "maven", tag: /^3\.9-eclipse-temurin-(\d+)$/, published: (m) => [8, 11, 17, 21, 25].includes(Number(m[1])), why: "maven:3.9-eclipse-temurin-<8|11|17|21|25>" },
  { image: "gradle", tag: /^(\d+)-jdk(\d+)$/, published: (m) => (m[1] === "9" ? [17, 21, 25] : m[1] === "8" ? [11, 17, 21] : []).includes(Number(m[2])), why: "gradle:9-jdk<17|21|25>, gradle:8-jdk<11|17|21>" },
  { image: "ruby", tag: /^(\d+)\.(\d+)(?:\.\d+)?$/, published: (m) => (m[1] === "3" && inRange(Number(m[2]), 0, 4)) || (m[1] === "2" && inRange(Number(m[2]), 4, 7)) || (m[1] === "4" && m[2] === "0"), why: "ruby:<2.4..2.7|3.0..3.4|4.0>" },
  { image: "oven/bun", tag: /^1\.(\d+)(?:\.\d+)?(-debian)?$/, published: (m) => inRange(Number(m[1]), 0, 3), why: "oven/bun:1.<0..3>[-debian]" },
  { image: "mcr.microsoft.com/dotnet/sdk", tag: /^(\d+)\.0$/, published: (m) => inRange(Number(m[1]), 6, 10), why: "mcr.microsoft.com/dotnet/sdk:<6..10>.0" },
  // CircleCI's monthly snapshots of its base image (cimg/base:<YYYY.MM>); 2026.07 is the newest the CircleCI
  // developer hub shows.
  { image: "cimg/base", tag: /^(20\d\d)\.(\d\d)$/, published: (m) => { const ym = Number(m[1]) * 100 + Number(m[2]); return Number(m[2]) >= 1 && Number(m[2]) <= 12 && ym >= 202001 && ym <= 202607; }, why: "cimg/base:<2020.01..2026.07>" },
  // Service containers the generator wires for tests.
  { image: "postgres", tag: /^(\d+)(?:-alpine)?$/, published: (m) => inRange(Number(m[1]), 12, 18), why: "postgres:<12..18>[-alpine]" },
  { image: "mysql", tag: /^(8\.0|8\.4|9)$/, published: () => true, why: "mysql:<8.0|8.4|9>" },
  { image: "mariadb", tag: /^(10\.11|11\.4|11\.8)$/, published: () => true, why: "mariadb:<10.11|11.4|11.8>" },
  { image: "redis", tag: /^(6|7|8)(?:\.\d+)?(?:-alpine)?$/, published: () => true, why: "redis:<6|7|8>[-alpine]" },
  // The official mongo images from 6.0 on ship mongosh, which the GitHub service health check runs.
  { image: "mongo", tag: /^(6\.0|7\.0|8\.0|8\.2|6|7|8)$/, published: () => true, why: "mongo:<6.0|7.0|8.0|8.2|6|7|8>" },
];

const PINNED = new Set(Object.values(CONTAINER_IMAGES).map((e) => `${e.image}:${e.tag}`));

/** Undefined when `ref` is a published tag, else why not. */
export function unpublished(ref: string): string | undefined {
  if (PINNED.has(ref)) return undefined;
  const at = ref.lastIndexOf(":");
  if (at <= 0 || ref.includes("$")) return `${ref}: no literal tag`;
  const image = ref.slice(0, at);
  const tag = ref.slice(at + 1);
  const families = FAMILIES.filter((f) => f.image === image);
  if (families.length === 0) return `${ref}: image is neither in the engine's pinned table nor a known official family`;
  for (const f of families) {
    const m = tag.match(f.tag);
    if (m && f.published(m)) return undefined;
  }
  return `${ref}: not a published tag (published: ${families.map((f) => f.why).join("; ")})`;
}

/** Every image reference in a generated CI file (GitLab/CircleCI/Jenkins/GitHub YAML or a Jenkinsfile). */
export function imageRefs(content: string): string[] {
  const refs = new Set<string>();
  for (const m of content.matchAll(/(?:^|\s)(?:-\s+)?(?:image|name):\s*["']?([a-z0-9][\w./-]*:[\w.-]+)["']?\s*$/gm)) refs.add(m[1]!);
  for (const m of content.matchAll(/\bimage\s+['"]([a-z0-9][\w./-]*:[\w.-]+)['"]/g)) refs.add(m[1]!);
  for (const m of content.matchAll(/docker run [^\n]*?\s([a-z0-9][\w./-]*\/[\w.-]+:[\w.-]+)\s/g)) refs.add(m[1]!);
  return [...refs].filter((r) => !r.startsWith("$"));
}
