import { describe, expect, it } from "vitest";
import { linkFromMetadata, linkToMetadata } from "./dataset-link.js";

describe("dataset link", () => {
  it("round-trips through batch metadata", () => {
    const link = {
      dataset: "/data/calls.csv",
      format: "csv" as const,
      delimiter: ";",
      idField: "call_id",
      template: "/data/t.json",
      sample: 5,
    };
    const { metadata, dropped } = linkToMetadata(link);
    expect(metadata).toEqual({
      docket_dataset: "/data/calls.csv",
      docket_dataset_format: "csv",
      docket_delimiter: ";",
      docket_id_field: "call_id",
      docket_template: "/data/t.json",
      docket_sample: "5",
    });
    expect(dropped).toEqual([]);
    expect(linkFromMetadata({ ...metadata, team: "x" })).toEqual(link);
  });

  it("leaves out values over OpenAI's 512-character limit, and reads no link without a dataset", () => {
    const { metadata, dropped } = linkToMetadata({ dataset: "/d.csv", template: `/${"t".repeat(600)}` });
    expect(metadata).toEqual({ docket_dataset: "/d.csv" });
    expect(dropped).toEqual(["docket_template"]);
    expect(linkFromMetadata({ team: "x" })).toBeNull();
    expect(linkFromMetadata(null)).toBeNull();
  });
});
