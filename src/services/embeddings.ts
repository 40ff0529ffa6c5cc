import { classifyHttpFailure, transientFailure } from '../core/classify-failure'
import { ProxyError } from '../core/errors'
import {
  checkEmbeddingsRequest,
  embeddingsCodecs,
  embeddingsInputTokens,
  embeddingsUrl,
  fromOllamaClient,
  isEmbeddingsList,
  servesEmbeddings,
  toOllamaClient,
} from '../formats/embeddings'
import { readModel } from '../formats/client-request'
import { decodeUpstreamError } from '../formats/upstream-error'
import { oauthServiceFor } from '../oauth'
import { resolveCredential } from '../providers/credentials'
import { prepareUpstream, type PreparedUpstream } from '../providers/prepare-upstream'
import { callUpstream, UpstreamFailure } from '../upstream/call-upstream'
import { checkKeyLimits } from './budgets'
import { authenticateClient } from './client-auth'
import type { AppContext } from './context'
import { checkKeyModel, mayUseFor } from './key-models'
import { rewriteModel } from './passthrough'
import { describeFailure } from './attempt'
import type { Unavailable } from './health'
import { errorResponse, skipReason, unavailable } from './proxy'
import { checkJsonContentType, parseJsonObject, readBodyText } from './read-body'
import { resolveRequestedModel, type Candidate } from './resolve-model'

/**
 * A failed try: what to report if nothing else serves (an upstream's own error answer, `foreign` when its format is
 * not OpenAI's), and whether another candidate may.
 */
type Failed = { ok: false; failure: Response | ProxyError; status: number; next: boolean; foreign?: boolean }

/** What one try of one candidate gave: an answer for the client, or a failure. */
type Tried = { ok: true; response: Response; inputTokens?: number } | Failed

/** Shapes the upstream call; a connection missing its base URL or an option, or a refused service-account key, fails (another may serve). */
async function prepareCall(context: AppContext, candidate: Candidate, body: Record<string, unknown>): Promise<PreparedUpstream | Failed> {
  const { connection, provider } = candidate.entry
  try {
    const credential =
      provider.auth.kind === 'google-service-account' ? await resolveCredential(provider, connection, { fetch: context.fetch, now: context.now, env: context.env }) : undefined
    return prepareUpstream(provider, connection, { model: candidate.upstreamModel, stream: false, body, credential, env: context.env })
  } catch (error) {
    const failure = error instanceof ProxyError ? error : new ProxyError('upstream', `${connection.name}: ${(error as Error).message}`)
    return { ok: false, failure, status: failure.status, next: true }
  }
}

/** Sends the embeddings request to one candidate and reads its answer (relayed as it is, or translated from Ollama or Gemini). */
async function tryCandidate(context: AppContext, request: Request, body: Record<string, unknown>, candidate: Candidate, attempt: number): Promise<Tried> {
  const { connection, provider } = candidate.entry
  const codec = embeddingsCodecs[provider.format]
  const upstreamBody = codec ? codec.request(body, candidate.upstreamModel) : { ...body, model: candidate.upstreamModel }
  const prepared = await prepareCall(context, candidate, upstreamBody)
  if ('ok' in prepared) return prepared
  let upstream
  try {
    upstream = await callUpstream({
      url: embeddingsUrl(prepared.url, provider.format),
      headers: prepared.headers,
      body: JSON.stringify(prepared.body),
      stream: false,
      timeouts: context.registry.timeouts,
      clientSignal: request.signal,
      shutdown: context.shutdown,
      fetch: context.fetch,
      proxy: prepared.proxy,
    })
  } catch (error) {
    const failure = describeFailure(connection.name, error instanceof UpstreamFailure ? error : undefined, error)
    // A client that left, or modelmux shutting down, ends the request; anything else is this upstream's fault.
    const next = failure.status !== 499 && !context.shutdown?.tripped
    if (next) context.health.failed(connection.id, candidate.upstreamModel, transientFailure(failure.message))
    return { ok: false, failure, status: failure.status, next }
  }
  const { response } = upstream
  const text = await response.text().catch(() => '')
  upstream.settle()
  const headers = { 'content-type': 'application/json', 'x-modelmux-model': candidate.publicModel, 'x-modelmux-attempts': String(attempt) }
  if (response.status >= 400) {
    const classified = classifyHttpFailure(response.status, response.headers, text, context.now())
    context.health.failed(connection.id, candidate.upstreamModel, classified)
    // A 404 is an upstream without this model or without embeddings at all: another candidate may have both.
    const next = response.status === 404 || (classified.class !== 'client' && classified.class !== 'content-filter' && classified.class !== 'context-length')
    return { ok: false, failure: new Response(text, { status: response.status, headers }), status: response.status, next, foreign: codec !== undefined }
  }
  let answer: unknown
  try {
    answer = JSON.parse(text)
  } catch {
    answer = undefined
  }
  const translated = codec?.response(answer, candidate.publicModel, body.encoding_format)
  if (codec ? !translated : !isEmbeddingsList(answer)) {
    const failure = new ProxyError('upstream', `${connection.name}: upstream answered with a body that is not an embeddings answer`)
    context.health.failed(connection.id, candidate.upstreamModel, transientFailure(failure.message))
    return { ok: false, failure, status: failure.status, next: true }
  }
  context.health.succeeded(connection.id, candidate.upstreamModel)
  if (translated) return { ok: true, response: Response.json(translated.body, { headers }), inputTokens: translated.inputTokens }
  return { ok: true, response: new Response(rewriteModel(text, candidate.publicModel), { headers }), inputTokens: embeddingsInputTokens(answer) }
}

