import { describe, expect, it } from "vitest";
import { clientRequestTokenOf, jobNameOf, safeToken } from "./job-names.js";

const JOB_NAME = /^[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9+\-.]){0,63}$/;
const REQUEST_TOKEN = /^[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}$/;

describe("Bedrock job names from tokens", () => {
  it("keeps a token that is already a valid name", () => {
    expect(jobNameOf("pj-42")).toBe("docket-pj-42");
    expect(clientRequestTokenOf("pj-42")).toBe("pj-42");
  });

  it("hashes other tokens into valid, distinct names", () => {
    const tokens = ["pj_42", "pj-42-", "a/b", "x".repeat(80), "pj_43", ""];
    const names = tokens.map(jobNameOf);
    for (const name of names) {
      expect(name).toMatch(JOB_NAME);
      expect(name.length).toBeLessThanOrEqual(63);
    }
    for (const t of tokens) expect(clientRequestTokenOf(t)).toMatch(REQUEST_TOKEN);
    expect(new Set(names).size).toBe(tokens.length);
    expect(safeToken("pj_42")).toBe(safeToken("pj_42"));
  });
});
