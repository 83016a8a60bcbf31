// Runs every *.test.ts under tests/ with Node's test runner (through tsx), two files at a time.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const filter = process.argv.slice(2);
const files = readdirSync(here, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".test.ts") && !f.split(/[\\/]/).includes("fixtures"))
  .map((f) => relative(root, join(here, f)))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
// Tools installed by .ci/install-tools come first on PATH, as in CI.
const toolBin = join(process.env.SD_TOOLS ?? join(homedir(), ".cache", "senior-devops", "tools"), "bin");
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PATH: `${toolBin}${delimiter}${process.env.PATH ?? ""}` },
});
process.exit(result.status ?? 1);
