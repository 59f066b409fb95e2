/** The subset of OpenAI's batch object the CLI reads. */
export interface BatchView {
  id: string;
  status: string;
  endpoint: string;
  input_file_id: string;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  request_counts: { total: number; completed: number; failed: number };
  errors: { data: Array<{ code: string; message: string; line: number | null }> } | null;
  metadata?: Record<string, string> | null;
  usage?: { input_tokens: number; output_tokens: number; total_tokens: number };
  /** Docket extension: identical requests once (docs/dedup-and-cache.md); absent when unused. */
  dedup?: {
    deduplicated_requests: number;
    cached_requests: number;
    saved_input_tokens: number;
    saved_output_tokens: number;
    saved_usd: number;
  };
}

export const TERMINAL = new Set(["completed", "failed", "expired", "cancelled"]);
