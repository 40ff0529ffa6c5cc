import { geminiModels } from './gemini'
import { googleServiceAccount } from './shared/auth'
import { defineProvider } from './types'

/**
 * Vertex AI Gemini with a service-account JSON key as the secret. `options.project` defaults to the key's
 * `project_id`, `options.location` to `global` (regional: also set `baseUrl` to `https://<region>-aiplatform.googleapis.com/v1`).
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference
 */
export const vertex = defineProvider({
  id: 'vertex',
  name: 'Vertex AI (Gemini)',
  aliases: ['vx'],
  format: 'gemini',
  baseUrl: 'https://aiplatform.googleapis.com/v1',
  auth: googleServiceAccount(),
  pathPrefix: '/projects/{project}/locations/{location}/publishers/google',
  optionDefaults: { location: 'global' },
  models: geminiModels,
  docs: 'https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference',
})

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
