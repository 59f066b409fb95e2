import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

/**
 * The dashboard's build: `web/` in, `dist/web/` out (served by Docket at `/`). JSX goes through
 * esbuild's automatic runtime pointed at Preact, so no framework plugin is needed. Relative asset
 * URLs (`base: "./"`) keep it working behind a proxy that mounts Docket under a path prefix.
 */
export default defineConfig({
  root: here,
  base: "./",
  logLevel: "warn",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    // Names without hashes would be stale in a browser cache after an upgrade; hashes are Vite's default.
    assetsDir: "assets",
    reportCompressedSize: false,
  },
});
