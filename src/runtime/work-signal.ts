/**
 * In-process wake-up: the API calls `workAvailable()` when it creates or cancels work, so an
 * embedded worker starts within a tick instead of waiting for its next poll. Across processes
 * the store's NOTIFY hint plays this role; polling remains the truth either way.
 */
export class WorkSignal {
  private readonly listeners = new Set<() => void>();
  private readonly stopListeners = new Set<(jobId: string) => void>();

  workAvailable(): void {
    for (const l of this.listeners) l();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A job was stopped (cancelled) and the stop is committed. Unlike `workAvailable` this is not
   * a hint: listeners act on it synchronously, before the API answers, so an embedded worker
   * sends nothing more of the job once the cancel call has returned.
   */
  jobStopped(jobId: string): void {
    for (const l of this.stopListeners) l(jobId);
  }

  onJobStopped(listener: (jobId: string) => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }
}
