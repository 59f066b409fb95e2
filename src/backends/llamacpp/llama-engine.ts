import { basename } from "node:path";
import {
  type ChatHistoryItem,
  type ChatWrapper,
  getLlama,
  type LlamaContextSequence,
  type LlamaEmbeddingContext,
  LlamaLogLevel,
  type LlamaModel,
  LlamaText,
  resolveChatWrapper,
  SpecialToken,
  type Token,
} from "node-llama-cpp";
import { type BackendFailure, type BackendResult, unansweredFailure } from "../backend.js";
import type { FinishReason } from "../openai-wire/completion-bodies.js";
import { embeddingsBody, encodeEmbedding } from "../openai-wire/embeddings-body.js";
import { openAIErrorBody } from "../openai-wire/error-body.js";
import type { EngineInfo, EngineOptions, EngineStats } from "./engine-protocol.js";
import { type ChatMessage, type ParsedRequest, parseRequest, type Sampling } from "./openai-requests.js";
import { type GenerationOutcome, generationBody } from "./openai-responses.js";
import { SlotPool } from "./slot-pool.js";

const DEFAULT_CONTEXT_SIZE = 2048;

interface Slot {
  sequence: LlamaContextSequence;
  /** Created on the first embeddings request this slot serves: most routes never need one. */
  embedding: LlamaEmbeddingContext | null;
}

interface Generation {
  prompt: Token[];
  maxTokens: number | null;
  sampling: Sampling;
  stop: string[];
  ignoreEos: boolean;
}

/**
 * The model and its pool of contexts, inside the engine child process. Each slot is a context
 * with one sequence and one thread, serving one request at a time.
 */
export class LlamaEngine {
  private requests = 0;

  private constructor(
    private readonly model: LlamaModel,
    private readonly chatWrapper: ChatWrapper,
    private readonly chatStops: string[],
    private readonly slots: Slot[],
    private readonly pool: SlotPool<Slot>,
    private readonly options: EngineOptions,
    readonly info: EngineInfo,
  ) {}

