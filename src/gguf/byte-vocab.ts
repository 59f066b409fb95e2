/**
 * A byte-level SentencePiece-style ("llama") vocabulary: the three specials, one token per byte
 * and the SentencePiece space marker. Any text tokenizes (bytes are the fallback), and nothing
 * else has to be learned, which is all a random-weights model needs.
 */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

export const UNK_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
const FIRST_BYTE_ID = 3;
/** SentencePiece writes spaces as U+2581; without this token a space would decode to "▁". */
export const SPACE_MARKER = "\u2581";

export interface Vocab {
  tokens: string[];
  scores: number[];
  types: number[];
}

export function byteVocab(): Vocab {
  const tokens = ["<unk>", "<s>", "</s>"];
  const types: number[] = [TOKEN_TYPE.unknown, TOKEN_TYPE.control, TOKEN_TYPE.control];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(TOKEN_TYPE.byte);
  }
  tokens.push(SPACE_MARKER);
  types.push(TOKEN_TYPE.normal);
  return { tokens, types, scores: tokens.map(() => 0) };
}

export function byteTokenId(byte: number): number {
  return FIRST_BYTE_ID + byte;
}

/**
 * A plain role-tagged template (`<|user|>` … `<|end|>`, then `<|assistant|>`) so chat requests render with the
 * model's own template, the way a real GGUF's `tokenizer.chat_template` would be used.
 */
export const DUMMY_CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '<|end|>\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";
