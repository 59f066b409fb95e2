import { Agent } from "undici";

/**
 * The dispatcher to pass to every undici `request()` that has none of its own (a backend Pool,
 * the webhook Agent). Never rely on undici's global dispatcher: on Node 24 an ESM import of
 * `node:http` loads Node's bundled undici, which claims the same global-dispatcher symbol, and
 * the package's `request()` with the package's `FormData` then never reaches the server
 * (nodejs/undici#5520). An Agent from this package is always this package's.
 */
export const httpAgent = new Agent();
