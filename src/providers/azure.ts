import { openai } from './openai'
import { header } from './shared/auth'
import { openaiReasoningModels } from './shared/openai-reasoning'
import { defineProvider } from './types'

/**
 * Azure OpenAI: `baseUrl` is the resource endpoint (`https://<resource>.openai.azure.com`); the model name
 * is the deployment unless the connection sets `options.deployment`. Key in `api-key`.
 * @see https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference
 */
export const azure = defineProvider({
  id: 'azure',
  name: 'Azure OpenAI',
  aliases: ['aoai'],
  format: 'openai-chat',
  auth: header('api-key'),
  pathPrefix: '/openai/deployments/{deployment}',
  query: { 'api-version': '{apiVersion}' },
  optionDefaults: { deployment: '{model}', apiVersion: '2025-04-01-preview' },
  modelRules: [openaiReasoningModels],
  models: openai.models,
  docs: 'https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference',
})
