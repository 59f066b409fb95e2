/**
 * A one-line progress bar for `--wait`: done/failed/total, rate and ETA, redrawn in place on
 * a terminal and printed every few seconds otherwise (so CI logs stay readable).
 */
export class ProgressBar {
  private readonly started = Date.now();
  private lastPrinted = 0;
  private readonly tty: boolean;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(out.isTTY);
  }

  update(status: string, done: number, failed: number, total: number): void {
    const now = Date.now();
    if (!this.tty && now - this.lastPrinted < 5000) return;
    this.lastPrinted = now;
    const line = formatProgress(status, done, failed, total, (now - this.started) / 1000);
    if (this.tty) this.out.write(`\r\x1b[2K${line}`);
    else this.out.write(`${line}\n`);
  }

  finish(): void {
    if (this.tty) this.out.write("\n");
  }
}

export function formatProgress(
  status: string,
  done: number,
  failed: number,
  total: number,
  seconds: number,
): string {
  const width = 24;
  const finished = done + failed;
  const filled = total > 0 ? Math.round((finished / total) * width) : 0;
  const bar = "#".repeat(filled) + ".".repeat(width - filled);
  const rate = seconds > 0 ? finished / seconds : 0;
  const eta = rate > 0 && total > finished ? `${Math.ceil((total - finished) / rate)}s` : "-";
  return `[${bar}] ${finished}/${total} (${done} ok, ${failed} failed) ${rate.toFixed(1)}/s ETA ${eta} ${status}`;
}
