import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider } from './types'

/**
 * Fireworks AI: OpenAI-compatible; model ids are full resource paths. Public list prices per 1M tokens.
 * @see https://docs.fireworks.ai/api-reference/post-chatcompletions
 */
export const fireworks = defineProvider({
  ...openaiCompatible,
  id: 'fireworks',
  name: 'Fireworks AI',
  aliases: ['fw'],
  baseUrl: 'https://api.fireworks.ai/inference/v1',
  models: [
    { id: 'accounts/fireworks/models/kimi-k2-instruct-0905', contextWindow: 262_144, pricing: { input: 0.6, output: 2.5 } },
    { id: 'accounts/fireworks/models/deepseek-v3p1', contextWindow: 163_840, pricing: { input: 0.56, output: 1.68 } },
    { id: 'accounts/fireworks/models/qwen3-coder-480b-a35b-instruct', contextWindow: 262_144, pricing: { input: 0.45, output: 1.8 } },
    { id: 'accounts/fireworks/models/gpt-oss-120b', contextWindow: 131_072, pricing: { input: 0.15, output: 0.6 } },
  ],
  docs: 'https://docs.fireworks.ai/api-reference/post-chatcompletions',
})
