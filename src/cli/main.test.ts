import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { COMMANDS, commandsFor } from "./main.js";

describe("the CLI's command table", () => {
  it("names exactly the top-level commands each module registers", async () => {
    for (const entry of COMMANDS) {
      const program = new Command("docket");
      (await entry.load())(program);
      expect(program.commands.map((c) => c.name()).sort()).toEqual([...entry.names].sort());
    }
  });

  it("loads only the named command, and every command for help or an unknown name", () => {
    expect(commandsFor(["node", "docket", "serve", "--port", "0"])).toHaveLength(1);
    expect(commandsFor(["node", "docket", "cancel", "b1"])[0]!.load).toBe(
      COMMANDS.find((c) => c.names.includes("submit"))!.load,
    );
    expect(commandsFor(["node", "docket", "--help"])).toBe(COMMANDS);
    expect(commandsFor(["node", "docket"])).toBe(COMMANDS);
    expect(commandsFor(["node", "docket", "serv"])).toBe(COMMANDS);
  });
});
