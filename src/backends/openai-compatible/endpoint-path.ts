/**
 * Where a batch endpoint lives under a backend's base URL. The base URL includes the API version
 * the way the OpenAI SDK's `baseURL` does (`http://host:8000/v1`), so the endpoint's own `/v1`
 * prefix is dropped: `/v1/chat/completions` → `<baseUrl>/chat/completions`, and
 * `https://x.example/openai/deployments/d?api-version=2024-10-21` keeps its path and query.
 */
export interface BaseUrlParts {
  /** `scheme://host:port`, what the connection pool is opened to. */
  origin: string;
  /** The base URL's path without a trailing slash (`/v1`, or `` for a bare host). */
  prefix: string;
  /** The base URL's query string including `?`, or ``. */
  search: string;
}

export function parseBaseUrl(baseUrl: string): BaseUrlParts {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`Backend base URL '${baseUrl}' is not a URL; expected e.g. http://127.0.0.1:8000/v1.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`Backend base URL '${baseUrl}' must start with http:// or https://.`);
  }
  const prefix = url.pathname.endsWith("/") ? url.pathname.slice(0, -1) : url.pathname;
  return { origin: url.origin, prefix, search: url.search };
}

export function endpointPath(base: BaseUrlParts, endpoint: string): string {
  const rest = endpoint.startsWith("/v1/") ? endpoint.slice(3) : endpoint;
  return base.prefix + (rest.startsWith("/") ? rest : `/${rest}`) + base.search;
}
