/**
 * SIGTERM/SIGINT close a long-running process gracefully (`close` releases work and drains);
 * a second signal forces the exit, for when a person is at the terminal and in a hurry.
 */
export function closeOnSignals(name: string, close: () => Promise<void>): void {
  let closing = false;
  const shutdown = (sig: string) => {
    if (closing) process.exit(1);
    closing = true;
    console.log(`${name}: ${sig} received, finishing in-flight work (send it again to force)`);
    close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}
