import { InvalidArgumentError } from "commander";

/** A `--budget <usd>` value: an amount of US dollars above zero (`docket run`, `docket retry`). */
export const positiveUsd = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be an amount of US dollars > 0.");
  return n;
};
