// Module hooks that let a plain `node` child process run the tests' TypeScript: a `.js` import
// that names a `.ts` source (the NodeNext convention the code base follows) resolves to it, and
// `.ts` files are compiled by esbuild (vite's own compiler, already installed). It does what
// vite-node did for these children at a fraction of its start-up cost: vite-node built a vite
// server per child, about 6 s of CPU each on CI's 2 cores, and the suite starts about 30 of them.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";

const NOT_FOUND = "ERR_MODULE_NOT_FOUND";

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("file:");
    if (error?.code !== NOT_FOUND || !relative || !specifier.endsWith(".js")) throw error;
    return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const { code } = transformSync(readFileSync(path, "utf8"), {
    loader: "ts",
    format: "esm",
    target: "node20",
    sourcemap: "inline",
    sourcefile: path,
    // tsconfig.json's target (ES2022) makes class fields define semantics, as tsc emits them.
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
  });
  return { format: "module", source: code, shortCircuit: true };
}
