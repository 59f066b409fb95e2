#!/usr/bin/env node
// The published entry point: the CLI is compiled to dist/ by `npm run build`. `prepare` and
// `estimate` start from an entry that loads only them (see src/cli/prep-main.ts).
import module from "node:module";

// Every `docket serve` restart (after a crash, a deploy) pays for compiling the CLI's modules;
// Node 22.1+ keeps their compiled code on disk and reuses it (absent on Node 20: a no-op).
module.enableCompileCache?.();

const prepOnly = process.argv[2] === "prepare" || process.argv[2] === "estimate";
const { main } = await import(prepOnly ? "../dist/cli/prep-main.js" : "../dist/cli/main.js");

main(process.argv).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
