import { randomUUID } from "node:crypto";
import { messagesFromClaudeInvoke } from "./bedrock-claude.js";
import { BridgeError } from "./bridge-error.js";
import { readChatReply, writeChatReply } from "./chat-reply.js";
import type { Conversation } from "./conversation.js";
import { readConverseReply } from "./converse-reply.js";
import type { JsonObject } from "./json-fields.js";
import { parseBody } from "./json-fields.js";
import { readMessagesReply, writeMessagesReply } from "./messages-reply.js";
import {
  bedrockPath,
  type Dialect,
  dialectOf,
  speaksNatively,
  type TargetDialect,
  targetDialect,
} from "./native-endpoints.js";
import { readChatRequest } from "./read-chat-request.js";
import { readMessagesRequest } from "./read-messages-request.js";
import type { Reply } from "./reply.js";
import { writeChatRequest } from "./write-chat-request.js";
import { writeConverseRequest } from "./write-converse-request.js";
import { writeMessagesRequest } from "./write-messages-request.js";

/** What bridging needs of a route: its backend's type and, for Bedrock, a fixed model id. */
export interface BridgeRoute {
  name: string;
  backend: { type: string; modelId?: string };
}

/** One request translated into the backend's dialect, and the way its answer comes back. */
export interface NativeRequest {
  endpoint: string;
  body: string;
  /** A successful answer's body in the dialect the user submitted. Throws BridgeError. */
  fromNative(successBody: string, requestId: string | null): string;
}

export interface Bridge {
  /** Translates one request body. Throws BridgeError naming the field the target cannot express. */
  toNative(bodyText: string): NativeRequest;
}

const DESCRIBED: Record<TargetDialect, string> = {
  chat: "in OpenAI chat completions",
  messages: "in Anthropic Messages",
  converse: "in Bedrock Converse",
};

/**
 * Null when the route's backend speaks the endpoint natively: the body then goes untouched,
 * byte for byte. Otherwise the bridge for it; a BridgeError (param `url`) when no bridge
 * exists from this endpoint to this backend.
 */
export function planBridge(endpoint: string, route: BridgeRoute): Bridge | null {
  const type = route.backend.type;
  if (speaksNatively(type, endpoint)) return null;
  const target = targetDialect(type);
  if (target === null) {
    throw new BridgeError(
      "url",
      `${endpoint} cannot go to route '${route.name}': its ${type} backend takes its provider's own request format only.`,
    );
  }
  const source = dialectOf(endpoint);
  const refuse = () => {
    throw new BridgeError(
      "url",
      `${endpoint} cannot be bridged to route '${route.name}': its ${type} backend speaks ${DESCRIBED[target].slice(3)}, and no bridge leads there from ${endpoint}.`,
    );
  };
  const bedrockModel = (asked: string) => route.backend.modelId ?? asked;
  switch (source.kind) {
    case "chat":
      if (target === "chat") return refuse();
      return { toNative: (text) => fromChat(parseBody(text), target, bedrockModel) };
    case "messages":
      if (target === "messages") return refuse();
      return { toNative: (text) => fromMessages(parseBody(text), target, bedrockModel) };
    case "invoke":
      if (target === "converse") return refuse();
      return { toNative: (text) => fromClaudeInvoke(parseBody(text), source, target, bedrockModel) };
    default:
      return refuse();
  }
}

type ModelFor = (asked: string) => string;

function fromChat(body: JsonObject, target: TargetDialect, modelFor: ModelFor): NativeRequest {
  const conv = readChatRequest(body, DESCRIBED[target]);
  const back = (reply: Reply, requestId: string | null) =>
    JSON.stringify(
      writeChatReply(reply, conv.model, {
        jsonTool: conv.jsonOutput?.name ?? null,
        fallbackId: `chatcmpl-${requestId ?? randomUUID()}`,
        created: Math.floor(Date.now() / 1000),
      }),
    );
  if (target === "messages") {
    return {
      endpoint: "/v1/messages",
      body: JSON.stringify(writeMessagesRequest(conv)),
      fromNative: (text, id) => back(readMessagesReply(parseBody(text, "the answer")), id),
    };
  }
  return toConverse(conv, modelFor, back);
}

function fromMessages(body: JsonObject, target: TargetDialect, modelFor: ModelFor): NativeRequest {
  const conv = readMessagesRequest(body, DESCRIBED[target]);
  const back = (reply: Reply, requestId: string | null) =>
    JSON.stringify(
      writeMessagesReply(reply, conv.model, `msg_${requestId ?? randomUUID().replaceAll("-", "")}`),
    );
  if (target === "chat") {
    return {
      endpoint: "/v1/chat/completions",
      body: JSON.stringify(writeChatRequest(conv)),
      fromNative: (text, id) => back(readChatReply(parseBody(text, "the answer")), id),
    };
  }
  return toConverse(conv, modelFor, back);
}

function toConverse(
  conv: Conversation,
  modelFor: ModelFor,
  back: (reply: Reply, requestId: string | null) => string,
): NativeRequest {
  return {
    endpoint: bedrockPath(modelFor(conv.model), "converse"),
    body: JSON.stringify(writeConverseRequest(conv)),
    fromNative: (text, id) => back(readConverseReply(parseBody(text, "the answer")), id),
  };
}

/** Claude's Bedrock body is a Messages body: as is for Anthropic, through chat for OpenAI. */
function fromClaudeInvoke(
  body: JsonObject,
  source: Extract<Dialect, { kind: "invoke" }>,
  target: TargetDialect,
  modelFor: ModelFor,
): NativeRequest {
  const messages = messagesFromClaudeInvoke(body, source.modelId, DESCRIBED[target]);
  if (target === "messages") {
    return { endpoint: "/v1/messages", body: JSON.stringify(messages), fromNative: (text) => text };
  }
  return fromMessages(messages, target, modelFor);
}
