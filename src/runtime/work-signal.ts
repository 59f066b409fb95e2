/**
 * In-process wake-up: the API calls `workAvailable()` when it creates or cancels work, so an
 * embedded worker starts within a tick instead of waiting for its next poll. Across processes
 * the store's NOTIFY hint plays this role; polling remains the truth either way.
 */
export class WorkSignal {
  private readonly listeners = new Set<() => void>();

  workAvailable(): void {
    for (const l of this.listeners) l();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
