#!/usr/bin/env node
// The published entry point: the CLI is compiled to dist/ by `npm run build`, then bundled into
// dist/bundle/ (packaging/bundle-cli.mjs) because each `docket serve` restart after a crash pays
// for loading its modules, and one bundle loads far faster than ~300 files. `prepare` and
// `estimate` start from an entry that loads only them (see src/cli/prep-main.ts).
import module from "node:module";

// Node 22.1+ also keeps the compiled code on disk and reuses it (absent on Node 20: a no-op).
module.enableCompileCache?.();

const prepOnly = process.argv[2] === "prepare" || process.argv[2] === "estimate";
const { main } = await import(prepOnly ? "../dist/bundle/prep-main.js" : "../dist/bundle/main.js");

main(process.argv).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
