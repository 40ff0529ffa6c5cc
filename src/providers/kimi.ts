import { anthropicCompatible } from './shared/anthropic-compatible'
import { defineProvider } from './types'

/**
 * Kimi For Coding (membership key) through its Anthropic-compatible endpoint; a subscription, so no prices.
 * @see https://www.kimi.com/coding/docs/en/third-party-agents.html
 */
export const kimi = defineProvider({
  ...anthropicCompatible,
  id: 'kimi',
  name: 'Kimi For Coding',
  aliases: [],
  baseUrl: 'https://api.kimi.com/coding/v1',
  models: [
    { id: 'kimi-for-coding', contextWindow: 262_144 },
    { id: 'kimi-k2-thinking', contextWindow: 262_144 },
  ],
  docs: 'https://www.kimi.com/coding/docs/en/third-party-agents.html',
})
