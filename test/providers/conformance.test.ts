import { describe, expect, test } from 'bun:test'
import { providerList } from '../../src/providers'
import { alibaba } from '../../src/providers/alibaba'
import { anthropic } from '../../src/providers/anthropic'
import { azure } from '../../src/providers/azure'
import { cerebras } from '../../src/providers/cerebras'
import { cohere } from '../../src/providers/cohere'
import { anthropicCompatible, geminiCompatible, openaiCompatible, responsesCompatible } from '../../src/providers/compatible'
import { deepseek } from '../../src/providers/deepseek'
import { fireworks } from '../../src/providers/fireworks'
import { gemini } from '../../src/providers/gemini'
import { glm } from '../../src/providers/glm'
import { glmCn } from '../../src/providers/glm-cn'
import { groq } from '../../src/providers/groq'
import { kimi } from '../../src/providers/kimi'
import { minimax } from '../../src/providers/minimax'
import { minimaxCn } from '../../src/providers/minimax-cn'
import { mistral } from '../../src/providers/mistral'
import { moonshot } from '../../src/providers/moonshot'
import { nvidia } from '../../src/providers/nvidia'
import { ollama } from '../../src/providers/ollama'
import { ollamaCloud } from '../../src/providers/ollama-cloud'
import { openai } from '../../src/providers/openai'
import { opencode } from '../../src/providers/opencode'
import { subscriptionDefinitions } from '../../src/providers/subscription'
import { openrouter } from '../../src/providers/openrouter'
import { perplexity } from '../../src/providers/perplexity'
import { siliconflow } from '../../src/providers/siliconflow'
import { together } from '../../src/providers/together'
import { vertex } from '../../src/providers/vertex'
import { vertexPartner } from '../../src/providers/vertex-partner'
import { xai } from '../../src/providers/xai'
import { runProviderConformance, type ConformanceCase } from './conformance.case'

/**
 * Every provider, one line each; `catalogue.test.ts` checks that none is missing from this list.
 * A documented gap is declared on its line: `skip: [{ test: 'models', reason: '…' }]`.
 */
const conformanceCases: ConformanceCase[] = [
  { provider: openai },
  { provider: anthropic },
  { provider: gemini },
  { provider: openrouter },
  { provider: deepseek },
  { provider: groq },
  { provider: xai },
  { provider: mistral },
  { provider: together },
  { provider: fireworks },
  { provider: cerebras },
  { provider: perplexity },
  { provider: nvidia },
  { provider: cohere },
  { provider: glm },
  { provider: glmCn },
  { provider: kimi },
  { provider: moonshot },
  { provider: minimax },
  { provider: minimaxCn },
  { provider: alibaba },
  { provider: siliconflow },
  { provider: azure, connection: { options: { deployment: 'dep-1', apiVersion: '2024-10-21' } }, pathPrefix: '/openai/deployments/dep-1', query: 'api-version=2024-10-21' },
  { provider: vertex, connection: { options: { location: 'us-east5' } }, pathPrefix: '/projects/sa-project/locations/us-east5/publishers/google' },
  { provider: vertexPartner, connection: { options: { project: 'other-project' } }, pathPrefix: '/projects/other-project/locations/global/endpoints/openapi' },
  { provider: ollama },
  { provider: ollamaCloud },
  { provider: opencode },
  ...subscriptionDefinitions.map((provider) => (provider.id === 'claude-code' ? { provider, query: 'beta=true' } : { provider })),
  { provider: openaiCompatible },
  { provider: anthropicCompatible },
  { provider: geminiCompatible },
  { provider: responsesCompatible },
]

describe('provider conformance', () => {
  test('every registered provider has its line here, once', () => {
    expect(conformanceCases.map((spec) => spec.provider.id).sort()).toEqual(providerList.map((p) => p.id).sort())
  })
  for (const spec of conformanceCases) runProviderConformance(spec)
})
