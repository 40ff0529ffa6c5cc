import { anthropic } from './anthropic'
import { anthropicCompatible, geminiCompatible, openaiCompatible, responsesCompatible } from './compatible'
import { openai } from './openai'
import type { ProviderDefinition } from './types'

/** Every provider modelmux knows, by id. */
export const providers: Readonly<Record<string, ProviderDefinition>> = Object.fromEntries(
  [openai, anthropic, openaiCompatible, anthropicCompatible, geminiCompatible, responsesCompatible].map((p) => [p.id, p]),
)

/** Looks a provider up by id. */
export function getProvider(id: string): ProviderDefinition | undefined {
  return providers[id]
}
