/**
 * The baseline of the llama.cpp goal, in a child process of its own like Docket's engine (so
 * neither side shares an event loop or a heap with the benchmark): node-llama-cpp driven
 * directly with the contexts Docket's engine makes (same count, one sequence and one thread
 * each, the same context size) and the same sampling loop shape (clear, evaluate, count every
 * sampled token, stop at the limit; end-of-text ignored like `ignore_eos`, the text decoded).
 * No JSON bodies, no request protocol, no slot pool: what is left between this and the engine
 * route is Docket's cost. Plain JavaScript, forked by llama-direct.ts: Node 20 cannot fork .ts.
 *
 * IPC: parent sends {modelPath, contexts}, child answers {ready}; then {completions} answered by
 * {tokens}; the parent times the round trip, as it does for the engine.
 */
import { getLlama, LlamaLogLevel } from "node-llama-cpp";

let llama;
let model;
const sequences = [];

async function load(modelPath, contexts) {
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  model = await llama.loadModel({ modelPath });
  const contextSize = Math.min(2048, model.trainContextSize);
  for (let i = 0; i < contexts; i++) {
    const context = await model.createContext({ contextSize, sequences: 1, threads: 1 });
    sequences.push(context.getSequence());
  }
}

function tokenize(text) {
  const tokens = model.tokenize(text);
  const bos = model.tokens.bos;
  return bos !== null && model.tokens.shouldPrependBosToken ? [bos, ...tokens] : tokens;
}

async function complete(sequence, c) {
  await sequence.clearHistory();
  let sampled = 0;
  const generated = [];
  const options = { temperature: 1, topP: 1, topK: 0, seed: c.seed, yieldEogToken: true };
  for await (const token of sequence.evaluate(tokenize(c.prompt), options)) {
    sampled++;
    if (!model.isEogToken(token)) generated.push(token);
    if (sampled >= c.tokens) break;
  }
  model.detokenize(generated, true);
  return sampled;
}

async function run(completions) {
  let next = 0;
  let tokens = 0;
  await Promise.all(
    sequences.map(async (sequence) => {
      while (next < completions.length) {
        const sampled = await complete(sequence, completions[next++]);
        tokens += sampled; // not `tokens += await …`: that reads `tokens` before the await
      }
    }),
  );
  return tokens;
}

process.on("message", (m) => {
  const reply = m.completions
    ? run(m.completions).then((tokens) => ({ tokens }))
    : load(m.modelPath, m.contexts).then(() => ({ ready: true }));
  reply.then(
    (r) => process.send(r),
    (err) => process.send({ error: String(err?.stack ?? err) }),
  );
});
process.on("disconnect", () => process.exit(0));
