import type { TargetKind } from "../provider-target.js";
import { anthropicTarget } from "./anthropic-target.js";
import { bedrockTarget } from "./bedrock-target.js";
import { openaiTarget } from "./openai-target.js";

/** Every provider batch API Docket offloads to, as a test target (the scenario suites' table). */
export const PROVIDER_TARGETS: readonly TargetKind[] = [bedrockTarget, openaiTarget, anthropicTarget];
