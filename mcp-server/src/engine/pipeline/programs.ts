import type { Project } from "../analyze/types.ts";

const SERVICE_LIKE = /(^|[-_])(server|api|service|web|app|daemon|gateway|backend|worker)([-_]|$)/;
const TOOLING = /(^|[-_/])(cli|client|ctl|bench|benches|example|examples|demo|test|tests|tool|tools|gen|codegen|migrate|migrations|xtask|scripts?|internal)([-_/]|$)/;

/**
 * The program a Rust or Go project's image runs, with the others it builds; `undefined` when the analysis did not
 * read its programs. Rust bins are names, Go main packages are directories relative to the project.
 */
export function imageProgram(project: Project): { chosen?: string; others: string[] } | undefined {
  if (!project.binaries || !["rust", "go"].includes(project.language)) return undefined;
  const own = project.name.replace(/^@[^/]+\//, "").split("/").at(-1)!;
  const last = (b: string) => b === "." ? own : b.split("/").at(-1)!;
  const rank = (b: string) =>
    (b === "." || last(b) === own) && !TOOLING.test(b) ? 0 : SERVICE_LIKE.test(last(b)) && !TOOLING.test(b) ? 1 : TOOLING.test(b) ? 3 : 2;
  // Names go into a shell line of the Dockerfile: only plain path characters are carried.
  const sorted = project.binaries.filter((b) => /^[A-Za-z0-9._/-]+$/.test(b) && !b.includes("..")).sort((a, b) => rank(a) - rank(b));
  return { chosen: sorted[0], others: sorted.slice(1) };
}
