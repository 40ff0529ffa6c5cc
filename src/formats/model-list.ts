/**
 * The model list in each listing client's own shape: OpenAI `GET /v1/models`, Gemini `GET /v1beta/models`,
 * Ollama `GET /api/tags`.
 * @module
 */
import type { Clock } from '../core/ids'
import { renderOllamaTags } from './ollama'

/** A model a client may ask for, and who provides it (a provider id, `combo` or `alias`). */
export interface ListedModel {
  id: string
  ownedBy: string
}

/** The client formats that list models. */
export type ListingFormat = 'openai-chat' | 'gemini' | 'ollama'

/**
 * Renders the models as the format's list answer.
 * @see https://platform.openai.com/docs/api-reference/models/list
 * @see https://ai.google.dev/api/models#method:-models.list
 */
export function renderModelList(format: ListingFormat, models: readonly ListedModel[], clock: Clock): object {
  if (format === 'gemini') {
    return {
      models: models.map(({ id }) => ({ name: `models/${id}`, baseModelId: id, displayName: id, supportedGenerationMethods: ['generateContent', 'streamGenerateContent'] })),
    }
  }
  if (format === 'ollama') return renderOllamaTags(models.map(({ id }) => id), clock)
  const created = Math.floor(clock.now() / 1000)
  return { object: 'list', data: models.map(({ id, ownedBy }) => ({ id, object: 'model', created, owned_by: ownedBy })) }
}
