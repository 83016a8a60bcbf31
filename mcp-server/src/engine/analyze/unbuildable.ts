/**
 * Code the generator cannot build or test (no supported ecosystem): named in warnings instead of being dropped
 * silently, so nobody mistakes a green pipeline for one that covers them.
 */
import { type Repo, dirname, isWithin } from "./repo.ts";
import type { Project } from "./types.ts";

export function warnUnbuildable(repo: Repo, projects: Project[]): void {
  const dirsOf = (test: (name: string) => boolean) => [...new Set(repo.filesUnder(".", test).map(dirname))].sort();
  const where = (dirs: string[]) => dirs.map((d) => (d === "." ? "the root" : d)).slice(0, 5).join(", ") + (dirs.length > 5 ? ` and ${dirs.length - 5} more` : "");

  const cmake = dirsOf((n) => n === "CMakeLists.txt").filter((d) => !dirsOf((n) => n === "CMakeLists.txt").some((o) => o !== d && isWithin(d, o)));
  if (cmake.length) repo.warn(`C/C++ (CMake) code in ${where(cmake)} is not built or tested: the generator has no C/C++ support`);
  const mix = dirsOf((n) => n === "mix.exs");
  if (mix.length) repo.warn(`Elixir (mix.exs) in ${where(mix)} is not built or tested: the generator has no Elixir support`);
  const goProjects = projects.filter((p) => p.language === "go").map((p) => p.path);
  const strayGo = dirsOf((n) => n.endsWith(".go")).filter((d) => !goProjects.some((g) => isWithin(d, g)));
  const strayRoots = strayGo.filter((d) => !strayGo.some((o) => o !== d && isWithin(d, o)));
  if (strayRoots.length) repo.warn(`Go code without a go.mod in ${where(strayRoots)} is not built or tested: add a go.mod (go mod init) so CI can build it`);
}
