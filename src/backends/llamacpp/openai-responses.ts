import { randomBytes } from "node:crypto";
import {
  type CompletionHeader,
  chatCompletionBody,
  type FinishReason,
  textCompletionBody,
} from "../openai-wire/completion-bodies.js";

/** What one generation produced, before it is written as an OpenAI object. */
export interface GenerationOutcome {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: FinishReason;
}

/** The llama.cpp backend's answers carry every usage counter and no system fingerprint. */
export function generationBody(kind: "chat" | "completion", model: string, g: GenerationOutcome): string {
  const header: CompletionHeader = {
    idSuffix: randomBytes(12).toString("base64url"),
    created: Math.floor(Date.now() / 1000),
    model,
    systemFingerprint: null,
  };
  const choices = [{ text: g.text, finishReason: g.finishReason }];
  const tokens = { promptTokens: g.promptTokens, completionTokens: g.completionTokens };
  return kind === "chat"
    ? chatCompletionBody(header, choices, tokens, "full")
    : textCompletionBody(header, choices, tokens);
}
