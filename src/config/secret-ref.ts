import { DocketError } from "../domain/errors.js";

/**
 * The one place a secret in the config is resolved: `"env:NAME"` reads `NAME` from the
 * environment (so config files hold no secrets); anything else is taken literally. An `env:`
 * reference to a variable that is unset or empty is a start-up error naming the field and the
 * variable, never a silently empty secret. `field` is the config path, e.g. `server.apiKey`.
 */
export function resolveSecretRef(value: string, field: string): string {
  if (!value.startsWith("env:")) return value;
  const name = value.slice(4);
  if (name === "") {
    throw new DocketError("invalid_config", `${field} is "env:" without a variable name; write "env:NAME".`);
  }
  const resolved = process.env[name];
  if (resolved === undefined) {
    throw new DocketError(
      "invalid_config",
      `${field} names the environment variable ${name}, which is not set.`,
    );
  }
  if (resolved === "") {
    throw new DocketError(
      "invalid_config",
      `${field} names the environment variable ${name}, which is empty.`,
    );
  }
  return resolved;
}
