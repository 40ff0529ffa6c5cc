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
