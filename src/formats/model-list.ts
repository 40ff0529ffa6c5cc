/**
 * The model list, and one model, in each listing client's own shape: OpenAI and Anthropic `GET /v1/models`,
 * Gemini `GET /v1beta/models`, Ollama `GET /api/tags`.
 * @module
 */
import { ProxyError } from '../core/errors'
import type { Clock } from '../core/ids'
import { renderOllamaTags } from './ollama'

/** A model a client may ask for, and who provides it (a provider id, `combo` or `alias`). */
export interface ListedModel {
  id: string
  ownedBy: string
  /** Its context window in tokens, when modelmux knows it. */
  contextWindow?: number
}

/** The client formats that list models. */
export type ListingFormat = 'openai-chat' | 'anthropic-messages' | 'gemini' | 'ollama'

/** The client formats that look one model up. */
export type ModelLookupFormat = Exclude<ListingFormat, 'ollama'>

/** Which client asks on a route several share: Anthropic SDKs send `anthropic-version`, Google's their key (header or `?key=`). */
export function askingFormat(headers: Headers, url: string, fallback: ModelLookupFormat): ModelLookupFormat {
  if (headers.has('anthropic-version')) return 'anthropic-messages'
  if (headers.has('x-goog-api-key') || new URL(url).searchParams.has('key')) return 'gemini'
  return fallback
}

/** Anthropic's list pagination: `limit` (1–1000), `after_id`, `before_id`, as the query string gives them. */
export interface ListPage {
  limit?: string | null
  afterId?: string | null
  beforeId?: string | null
}

const MAX_PAGE = 1000

/**
 * One model as the format's model object.
 * @see https://platform.openai.com/docs/api-reference/models/object
 * @see https://docs.anthropic.com/en/api/models
 * @see https://ai.google.dev/api/models#Model
 */
export function renderModel(format: ModelLookupFormat, { id, ownedBy, contextWindow }: ListedModel, clock: Clock): object {
  const known = <T extends object>(field: T) => (contextWindow === undefined ? {} : field)
  if (format === 'gemini') {
    return { name: `models/${id}`, baseModelId: id, displayName: id, ...known({ inputTokenLimit: contextWindow }), supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'] }
  }
  if (format === 'anthropic-messages') return { type: 'model', id, display_name: id, created_at: new Date(clock.now()).toISOString(), ...known({ max_input_tokens: contextWindow }) }
  return { id, object: 'model', created: Math.floor(clock.now() / 1000), owned_by: ownedBy }
}

/**
 * The models as the format's list answer. Anthropic's list pages by `limit`, `after_id` and `before_id`;
 * without a `limit` it holds every model (a local router lists a few hundred at most).
 * @see https://platform.openai.com/docs/api-reference/models/list
 * @see https://docs.anthropic.com/en/api/models-list
 * @see https://ai.google.dev/api/models#method:-models.list
 */
export function renderModelList(format: ListingFormat, models: readonly ListedModel[], clock: Clock, page: ListPage = {}): object {
  if (format === 'ollama') return renderOllamaTags(models.map(({ id }) => id), clock)
  if (format === 'gemini') return { models: models.map((model) => renderModel('gemini', model, clock)) }
  if (format === 'openai-chat') return { object: 'list', data: models.map((model) => renderModel('openai-chat', model, clock)) }
  const { items, hasMore } = pageOf(models, page)
  return {
    data: items.map((model) => renderModel('anthropic-messages', model, clock)),
    has_more: hasMore,
    first_id: items[0]?.id ?? null,
    last_id: items.at(-1)?.id ?? null,
  }
}

/** The models of one Anthropic list page; a bad `limit` or an unknown cursor is a 400 naming it. */
function pageOf(models: readonly ListedModel[], page: ListPage): { items: readonly ListedModel[]; hasMore: boolean } {
  let limit = MAX_PAGE
  if (page.limit !== undefined && page.limit !== null) {
    limit = Number(page.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new ProxyError('invalid_request', `limit must be a whole number from 1 to ${MAX_PAGE}, got "${page.limit}"`, { param: 'limit' })
    }
  } else if (!page.afterId && !page.beforeId) {
    return { items: models, hasMore: false }
  }
  const cursor = (name: 'after_id' | 'before_id', id: string) => {
    const at = models.findIndex((model) => model.id === id)
    if (at === -1) throw new ProxyError('invalid_request', `${name} "${id}" is not a listed model`, { param: name })
    return at
  }
  if (page.beforeId) {
    const end = cursor('before_id', page.beforeId)
    const start = Math.max(0, end - limit)
    return { items: models.slice(start, end), hasMore: start > 0 }
  }
  const start = page.afterId ? cursor('after_id', page.afterId) + 1 : 0
  return { items: models.slice(start, start + limit), hasMore: start + limit < models.length }
}
