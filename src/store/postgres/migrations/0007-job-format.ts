/**
 * Issue 12 (providers): a job's input and outputs may be OpenAI's, Anthropic's (Message Batches)
 * or Bedrock's (batch inference files). Existing jobs are OpenAI batches and invocations.
 */
export const migration0007 = `
ALTER TABLE jobs ADD COLUMN format TEXT NOT NULL DEFAULT 'openai';
`;
