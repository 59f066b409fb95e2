import { type Backend, type BackendRequest, type BackendResult, unansweredFailure } from "./backend.js";

/**
 * A backend whose implementation is loaded on its first request rather than at start-up: the
 * AWS SDK behind Bedrock is a large share of the modules a `docket serve` restart would
 * otherwise compile before work resumes, for routes most configs never name. Bodies are never
 * streamed through it (`streamsBodies` unset), as for the backends it wraps.
 */
export class LazyBackend implements Backend {
  private loading: Promise<Backend> | null = null;

  constructor(private readonly load: () => Promise<Backend>) {}

  async send(request: BackendRequest): Promise<BackendResult> {
    let backend: Backend;
    try {
      this.loading ??= this.load();
      backend = await this.loading;
    } catch (err) {
      // A module that failed to load (a broken install) is tried again on the next request;
      // the record's attempts and backoff bound how often.
      this.loading = null;
      return unansweredFailure(
        "backend_unavailable",
        `The backend failed to load: ${(err as Error).message}`,
        true,
      );
    }
    return backend.send(request);
  }

  async close(): Promise<void> {
    const backend = await this.loading?.catch(() => null);
    await backend?.close();
  }
}
