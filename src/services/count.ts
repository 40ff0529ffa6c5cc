import { getFormat } from '../formats'
import { readModel } from '../formats/client-request'
import { countingUrl, tokenCounting, type CountFormat } from '../formats/token-counting'
import { oauthServiceFor } from '../oauth'
import { resolveCredential } from '../providers/credentials'
import { prepareUpstream } from '../providers/prepare-upstream'
import { callUpstream } from '../upstream/call-upstream'
import { authenticateClient } from './client-auth'
import type { AppContext } from './context'
import { countRequestTokens } from './count-tokens'
import { checkKeyModel, mayUseFor } from './key-models'
import { errorResponse } from './proxy'
import { checkJsonContentType, parseJsonObject, readBodyText } from './read-body'
import { resolveRequestedModel, type Candidate } from './resolve-model'

async function askUpstream(context: AppContext, candidate: Candidate, format: CountFormat, body: Record<string, unknown>, request: Request): Promise<Response | undefined> {
  const { connection, provider } = candidate.entry
  // Only a provider speaking the client's own format has the same counting API; subscriptions are counted locally.
  if (provider.format !== format || oauthServiceFor(context).handles(provider.id)) return undefined
  try {
    const credential = await resolveCredential(provider, connection, { fetch: context.fetch, now: context.now, env: context.env })
    const prepared = prepareUpstream(provider, connection, {
      model: candidate.upstreamModel,
      stream: false,
      body: tokenCounting[format].upstreamBody(body, candidate.upstreamModel),
      credential,
      clientHeaders: request.headers,
      env: context.env,
    })
    const upstream = await callUpstream({
      url: countingUrl(prepared.url, format),
      headers: prepared.headers,
      body: JSON.stringify(prepared.body),
      stream: false,
      timeouts: { ...context.registry.timeouts, totalMs: Math.min(context.registry.timeouts.totalMs, 30_000) },
      clientSignal: request.signal,
      shutdown: context.shutdown,
      fetch: context.fetch,
      proxy: prepared.proxy,
    })
    const text = await upstream.response.text().finally(upstream.settle)
    if (upstream.response.status !== 200) return undefined
    JSON.parse(text)
    return new Response(text, { headers: { 'content-type': 'application/json', 'x-modelmux-model': candidate.publicModel, 'x-modelmux-token-count': 'upstream' } })
  } catch {
    return undefined
  }
}

/**
 * `POST /v1/messages/count_tokens`, `POST /v1/responses/input_tokens` and Gemini `:countTokens`: forwarded to the upstream's own counting API when
 * the model's provider speaks the client's format, otherwise counted locally with a real tokenizer.
 * @see https://docs.anthropic.com/en/api/messages-count-tokens
 * @see https://ai.google.dev/api/tokens#method:-models.counttokens
 * @see https://platform.openai.com/docs/api-reference/responses/input-tokens
 */
export async function handleCountTokens(context: AppContext, format: CountFormat, request: Request, pathModel?: string): Promise<Response> {
  try {
    const apiKey = authenticateClient(context, request.headers, request.url)
    checkJsonContentType(request.headers)
    const body = parseJsonObject(await readBodyText(request, context.registry.maxBodyBytes))
    const model = readModel(format, body, pathModel)
    checkKeyModel(context, apiKey, model)
    const candidates = resolveRequestedModel(context.registry, model, mayUseFor(context, apiKey))
    for (const candidate of candidates) {
      const answer = await askUpstream(context, candidate, format, body, request)
      if (answer) return answer
    }
    const tokens = await countRequestTokens(getFormat(format).request.decode(tokenCounting[format].requestOf(body)))
    const headers = { 'x-modelmux-model': candidates[0].publicModel, 'x-modelmux-token-count': 'estimated' }
    return Response.json(tokenCounting[format].answer(tokens), { headers })
  } catch (error) {
    return errorResponse(format, error)
  }
}
