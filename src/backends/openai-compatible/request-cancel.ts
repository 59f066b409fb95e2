/**
 * The smallest "signal" undici accepts (it takes an EventEmitter as well as an AbortSignal).
 * An AbortController costs ~3 µs to create and ~2 µs more per listener; this costs nothing,
 * and every request needs one for its deadline.
 */
export class RequestCancel {
  aborted = false;
  reason: Error | undefined = undefined;
  private listener: (() => void) | null = null;

  /** undici only checks this exists; it subscribes with once(). */
  on(event: "abort", listener: () => void): this {
    return this.once(event, listener);
  }

  once(_event: "abort", listener: () => void): this {
    this.listener = listener;
    return this;
  }

  removeListener(_event: "abort", _listener: () => void): this {
    this.listener = null;
    return this;
  }

  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listener = this.listener;
    this.listener = null;
    listener?.();
  }
}
