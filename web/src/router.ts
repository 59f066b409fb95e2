import { useEffect, useState } from "preact/hooks";

/** Where the hash points: `#/jobs?status=failed`, `#/jobs/<id>`, `#/routes`, `#/webhooks?job=…`. */
export interface Location {
  page: "jobs" | "job" | "routes" | "webhooks" | "not_found";
  id: string | null;
  query: URLSearchParams;
}

/** Pure: the hash string to a page (tested). Ids are percent-decoded exactly once. */
export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, "") || "/jobs";
  const [path = "", search = ""] = raw.split("?", 2) as [string, string?];
  const query = new URLSearchParams(search);
  const parts = path.split("/").filter((p) => p !== "");
  if (parts.length === 0 || (parts.length === 1 && parts[0] === "jobs"))
    return { page: "jobs", id: null, query };
  if (parts.length === 2 && parts[0] === "jobs") {
    try {
      return { page: "job", id: decodeURIComponent(parts[1]!), query };
    } catch {
      return { page: "not_found", id: null, query };
    }
  }
  if (parts.length === 1 && parts[0] === "routes") return { page: "routes", id: null, query };
  if (parts.length === 1 && parts[0] === "webhooks") return { page: "webhooks", id: null, query };
  return { page: "not_found", id: null, query };
}

export function jobHref(id: string): string {
  return `#/jobs/${encodeURIComponent(id)}`;
}

export function hrefWithQuery(path: string, query: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ""}`;
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setLoc(parseHash(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return loc;
}
