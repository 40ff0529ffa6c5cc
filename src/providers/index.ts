import { alibaba } from './alibaba'
import { anthropic } from './anthropic'
import { azure } from './azure'
import { cerebras } from './cerebras'
import { cohere } from './cohere'
import { anthropicCompatible, geminiCompatible, openaiCompatible, responsesCompatible } from './compatible'
import { deepseek } from './deepseek'
import { fireworks } from './fireworks'
import { gemini } from './gemini'
import { glm } from './glm'
import { glmCn } from './glm-cn'
import { groq } from './groq'
import { kimi } from './kimi'
import { minimax } from './minimax'
import { minimaxCn } from './minimax-cn'
import { mistral } from './mistral'
import { moonshot } from './moonshot'
import { nvidia } from './nvidia'
import { ollama } from './ollama'
import { ollamaCloud } from './ollama-cloud'
import { openai } from './openai'
import { opencode } from './opencode'
import { subscriptionDefinitions } from './subscription'
import { openrouter } from './openrouter'
import { perplexity } from './perplexity'
import { siliconflow } from './siliconflow'
import { together } from './together'
import type { ProviderDefinition } from './types'
import { vertex } from './vertex'
import { vertexPartner } from './vertex-partner'
import { xai } from './xai'

/** Every provider modelmux knows, in catalogue order (API-key providers, then custom nodes). */
export const providerList: readonly ProviderDefinition[] = [
  openai, anthropic, gemini, openrouter, deepseek, groq, xai, mistral, together, fireworks, cerebras, perplexity,
  nvidia, cohere, glm, glmCn, kimi, moonshot, minimax, minimaxCn, alibaba, siliconflow, azure, vertex, vertexPartner,
  ollama, ollamaCloud, opencode,
  ...subscriptionDefinitions,
  openaiCompatible, anthropicCompatible, geminiCompatible, responsesCompatible,
]

/** Every provider modelmux knows, by id. */
export const providers: Readonly<Record<string, ProviderDefinition>> = Object.fromEntries(providerList.map((p) => [p.id, p]))

/** Looks a provider up by id. */
export function getProvider(id: string): ProviderDefinition | undefined {
  return Object.hasOwn(providers, id) ? providers[id] : undefined
}
