#!/usr/bin/env node
// The published entry point: the CLI is compiled to dist/ by `npm run build`.
import { main } from "../dist/cli/main.js";

main(process.argv).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
