// Bundles the compiled CLI (dist/cli/*.js, from `tsc`) into dist/bundle/, which bin/docket.js
// runs. WHY: `docket serve` restarts after every crash, and on Node 20 (no compile cache) loading
// ~300 separate ES modules plus undici's ~100 CommonJS files cost ~450 ms of CPU before the
// first record could be claimed; one bundle loads the same code in under half of that.
// Run by `npm run build` after `tsc`; esbuild is an exact-pinned devDependency.
import { readFile, rm } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist");
const OUT = join(DIST, "bundle");

/**
 * Pure-JS packages that `serve` loads at start: bundled, so Node resolves and reads one file
 * instead of each of theirs. Every other package stays an ordinary import from node_modules:
 * native addons (better-sqlite3, node-llama-cpp), and the large SDKs that load only on demand
 * (AWS, pg, parquet), whose cost a restart does not pay.
 */
const BUNDLED_PACKAGES = new Set(["undici", "prom-client", "busboy", "commander", "mustache"]);

const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.devDependencies })
  .filter((name) => !BUNDLED_PACKAGES.has(name))
  .flatMap((name) => [name, `${name}/*`]);

/**
 * Modules find files next to themselves through `import.meta.url` (the web assets, the
 * llama.cpp engine's child entry, package.json, the demo's sample). In a bundle that URL would
 * be the chunk's, so each module's own is restored: the URL its compiled file has in dist/,
 * written relative to the chunk so that the package still works wherever it is installed.
 * Every chunk is written directly in dist/bundle/, so one relative path fits all of them.
 */
const keepModuleUrls = {
  name: "keep-module-urls",
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!source.includes("import.meta")) return { contents: source, loader: "js" };
      const other = /import\.meta\.(?!url\b)\w+/.exec(source);
      if (other) throw new Error(`${args.path}: ${other[0]} is not kept by the bundle; use import.meta.url`);
      const fromChunk = relative(OUT, args.path).split(sep).join("/");
      const url = `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`;
      return { contents: source.replaceAll("import.meta.url", url), loader: "js" };
    });
  },
};

// Chunk names carry a hash: a previous build's chunks would otherwise pile up.
await rm(OUT, { recursive: true, force: true });
await build({
  entryPoints: { main: join(DIST, "cli/main.js"), "prep-main": join(DIST, "cli/prep-main.js") },
  outdir: OUT,
  bundle: true,
  // Each command stays its own chunk, loaded only when named (see src/cli/main.ts).
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  // Bundled CommonJS packages call require() for Node's built-ins; an ES module has none.
  banner: {
    js: 'import { createRequire as __docketCreateRequire } from "node:module";\nconst require = __docketCreateRequire(import.meta.url);',
  },
  plugins: [keepModuleUrls],
  logLevel: "warning",
});
