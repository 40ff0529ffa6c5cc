import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider } from './types'

/**
 * DeepSeek (V3.2). Thinking mode wants earlier reasoning sent back as `reasoning_content`;
 * deepseek-reasoner rejects logprobs. Public list prices per 1M tokens (cacheRead = cache hit).
 * @see https://api-docs.deepseek.com/api/create-chat-completion
 * @see https://api-docs.deepseek.com/guides/chat_prefix_completion
 */
export const deepseek = defineProvider({
  ...openaiCompatible,
  id: 'deepseek',
  name: 'DeepSeek',
  aliases: ['ds'],
  baseUrl: 'https://api.deepseek.com/v1',
  // A final assistant message marked `prefix` is the start of the answer; that is served by the beta API only.
  target: { reasoningField: 'reasoning_content', prefillMember: 'prefix' },
  prefillBaseUrl: 'https://api.deepseek.com/beta',
  modelRules: [{ match: /reasoner/, dropParams: ['logprobs', 'top_logprobs'] }],
  models: [
    { id: 'deepseek-chat', contextWindow: 128_000, pricing: { input: 0.28, output: 0.42, cacheRead: 0.028 } },
    { id: 'deepseek-reasoner', contextWindow: 128_000, pricing: { input: 0.28, output: 0.42, cacheRead: 0.028 } },
  ],
  docs: 'https://api-docs.deepseek.com/api/create-chat-completion',
})
