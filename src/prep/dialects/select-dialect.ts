import { anthropicBatchDialect } from "./anthropic-batch.js";
import { bedrockBatchDialect } from "./bedrock-batch.js";
import type { Dialect, DialectName } from "./dialect.js";
import { openAiBatchDialect } from "./openai-batch.js";

const DIALECTS: Record<DialectName, Dialect> = {
  openai: openAiBatchDialect,
  anthropic: anthropicBatchDialect,
  bedrock: bedrockBatchDialect,
};

export function selectDialect(name: DialectName): Dialect {
  return DIALECTS[name];
}
