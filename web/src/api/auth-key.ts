/**
 * The API key lives in this tab's sessionStorage: it survives a reload, not the tab, and is never
 * written to disk by the dashboard (the rule; localStorage would keep it forever).
 */
const KEY = "docket.apiKey";

export function readApiKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveApiKey(key: string | null): void {
  if (key === null || key === "") sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, key);
}
