import type { ModelRule } from '../types'

/**
 * OpenAI reasoning models (o1/o3/o4, gpt-5 and gpt-6 except the -chat variants) take `max_completion_tokens`
 * and reject sampling knobs (only the default temperature is accepted), so those are dropped.
 * Shared by OpenAI and Azure OpenAI.
 * @see https://platform.openai.com/docs/guides/reasoning
 */
export const openaiReasoningModels: ModelRule = {
  match: /^(o1|o3|o4)(-|$)|^gpt-[56](?!.*-chat)/,
  renameParams: { max_tokens: 'max_completion_tokens' },
  dropParams: ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'logit_bias'],
  target: { maxTokensField: 'max_completion_tokens' },
}
