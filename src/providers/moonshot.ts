import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider } from './types'

/**
 * Moonshot AI open platform (Kimi K2 by API key). Thinking models want earlier reasoning back
 * as `reasoning_content`. Public list prices per 1M tokens (cacheRead = cache hit).
 * @see https://platform.moonshot.ai/docs/api/chat
 * @see https://platform.kimi.ai/docs/api/partial
 */
export const moonshot = defineProvider({
  ...openaiCompatible,
  id: 'moonshot',
  name: 'Moonshot AI',
  aliases: ['ms'],
  baseUrl: 'https://api.moonshot.ai/v1',
  // A final assistant message marked `partial` is the start of the answer; the reply leaves it out.
  target: { reasoningField: 'reasoning_content', prefillMember: 'partial' },
  models: [
    { id: 'kimi-k2-0905-preview', contextWindow: 262_144, pricing: { input: 0.6, output: 2.5, cacheRead: 0.15 } },
    { id: 'kimi-k2-thinking', contextWindow: 262_144, pricing: { input: 0.6, output: 2.5, cacheRead: 0.15 } },
    { id: 'kimi-k2-turbo-preview', contextWindow: 262_144, pricing: { input: 1.15, output: 8, cacheRead: 0.15 } },
  ],
  docs: 'https://platform.moonshot.ai/docs/api/chat',
})
