/** OpenAI's error envelope, as every backend that speaks the OpenAI wire format writes it. */
export function openAIErrorBody(
  message: string,
  type: string,
  param: string | null,
  code: string | null,
): string {
  return JSON.stringify({ error: { message, type, param, code } });
}
