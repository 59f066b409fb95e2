import { FakeOptionsError } from "./fake-options.js";

/**
 * Applies a `POST /control` body: options to merge, plus `resetStats: true` to clear the counts
 * once they are in. Returns null when applied, else the message for the fake's own 400 (a bad
 * option or invalid JSON), so every fake reads its control requests alike.
 */
export function applyControl(
  body: string,
  setOptions: (partial: unknown) => void,
  resetStats: () => void,
): string | null {
  try {
    const parsed: unknown = body ? JSON.parse(body) : {};
    if (typeof parsed === "object" && parsed !== null && "resetStats" in parsed) {
      const { resetStats: reset, ...rest } = parsed as Record<string, unknown>;
      setOptions(rest);
      if (reset === true) resetStats();
    } else setOptions(parsed);
    return null;
  } catch (error) {
    return error instanceof FakeOptionsError ? error.message : `Invalid JSON: ${(error as Error).message}`;
  }
}
