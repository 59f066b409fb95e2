/** An `embedding` list object, as OpenAI writes it. */

export type EmbeddingEncoding = "float" | "base64";

/** A vector as it goes on the wire: numbers, or base64 of its little-endian float32 bytes. */
export type WireEmbedding = readonly number[] | string;

export function encodeEmbedding(
  vector: Float32Array | readonly number[],
  encoding: EmbeddingEncoding,
): WireEmbedding {
  if (encoding === "float") return vector instanceof Float32Array ? Array.from(vector) : vector;
  const floats = vector instanceof Float32Array ? vector : new Float32Array(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString("base64");
}

export function embeddingsBody(
  model: string,
  embeddings: readonly WireEmbedding[],
  promptTokens: number,
): string {
  return JSON.stringify({
    object: "list",
    data: embeddings.map((embedding, index) => ({ object: "embedding", index, embedding })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}