/** The client side of an embeddings call: OpenAI's API, or Ollama's (`/api/embed`, legacy `/api/embeddings`) translated to and from it. */
export type EmbeddingsClient = 'openai' | 'ollama' | 'ollama-legacy'

/** The answer, in the client's format. */
async function answerFor(client: EmbeddingsClient, response: Response, model: string): Promise<Response> {
  if (client === 'openai') return response
  const answer = (await response.json()) as Parameters<typeof toOllamaClient>[0]
  return Response.json(toOllamaClient(answer, model, client === 'ollama-legacy'), { headers: { 'x-modelmux-model': model, 'x-modelmux-attempts': response.headers.get('x-modelmux-attempts') ?? '1' } })
}

/** An upstream's error answer, in the client's format (an OpenAI client gets an OpenAI-compatible one as it came). */
async function failureFor(client: EmbeddingsClient, failed: Failed & { failure: Response }, connectionName: string): Promise<Response> {
  const { failure } = failed
  if (client === 'openai' && !failed.foreign) return failure
  const headers = { 'x-modelmux-model': failure.headers.get('x-modelmux-model') ?? '', 'x-modelmux-attempts': failure.headers.get('x-modelmux-attempts') ?? '1' }
  return errorResponse(client === 'openai' ? 'openai-chat' : 'ollama', decodeUpstreamError(failure.status, await failure.text(), connectionName), headers)
}

/**
 * `POST /v1/embeddings`: the OpenAI embeddings API, routed like chat (aliases, combos, account order, budgets,
 * cooldowns) to the candidates that serve embeddings (OpenAI-compatible, Ollama and Gemini upstreams), falling over on
 * rate limits and faults. The answer names the model that served it; usage is recorded with its input tokens.
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 */
export async function handleEmbeddings(context: AppContext, request: Request, client: EmbeddingsClient = 'openai'): Promise<Response> {
  const format = client === 'openai' ? 'openai-chat' : 'ollama'
  const startedAt = performance.now()
  context.onActivity?.()
  let parsed: { model: string; apiKeyId: number | null; requestId: string } | undefined
  let attempts = 0
  const record = (candidate: Candidate | undefined, status: number, inputTokens?: number, error?: string) => {
    if (!parsed) return
    context.usage.record({
      at: context.now(),
      requestId: parsed.requestId,
      inboundFormat: `${client === 'openai' ? 'openai' : 'ollama'}-embeddings`,
      requestedModel: parsed.model,
      model: candidate?.publicModel ?? null,
      provider: candidate?.entry.provider.id ?? null,
      connectionId: candidate?.entry.connection.id ?? null,
      apiKeyId: parsed.apiKeyId,
      status,
      stream: false,
      attempts,
      inputTokens,
      latencyMs: Math.round(performance.now() - startedAt),
      error,
    })
  }
  try {
    const apiKey = authenticateClient(context, request.headers, request.url)
    checkKeyLimits(context, apiKey)
    checkJsonContentType(request.headers)
    const sent = parseJsonObject(await readBodyText(request, context.registry.maxBodyBytes))
    const body = client === 'openai' ? sent : fromOllamaClient(sent, client === 'ollama-legacy')
    const model = readModel(format, body)
    checkKeyModel(context, apiKey, model)
    checkEmbeddingsRequest(body)
    const oauth = oauthServiceFor(context)
    const candidates = context.router
      .order(resolveRequestedModel(context.registry, model, mayUseFor(context, apiKey)), undefined, context.registry.settings.routing?.providers)
      .filter(({ entry }) => servesEmbeddings(entry.provider.format) && !oauth.handles(entry.provider.id))
    if (candidates.length === 0) {
      throw new ProxyError('invalid_request', `no connection for "${model}" serves embeddings: that takes an OpenAI-compatible, Ollama or Gemini provider`, { param: 'model' })
    }
    parsed = { model, apiKeyId: apiKey?.id ?? null, requestId: Bun.randomUUIDv7() }
    let last: (Failed & { connectionName: string }) | undefined
    const skipped: Unavailable[] = []
    for (const candidate of candidates) {
      const skip = skipReason(context, candidate)
      if (skip) {
        skipped.push(skip)
        continue
      }
      attempts++
      const tried = await tryCandidate(context, request, body, candidate, attempts)
      if (tried.ok) {
        record(candidate, 200, tried.inputTokens)
        return await answerFor(client, tried.response, candidate.publicModel)
      }
      last = { ...tried, connectionName: candidate.entry.connection.name }
      if (!tried.next) break
    }
    if (!last) {
      const { error, headers } = unavailable(context, skipped, model)
      record(undefined, error.status, undefined, error.message)
      return errorResponse(format, error, headers)
    }
    record(undefined, last.status, undefined, last.failure instanceof ProxyError ? last.failure.message : `upstream answered ${last.status}`)
    if (last.failure instanceof Response) return await failureFor(client, { ...last, failure: last.failure }, last.connectionName)
    return errorResponse(format, last.failure, { 'x-modelmux-attempts': String(attempts) })
  } catch (error) {
    if (error instanceof ProxyError) record(undefined, error.status, undefined, error.message)
    return errorResponse(format, error)
  }
}
