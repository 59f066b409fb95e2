/** The OpenAI-shaped request bodies Docket prepares; other dialects are converted from these. */
export type PrepEndpoint = "/v1/chat/completions" | "/v1/completions" | "/v1/embeddings";

export const PREP_ENDPOINTS: readonly PrepEndpoint[] = [
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/embeddings",
];

export interface ChatMessage {
  role: "system" | "user";
  content: string;
}

export interface ChatCompletionBody {
  model: string;
  messages: ChatMessage[];
  max_tokens?: number;
  temperature?: number;
  response_format?: Record<string, unknown>;
  [param: string]: unknown;
}

export interface CompletionBody {
  model: string;
  prompt: string;
  max_tokens?: number;
  temperature?: number;
  [param: string]: unknown;
}

export interface EmbeddingsBody {
  model: string;
  input: string;
  [param: string]: unknown;
}

export type RequestPayload =
  | { endpoint: "/v1/chat/completions"; body: ChatCompletionBody }
  | { endpoint: "/v1/completions"; body: CompletionBody }
  | { endpoint: "/v1/embeddings"; body: EmbeddingsBody };
