import { describe, expect, it } from "vitest";
import { bedrockRecordKey, recordIdOfBedrockKey } from "./record-key.js";

describe("Bedrock record keys", () => {
  it("are 11 lowercase alphanumerics that map back to the record id", () => {
    for (const id of [0, 1, 35, 36, 123_456_789, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER]) {
      const key = bedrockRecordKey(id);
      expect(key).toMatch(/^[0-9a-z]{11}$/);
      expect(recordIdOfBedrockKey(key)).toBe(id);
    }
    expect(bedrockRecordKey(36)).toBe("00000000010");
  });

  it("refuses ids that do not fit and keys Docket did not write", () => {
    expect(() => bedrockRecordKey(-1)).toThrow(RangeError);
    expect(() => bedrockRecordKey(1.5)).toThrow(RangeError);
    expect(() => bedrockRecordKey(2 ** 53)).toThrow(RangeError);
    expect(recordIdOfBedrockKey("3223593EFGH")).toBeNull(); // uppercase: not ours
    expect(recordIdOfBedrockKey("0000000001")).toBeNull(); // 10 characters
    expect(recordIdOfBedrockKey("zzzzzzzzzzz")).toBeNull(); // beyond 2^53
    expect(recordIdOfBedrockKey("0000000000-")).toBeNull();
  });
});
