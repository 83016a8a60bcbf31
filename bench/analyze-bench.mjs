// Analyzer benchmark: `node --import tsx bench/analyze-bench.mjs`
// Generates (in a temp dir, removed afterwards) a >= 50,000-file tree with a big node_modules, a .git
// directory, build output and ~20 real projects, analyses it, then analyses the same tree without
// node_modules. Prints files in tree, files visited, files read, time, and the ratios measured in this run.
import { mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { analyzeRepository } from "../mcp-server/src/engine/analyze/index.ts";
import { generateTree } from "./analyze/tree.ts";

const base = mkdtempSync(join(tmpdir(), "sd-analyze-bench-"));
const root = join(base, "repo");
try {
  let t = performance.now();
  const { totalFiles, projectDirs } = generateTree(root, {
    projects: 20,
    nodeModulesFiles: 40_000,
    gitFiles: 5_000,
    buildFiles: 4_000,
    sourceFiles: 2_000,
  });
  console.log(`generated ${totalFiles} files (${projectDirs.length} projects) in ${Math.round(performance.now() - t)} ms`);

  // Full and lean runs are interleaved (node_modules moved out of the tree and back between them) so that
  // load from other processes hits both sides alike; medians of 7 rounds after one warm-up each.
  const parked = join(base, "parked-node_modules");
  const once = async () => {
    const s = performance.now();
    const a = await analyzeRepository(root);
    return { a, ms: performance.now() - s };
  };
  await once();
  renameSync(join(root, "node_modules"), parked);
  await once();
  renameSync(parked, join(root, "node_modules"));
  const full = [];
  const lean = [];
  for (let i = 0; i < 7; i++) {
    full.push(await once());
    renameSync(join(root, "node_modules"), parked);
    lean.push(await once());
    renameSync(parked, join(root, "node_modules"));
  }
  const median = (xs) => xs.map((x) => x.ms).sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const show = (label, runs) => {
    const a = runs[0].a;
    console.log(
      `${label.padEnd(24)} projects=${a.projects.length} filesVisited=${a.stats.filesVisited} dirsVisited=${a.stats.directoriesVisited} ` +
        `filesRead=${a.stats.filesRead} median=${median(runs).toFixed(1)} ms`,
    );
    return a;
  };
  const fa = show("full tree", full);
  const la = show("without node_modules", lean);
  console.log(`files in tree: ${totalFiles}; files visited / files in tree: ${(fa.stats.filesVisited / totalFiles).toFixed(4)}`);
  console.log(`time ratio full / without node_modules: ${(median(full) / median(lean)).toFixed(2)}x (about 1x: cost follows what is read, not the tree)`);
  console.log(`filesVisited identical: ${fa.stats.filesVisited === la.stats.filesVisited}; filesRead identical: ${fa.stats.filesRead === la.stats.filesRead}`);
} finally {
  rmSync(base, { recursive: true, force: true });
}
