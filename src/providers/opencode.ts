import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider } from './types'

/**
 * OpenCode Zen: free models need no key (it expects the token `public`); a paid Zen key replaces it.
 * Gap: Zen serves big-pickle on `/messages` (Anthropic) and the rest on `/chat/completions`; per-model endpoints are
 * not modelled yet, so big-pickle is left out of the built-in list.
 * @see https://opencode.ai/docs/zen/
 */
export const opencode = defineProvider({
  ...openaiCompatible,
  id: 'opencode',
  name: 'OpenCode Zen',
  aliases: ['oc', 'zen'],
  baseUrl: 'https://opencode.ai/zen/v1',
  anonymousKey: 'public',
  headers: { 'x-opencode-client': 'desktop' },
  models: [
    { id: 'grok-code', contextWindow: 256_000, pricing: { input: 0, output: 0 } },
    { id: 'gpt-5-nano', contextWindow: 400_000, pricing: { input: 0, output: 0 } },
  ],
  docs: 'https://opencode.ai/docs/zen/',
})
