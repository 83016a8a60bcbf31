/**
 * Builds a synthetic repository for the analyzer benchmark and the scaling test: real projects copied from
 * tests/fixtures (each under its own directory, so the whole is a multi-service repository), plus the bulk
 * that a real checkout carries and the analyzer must not pay for: node_modules, .git objects, build output.
 */
import { cpSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "tests", "fixtures");

export interface TreeSpec {
  /** how many fixture projects to copy in (cycled through the fixture list) */
  projects: number;
  /** files inside node_modules (spread over packages of 10 files each) */
  nodeModulesFiles: number;
  /** files under .git/objects */
  gitFiles: number;
  /** files under build output dirs (dist/, target/, build/, .next/) */
  buildFiles: number;
  /** plain source files in the projects' src trees */
  sourceFiles: number;
}

export interface TreeCounts {
  projectDirs: string[];
  /** every file written or copied */
  totalFiles: number;
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countFiles(join(dir, e.name)) : 1;
  return n;
}

/** Fixture names usable as standalone projects (the deliberately awkward and empty ones are left out). */
export function projectFixtures(): string[] {
  return readdirSync(FIXTURES).filter((f) => !f.startsWith("awkward-") && f !== "empty-repo" && !f.startsWith("monorepo-")).sort();
}

export function writeProjects(root: string, count: number): string[] {
  const fixtures = projectFixtures();
  const dirs: string[] = [];
  for (let i = 0; i < count; i++) {
    const fixture = fixtures[i % fixtures.length]!;
    const rel = `services/${fixture}-${i}`;
    cpSync(join(FIXTURES, fixture), join(root, rel), { recursive: true });
    dirs.push(rel);
  }
  return dirs;
}

function write(root: string, rel: string, content: string): void {
  const full = join(root, rel);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

/** Adds `files` files under node_modules, .git and build output of `root` (the bulk the analyzer must prune). */
export function writeBulk(root: string, spec: Pick<TreeSpec, "nodeModulesFiles" | "gitFiles" | "buildFiles">, tag = "a"): number {
  let n = 0;
  for (let i = 0; n < spec.nodeModulesFiles; i++) {
    const pkg = `node_modules/${tag}-pkg-${i}`;
    write(root, `${pkg}/package.json`, JSON.stringify({ name: `${tag}-pkg-${i}`, version: "1.0.0", scripts: { test: "mocha", build: "tsc" } }));
    n++;
    for (let j = 0; j < 9 && n < spec.nodeModulesFiles; j++, n++) write(root, `${pkg}/lib/m${j}.js`, "module.exports = 1;\n");
  }
  for (let i = 0; i < spec.gitFiles; i++) write(root, `.git/objects/${(i % 256).toString(16).padStart(2, "0")}/${tag}${i}`, "x");
  const outs = ["dist", "target", "build", ".next"];
  for (let i = 0; i < spec.buildFiles; i++) {
    const out = outs[i % outs.length]!;
    write(root, `${out}/${tag}/chunk-${i}${i % 50 === 0 ? "/package.json" : ".js"}`, i % 50 === 0 ? JSON.stringify({ name: `chunk${i}` }) : "x");
  }
  return spec.nodeModulesFiles + spec.gitFiles + spec.buildFiles;
}

export function generateTree(root: string, spec: TreeSpec): TreeCounts {
  mkdirSync(root, { recursive: true });
  write(root, ".git/HEAD", "ref: refs/heads/main\n");
  write(root, "README.md", "# synthetic monorepo\n");
  const projectDirs = writeProjects(root, spec.projects);
  for (let i = 0; i < spec.sourceFiles; i++) {
    const p = projectDirs[i % projectDirs.length]!;
    write(root, `${p}/src/gen/mod${Math.floor(i / 100)}/file${i}.txt`, "source\n");
  }
  writeBulk(root, spec);
  return { projectDirs, totalFiles: countFiles(root) };
}
