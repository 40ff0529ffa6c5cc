import { ProxyError } from '../core/errors'
import { getFormat } from '../formats'
import { endpointPath, joinUrl } from '../providers/endpoints'
import { callUpstream } from '../upstream/call-upstream'
import { buildUpstreamHeaders, withQueryAuth } from '../upstream/headers'
import { authenticateClient } from './client-auth'
import type { AppContext } from './context'
import { countRequestTokens } from './count-tokens'
import { errorResponse } from './proxy'
import { checkJsonContentType, parseJsonObject, readBodyText } from './read-body'
import { resolveModel, type Candidate } from './resolve-model'

/** Token counting for the two client APIs that have it. */
export type CountFormat = 'anthropic-messages' | 'gemini'

/** The upstream counting endpoint of a candidate speaking the client's own format, if it has one. */
function countingUrl(candidate: Candidate, format: CountFormat): string | undefined {
  const { connection, provider } = candidate.entry
  const base = connection.baseUrl ?? provider.baseUrl
  if (!base || provider.format !== format) return undefined
  const path = format === 'anthropic-messages' ? '/messages/count_tokens' : endpointPath('gemini', candidate.upstreamModel, false).replace(':generateContent', ':countTokens')
  return withQueryAuth(joinUrl(base, path), provider, connection.apiKey)
}

async function askUpstream(context: AppContext, candidate: Candidate, format: CountFormat, body: Record<string, unknown>, request: Request): Promise<Response | undefined> {
  const url = countingUrl(candidate, format)
  if (!url) return undefined
  try {
    const upstream = await callUpstream({
      url,
      headers: buildUpstreamHeaders(candidate.entry.provider, candidate.entry.connection.apiKey, request.headers, false),
      body: JSON.stringify(format === 'anthropic-messages' ? { ...body, model: candidate.upstreamModel } : body),
      stream: false,
      timeouts: { ...context.registry.timeouts, totalMs: Math.min(context.registry.timeouts.totalMs, 30_000) },
      clientSignal: request.signal,
      fetch: context.fetch,
    })
    if (upstream.response.status !== 200) return undefined
    const text = await upstream.response.text()
    JSON.parse(text)
    return new Response(text, { headers: { 'content-type': 'application/json', 'x-modelmux-model': candidate.publicModel, 'x-modelmux-token-count': 'upstream' } })
  } catch {
    return undefined
  }
}

/**
 * `POST /v1/messages/count_tokens` and Gemini `:countTokens`: forwarded to the upstream's own counting API when
 * the model's provider speaks the client's format, otherwise counted locally with a real tokenizer.
 * @see https://docs.anthropic.com/en/api/messages-count-tokens
 * @see https://ai.google.dev/api/tokens#method:-models.counttokens
 */
export async function handleCountTokens(context: AppContext, format: CountFormat, request: Request, pathModel?: string): Promise<Response> {
  try {
    authenticateClient(context, request.headers, request.url)
    checkJsonContentType(request.headers)
    const body = parseJsonObject(await readBodyText(request, context.registry.maxBodyBytes))
    const model = pathModel ?? body.model
    if (typeof model !== 'string' || !model.trim()) throw new ProxyError('invalid_request', '"model" is required', { param: 'model' })
    const candidates = resolveModel(context.registry, model.trim())
    if (candidates.length === 0) throw new ProxyError('not_found', `model "${model}" is not configured; GET /v1/models lists the models you can use`, { param: 'model' })
    for (const candidate of candidates) {
      const answer = await askUpstream(context, candidate, format, body, request)
      if (answer) return answer
    }
    // Gemini's countTokens may wrap the request as `generateContentRequest`.
    const wire = format === 'gemini' && typeof body.generateContentRequest === 'object' && body.generateContentRequest ? body.generateContentRequest : { ...body, max_tokens: body.max_tokens ?? 1 }
    const tokens = await countRequestTokens(getFormat(format).request.decode(wire))
    const headers = { 'x-modelmux-model': candidates[0].publicModel, 'x-modelmux-token-count': 'estimated' }
    return Response.json(format === 'anthropic-messages' ? { input_tokens: tokens } : { totalTokens: tokens }, { headers })
  } catch (error) {
    return errorResponse(format, error)
  }
}
