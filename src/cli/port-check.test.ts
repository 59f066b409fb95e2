import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DocketError } from "../domain/errors.js";
import { checkPortFree, listenError } from "./port-check.js";

describe("port check before listening", () => {
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise((r) => busy.close(r)));

  it("refuses a busy port with a message naming it", async () => {
    await expect(checkPortFree("127.0.0.1", port)).rejects.toMatchObject({
      code: "port_in_use",
      message: `port ${port} on 127.0.0.1 is already in use — stop the other process or pass --port`,
    });
  });

  it("passes a free port (and port 0), leaving it free", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const free = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    await expect(checkPortFree("127.0.0.1", free)).resolves.toBeUndefined();
    await expect(checkPortFree("127.0.0.1", 0)).resolves.toBeUndefined();
    // still free: the probe closed its socket
    await expect(checkPortFree("127.0.0.1", free)).resolves.toBeUndefined();
  });

  it("maps the real listen's EADDRINUSE the same way when the race is lost", async () => {
    const second = createServer();
    const err = await new Promise<unknown>((resolve) => {
      second.once("error", resolve);
      second.listen(port, "127.0.0.1");
    });
    const mapped = listenError(err, "127.0.0.1", port);
    expect(mapped).toBeInstanceOf(DocketError);
    expect((mapped as DocketError).message).toContain(`port ${port} on 127.0.0.1 is already in use`);
    const other = new Error("something else");
    expect(listenError(other, "127.0.0.1", port)).toBe(other);
  });
});
