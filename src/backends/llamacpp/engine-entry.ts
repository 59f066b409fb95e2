import { existsSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { DocketError } from "../../domain/errors.js";

/**
 * Where the compiled child entry lives. From `dist/` it is this file's sibling. From `src/`
 * (vitest and vite-node run the TypeScript directly, and Node 20 cannot fork a .ts file) it is
 * the same path under `dist/`, which `npm run build` (the `pretest` script) produces: the child
 * therefore runs the last build, so rebuild after changing engine code.
 */
export function engineEntryPath(fromUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(fromUrl));
  const sibling = join(here, "engine-process.js");
  if (existsSync(sibling)) return sibling;
  const srcAt = here.lastIndexOf(`${sep}src${sep}`);
  if (srcAt >= 0) {
    const root = here.slice(0, srcAt);
    const compiled = join(root, "dist", relative(join(root, "src"), here), "engine-process.js");
    if (existsSync(compiled)) return compiled;
    throw new DocketError(
      "engine_not_built",
      `The llama.cpp engine process is not compiled (${compiled} is missing); run 'npm run build' first.`,
      500,
    );
  }
  throw new DocketError("engine_not_built", `The llama.cpp engine process is missing: ${sibling}.`, 500);
}
