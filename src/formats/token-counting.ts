/**
 * The token-counting APIs of the client formats that have one: where the counting endpoint sits beside
 * a generation endpoint, what body it takes, which request a body describes, and the answer's shape.
 * @see https://docs.anthropic.com/en/api/messages-count-tokens
 * @see https://ai.google.dev/api/tokens#method:-models.counttokens
 * @see https://platform.openai.com/docs/api-reference/responses/input-tokens
 * @module
 */
import type { JsonObject } from '../core/json'

/** Token counting for the client APIs that have it. */
export type CountFormat = 'anthropic-messages' | 'gemini' | 'openai-responses'

/** How one format counts tokens. */
interface TokenCounting {
  /** The counting endpoint beside the generation endpoint `path` (query parameters are kept by the caller). */
  countingPath(path: string): string
  /** The body to send upstream for a client's counting body. */
  upstreamBody(body: JsonObject, upstreamModel: string): JsonObject
  /** The generation request a counting body describes (decoded with the format's request codec). */
  requestOf(body: JsonObject): unknown
  /** A count as the format answers it. */
  answer(tokens: number): JsonObject
}

/** Each counting format's wire details. */
export const tokenCounting: Readonly<Record<CountFormat, TokenCounting>> = {
  'anthropic-messages': {
    countingPath: (path) => `${path}/count_tokens`,
    upstreamBody: (body, upstreamModel) => ({ ...body, model: upstreamModel }),
    // A counting body has no max_tokens; the request codec wants one.
    requestOf: (body) => ({ ...body, max_tokens: body.max_tokens ?? 1 }),
    answer: (tokens) => ({ input_tokens: tokens }),
  },
  gemini: {
    countingPath: (path) => path.replace(/:generateContent$/, ':countTokens'),
    upstreamBody: (body) => body,
    // countTokens may wrap the request as `generateContentRequest`.
    requestOf: (body) => (typeof body.generateContentRequest === 'object' && body.generateContentRequest ? body.generateContentRequest : { ...body, max_tokens: body.max_tokens ?? 1 }),
    answer: (tokens) => ({ totalTokens: tokens }),
  },
  'openai-responses': {
    countingPath: (path) => `${path}/input_tokens`,
    upstreamBody: (body, upstreamModel) => ({ ...body, model: upstreamModel }),
    requestOf: (body) => body,
    answer: (tokens) => ({ object: 'response.input_tokens', input_tokens: tokens }),
  },
}

/** The counting URL beside a generation URL, query parameters kept. */
export function countingUrl(generationUrl: string, format: CountFormat): string {
  const query = generationUrl.indexOf('?')
  const path = query === -1 ? generationUrl : generationUrl.slice(0, query)
  return tokenCounting[format].countingPath(path) + (query === -1 ? '' : generationUrl.slice(query))
}
