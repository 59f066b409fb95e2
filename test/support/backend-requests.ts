import dc from "node:diagnostics_channel";

/**
 * Requests this process's HTTP clients (undici: Docket's backend pool, and fetch) made to
 * `origin`, seen through undici's diagnostics channels: `created`, when a caller handed the
 * request to the client (Docket "sent" it: from then on it is in flight), and `written`, when
 * its headers went onto a socket (later if the client first had to connect or wait for a free
 * connection). Epoch ms with sub-millisecond precision, the fake backend's clock.
 */
export function watchBackendRequests(origin: string) {
  let created: number[] = [];
  let written: number[] = [];
  const now = () => performance.timeOrigin + performance.now();
  const to = (message: unknown) =>
    String((message as { request?: { origin?: unknown } }).request?.origin) === origin;
  const onCreate = (m: unknown) => {
    if (to(m)) created.push(now());
  };
  const onWrite = (m: unknown) => {
    if (to(m)) written.push(now());
  };
  const create = dc.channel("undici:request:create");
  const write = dc.channel("undici:client:sendHeaders");
  create.subscribe(onCreate);
  write.subscribe(onWrite);
  return {
    created: () => [...created],
    written: () => [...written],
    clear: () => {
      created = [];
      written = [];
    },
    stop: () => {
      create.unsubscribe(onCreate);
      write.unsubscribe(onWrite);
    },
  };
}
