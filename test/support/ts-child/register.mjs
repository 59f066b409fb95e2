// `node --import <this file> script.ts`: installs ts-hooks.mjs before the script is loaded.
import { register } from "node:module";

register("./ts-hooks.mjs", import.meta.url);