  static async load(options: EngineOptions): Promise<LlamaEngine> {
    // Never download or compile: only the prebuilt CPU binary ships with Docket.
    const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath: options.modelPath });
    const contextSize = options.contextSize ?? Math.min(DEFAULT_CONTEXT_SIZE, model.trainContextSize);
    const slots: Slot[] = [];
    for (let i = 0; i < options.contexts; i++) {
      const context = await model.createContext({
        contextSize,
        sequences: 1,
        threads: options.threadsPerContext,
      });
      slots.push({ sequence: context.getSequence(), embedding: null });
    }
    const chatWrapper = resolveChatWrapper(model);
    const info: EngineInfo = {
      modelName: basename(options.modelPath).replace(/\.gguf$/i, ""),
      contexts: slots.length,
      contextSize: slots[0]?.sequence.contextSize ?? contextSize,
      embeddingLength: model.embeddingVectorSize,
    };
    return new LlamaEngine(
      model,
      chatWrapper,
      chatStopStrings(chatWrapper),
      slots,
      new SlotPool(slots),
      options,
      info,
    );
  }

  async handle(endpoint: string, body: string, signal: { aborted: boolean }): Promise<BackendResult> {
    const parsed = parseRequest(endpoint, body);
    if (!parsed.ok) return badRequest(parsed.message, parsed.param, "invalid_request_error");
    const request = parsed.request;
    const model = request.model ?? this.info.modelName;
    this.requests++;
    try {
      if (request.kind === "embeddings") return await this.embeddings(request, model);
      const prompt =
        request.kind === "chat" ? this.chatPrompt(request.messages) : this.completionPrompt(request.prompt);
      const stop = request.kind === "chat" ? [...request.stop, ...this.chatStops] : request.stop;
      const outcome = await this.pool.use((slot) =>
        this.generate(slot.sequence, { ...request, prompt, stop }, signal),
      );
      if ("ok" in outcome) return outcome;
      const text = generationBody(request.kind, model, outcome);
      return success(text, outcome.promptTokens, outcome.completionTokens);
    } catch (error) {
      if (error instanceof Aborted) return aborted();
      throw error;
    }
  }

  stats(): EngineStats {
    let sampledTokens = 0;
    let decodedTokens = 0;
    for (const slot of this.slots) {
      const m = slot.sequence.tokenMeter;
      sampledTokens += m.usedOutputTokens;
      decodedTokens += m.usedInputTokens + m.usedOutputTokens;
    }
    return { sampledTokens, decodedTokens, requests: this.requests };
  }

  private chatPrompt(messages: ChatMessage[]): Token[] {
    const history: ChatHistoryItem[] = messages.map((m) =>
      m.role === "assistant" ? { type: "model", response: [m.content] } : { type: m.role, text: m.content },
    );
    // An empty model turn at the end asks the template for the assistant's prefix.
    history.push({ type: "model", response: [] });
    return this.chatWrapper
      .generateContextState({ chatHistory: history })
      .contextText.tokenize(this.model.tokenizer);
  }

  private completionPrompt(prompt: string): Token[] {
    const tokens = this.model.tokenize(prompt);
    const bos = this.model.tokens.bos;
    return bos !== null && this.model.tokens.shouldPrependBosToken ? [bos, ...tokens] : tokens;
  }

  /**
   * Samples until end of text, a stop string, max_tokens, or a full context. Every sampled token
   * counts as a completion token, the end-of-text one included: it cost a decode step, and it is
   * what node-llama-cpp's own meter counts.
   */
  private async generate(
    sequence: LlamaContextSequence,
    g: Generation,
    signal: { aborted: boolean },
  ): Promise<GenerationOutcome | BackendFailure> {
    const room = sequence.contextSize - g.prompt.length;
    if (room < 1 || (g.maxTokens !== null && g.maxTokens > room)) {
      const asked = g.maxTokens === null ? "" : ` plus max_tokens ${g.maxTokens}`;
      return badRequest(
        `This model's context is ${sequence.contextSize} tokens; the prompt has ${g.prompt.length}${asked}. ` +
          "Shorten the prompt or lower max_tokens.",
        g.maxTokens === null ? "messages" : "max_tokens",
        "context_length_exceeded",
      );
    }
    const limit = g.maxTokens ?? room;
    await sequence.clearHistory();
    const generated: Token[] = [];
    let sampled = 0;
    let finishReason: FinishReason = "length";
    let text = "";
    const iterator = sequence.evaluate(g.prompt, {
      temperature: g.sampling.temperature,
      topP: g.sampling.topP,
      topK: 0,
      seed: g.sampling.seed ?? undefined,
      yieldEogToken: true,
    });
    for await (const token of iterator) {
      if (signal.aborted) throw new Aborted();
      sampled++;
      if (this.model.isEogToken(token)) {
        if (!g.ignoreEos) {
          finishReason = "stop";
          break;
        }
      } else {
        generated.push(token);
        if (g.stop.length > 0) {
          text = this.model.detokenize(generated, true);
          const cut = firstStop(text, g.stop);
          if (cut >= 0) {
            text = text.slice(0, cut);
            finishReason = "stop";
            break;
          }
        }
      }
      if (sampled >= limit) break;
    }
    if (finishReason === "length" || g.stop.length === 0) text = this.model.detokenize(generated, true);
    return { text, promptTokens: g.prompt.length, completionTokens: sampled, finishReason };
  }

  private async embeddings(
    request: Extract<ParsedRequest, { kind: "embeddings" }>,
    model: string,
  ): Promise<BackendResult> {
    if (request.dimensions !== null && request.dimensions !== this.info.embeddingLength) {
      return badRequest(
        `This model's embeddings have ${this.info.embeddingLength} dimensions; 'dimensions' cannot change that.`,
        "dimensions",
        "invalid_request_error",
      );
    }
    let promptTokens = 0;
    const vectors: number[][] = [];
    for (const input of request.inputs) {
      const tokens = this.completionPrompt(input);
      if (tokens.length >= this.info.contextSize) {
        return badRequest(
          `An input has ${tokens.length} tokens; this model's context is ${this.info.contextSize}.`,
          "input",
          "context_length_exceeded",
        );
      }
      promptTokens += tokens.length;
      const vector = await this.pool.use(async (slot) => {
        slot.embedding ??= await this.model.createEmbeddingContext({
          contextSize: this.info.contextSize,
          threads: this.options.threadsPerContext,
        });
        return (await slot.embedding.getEmbeddingFor(tokens)).vector;
      });
      vectors.push([...vector]);
    }
    const embeddings = vectors.map((vector) => encodeEmbedding(vector, request.encoding));
    return success(embeddingsBody(model, embeddings, promptTokens), promptTokens, 0);
  }
}

class Aborted extends Error {}

/** The chat template's own end-of-turn texts (e.g. `<|end|>`); end-of-text tokens are handled apart. */
function chatStopStrings(wrapper: ChatWrapper): string[] {
  const triggers = wrapper.generateContextState({
    chatHistory: [{ type: "model", response: [] }],
  }).stopGenerationTriggers;
  const stops: string[] = [];
  for (const trigger of triggers) {
    const text = LlamaText(trigger);
    if (text.values.some((v) => v instanceof SpecialToken)) continue;
    const s = text.toString().trim();
    if (s) stops.push(s);
  }
  return stops;
}

function firstStop(text: string, stops: readonly string[]): number {
  let first = -1;
  for (const s of stops) {
    const at = text.indexOf(s);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

function success(body: string, inputTokens: number, outputTokens: number): BackendResult {
  return { ok: true, statusCode: 200, requestId: null, body, usage: { inputTokens, outputTokens } };
}

function badRequest(message: string, param: string | null, code: string): BackendFailure {
  return {
    ok: false,
    retryable: false,
    retryAfterMs: null,
    statusCode: 400,
    requestId: null,
    body: openAIErrorBody(message, "invalid_request_error", param, code),
    code,
    message,
  };
}

function aborted(): BackendFailure {
  return unansweredFailure("aborted", "The request was aborted before it finished.", true);
}
