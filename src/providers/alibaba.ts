import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider } from './types'

/**
 * Alibaba Cloud Model Studio (DashScope, international) in OpenAI-compatible mode; mainland users
 * override `baseUrl` with `https://dashscope.aliyuncs.com/compatible-mode/v1`.
 * Public list prices per 1M tokens for the smallest prompt tier.
 * @see https://www.alibabacloud.com/help/en/model-studio/compatibility-of-openai-with-dashscope
 */
export const alibaba = defineProvider({
  ...openaiCompatible,
  id: 'alibaba',
  name: 'Alibaba Qwen (DashScope)',
  aliases: ['qwen', 'dashscope'],
  baseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
  models: [
    { id: 'qwen3-coder-plus', contextWindow: 1_000_000, pricing: { input: 1, output: 5 } },
    { id: 'qwen3-coder-flash', contextWindow: 1_000_000, pricing: { input: 0.3, output: 1.5 } },
    { id: 'qwen3-max', contextWindow: 262_144, pricing: { input: 1.2, output: 6 } },
    { id: 'qwen-plus', contextWindow: 1_000_000, pricing: { input: 0.4, output: 1.2 } },
  ],
  docs: 'https://www.alibabacloud.com/help/en/model-studio/compatibility-of-openai-with-dashscope',
})
