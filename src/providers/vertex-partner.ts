import { googleServiceAccount } from './shared/auth'
import { defineProvider } from './types'

/**
 * Vertex AI partner and open models (DeepSeek, Qwen, Llama, gpt-oss…) through its OpenAI-compatible endpoint.
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/maas/call-open-model-apis
 */
export const vertexPartner = defineProvider({
  id: 'vertex-partner',
  name: 'Vertex AI (partner models)',
  aliases: ['vxp'],
  format: 'openai-chat',
  baseUrl: 'https://aiplatform.googleapis.com/v1',
  auth: googleServiceAccount(),
  pathPrefix: '/projects/{project}/locations/{location}/endpoints/openapi',
  optionDefaults: { location: 'global' },
  models: [
    { id: 'deepseek-ai/deepseek-v3.1-maas', contextWindow: 163_840 },
    { id: 'qwen/qwen3-coder-480b-a35b-instruct-maas', contextWindow: 262_144 },
    { id: 'openai/gpt-oss-120b-maas', contextWindow: 131_072 },
  ],
  docs: 'https://cloud.google.com/vertex-ai/generative-ai/docs/maas/call-open-model-apis',
})
