import { ProxyError } from '../core/errors'
import { encodeError } from '../formats/errors'
import type { FormatId } from '../formats/types'
import { endpointPath, joinUrl } from '../providers/endpoints'
import { callUpstream, UpstreamFailure } from '../upstream/call-upstream'
import { buildUpstreamHeaders, copyResponseHeaders, withQueryAuth } from '../upstream/headers'
import type { ApiKeyRecord } from '../store/api-keys'
import { authenticateClient } from './client-auth'
import type { AppContext } from './context'
import type { ObservedUsage } from './observe-usage'
import { observeUsage } from './observe-usage'
import { relayStream, rewriteModel } from './passthrough'
import { checkJsonContentType, parseJsonObject, readBodyText } from './read-body'
import { resolveModel, type Candidate } from './resolve-model'

/** A client call as the route saw it; Gemini-style routes carry model and stream in the path. */
export interface InboundCall {
  format: FormatId
  request: Request
  pathModel?: string
  pathStream?: boolean
}

interface Attempt {
  candidate: Candidate
  status: number
  reason?: string
}

/** Renders an error as a JSON response in the caller's format. */
export function errorResponse(format: FormatId, error: unknown, headers: Record<string, string> = {}): Response {
  const proxyError =
    error instanceof ProxyError ? error : new ProxyError('internal', `internal error: ${(error as Error)?.message ?? String(error)}`)
  if (proxyError.kind === 'internal') console.error('modelmux: internal error', error)
  const encoded = encodeError(format, proxyError)
  return Response.json(encoded.body, { status: encoded.status, headers })
}

function readModel(call: InboundCall, body: Record<string, unknown>): string {
  const model = call.pathModel ?? body.model
  if (typeof model !== 'string' || model.trim() === '') {
    throw new ProxyError('invalid_request', '"model" is required: a string such as "<prefix>/<model>", a combo or an alias', { param: 'model' })
  }
  return model.trim()
}

// Failures that another account or model may not share: rate limits, overload and server errors.
const isRetryable = (status: number) => status === 408 || status === 429 || status >= 500

/** Serves one client request: authenticate, parse, resolve, call upstream with fallback, relay the answer. */
export async function handleProxy(context: AppContext, call: InboundCall): Promise<Response> {
  const startedAt = performance.now()
  let apiKey: ApiKeyRecord | null = null
  try {
    apiKey = authenticateClient(context, call.request.headers, call.request.url)
    checkJsonContentType(call.request.headers)
    const registry = context.registry
    const body = parseJsonObject(await readBodyText(call.request, registry.maxBodyBytes))
    const model = readModel(call, body)
    const stream = call.pathStream ?? body.stream === true
    const candidates = resolveModel(registry, model)
    if (candidates.length === 0) {
      throw new ProxyError('not_found', `model "${model}" is not configured; GET /v1/models lists the models you can use`, {
        param: 'model',
        code: 'model_not_found',
      })
    }
    const attempts: Attempt[] = []
    let lastFailure: Response | ProxyError | undefined
    for (const candidate of candidates) {
      const outcome = await attemptPassthrough(context, call, body, stream, candidate, attempts, { startedAt, apiKey, requestedModel: model })
      if (outcome.final) return outcome.response
      lastFailure = outcome.failure
    }
    if (lastFailure instanceof Response) return lastFailure
    throw lastFailure ?? new ProxyError('upstream', 'no upstream could serve the request')
  } catch (error) {
    return errorResponse(call.format, error)
  }
}

interface RequestFacts {
  startedAt: number
  apiKey: ApiKeyRecord | null
  requestedModel: string
}

/** An attempt either answers the client or leaves a failure to report if no later candidate succeeds. */
type AttemptOutcome = { final: true; response: Response } | { final: false; failure: Response | ProxyError }

const final = (response: Response): AttemptOutcome => ({ final: true, response })
const retry = (failure: Response | ProxyError): AttemptOutcome => ({ final: false, failure })

/** One upstream attempt. */
async function attemptPassthrough(
  context: AppContext,
  call: InboundCall,
  body: Record<string, unknown>,
  stream: boolean,
  candidate: Candidate,
  attempts: Attempt[],
  facts: RequestFacts,
): Promise<AttemptOutcome> {
  const { connection, provider } = candidate.entry
  if (provider.format !== call.format) {
    attempts.push({ candidate, status: 501, reason: 'format translation unavailable' })
    return retry(new ProxyError('invalid_request', `${provider.name} speaks ${provider.format}; translation from ${call.format} is not available yet`, { status: 501 }))
  }
  const baseUrl = connection.baseUrl ?? provider.baseUrl
  if (!baseUrl) return retry(new ProxyError('internal', `connection "${connection.name}" has no base URL`))
  const url = withQueryAuth(joinUrl(baseUrl, endpointPath(provider.format, candidate.upstreamModel, stream)), provider, connection.apiKey)
  const upstreamBody = call.pathModel === undefined ? JSON.stringify({ ...body, model: candidate.upstreamModel }) : JSON.stringify(body)
  const usage: ObservedUsage = {}
  let ttfbMs: number | undefined
  let settled = false
  const record = (status: number, error?: string) => {
    if (settled) return
    settled = true
    context.usage.record({
      at: context.now(),
      requestId: crypto.randomUUID(),
      inboundFormat: call.format,
      requestedModel: facts.requestedModel,
      model: candidate.publicModel,
      provider: provider.id,
      connectionId: connection.id,
      apiKeyId: facts.apiKey?.id ?? null,
      status,
      stream,
      attempts: attempts.length,
      ...usage,
      latencyMs: Math.round(performance.now() - facts.startedAt),
      ttfbMs,
      error,
    })
  }
  let upstream
  try {
    upstream = await callUpstream({
      url,
      headers: buildUpstreamHeaders(provider, connection.apiKey, call.request.headers, stream),
      body: upstreamBody,
      stream,
      timeouts: context.registry.timeouts,
      clientSignal: call.request.signal,
      fetch: context.fetch,
    })
  } catch (error) {
    const failure = error instanceof UpstreamFailure ? error : new UpstreamFailure('network', String(error))
    attempts.push({ candidate, status: 0, reason: failure.message })
    if (failure.reason === 'aborted') return final(errorResponse(call.format, new ProxyError('invalid_request', 'client disconnected', { status: 499 })))
    const timedOut = failure.reason !== 'network'
    return retry(new ProxyError(timedOut ? 'timeout' : 'upstream', `${connection.name}: ${failure.message}`))
  }
  const { response } = upstream
  attempts.push({ candidate, status: response.status })
  const headers = new Headers({ 'x-modelmux-model': candidate.publicModel, 'x-modelmux-attempts': String(attempts.length) })
  copyResponseHeaders(response.headers, headers)
  headers.set('content-type', response.headers.get('content-type') ?? 'application/json')
  if (response.status >= 400) {
    const text = await response.text().catch(() => '')
    record(response.status, text.slice(0, 500))
    const failure = new Response(text, { status: response.status, headers })
    return isRetryable(response.status) ? retry(failure) : final(failure)
  }
  const isEventStream = (response.headers.get('content-type') ?? '').includes('event-stream') || (stream && provider.format === 'ollama')
  if (isEventStream && response.body) {
    const describeFailure = (error: unknown) => describeUpstreamFailure(connection.name, upstream.failure(), error)
    const reader = response.body.getReader()
    // Wait for the first byte before answering: until then a failure can still fall over to the next candidate.
    let first: { done: boolean; value?: Uint8Array }
    try {
      first = await reader.read()
    } catch (error) {
      const failure = describeFailure(error)
      record(failure.status, failure.message)
      if (upstream.failure()?.reason === 'aborted') return final(errorResponse(call.format, failure))
      return retry(failure)
    }
    if (first.done) {
      const failure = new ProxyError('upstream', `${connection.name}: upstream ended the stream without sending anything`)
      record(failure.status, failure.message)
      return retry(failure)
    }
    ttfbMs = Math.round(performance.now() - facts.startedAt)
    headers.set('cache-control', 'no-cache')
    const relayed = relayStream(reader, first.value!, {
      format: provider.format,
      model: candidate.publicModel,
      usage,
      describeFailure,
      onEnd: (end) => (end.ok ? record(response.status) : record(end.error.status, end.error.message)),
    })
    return final(new Response(relayed, { status: response.status, headers }))
  }
  let text: string
  try {
    text = await response.text()
  } catch (error) {
    const failure = describeUpstreamFailure(connection.name, upstream.failure(), error)
    record(failure.status, failure.message)
    return retry(failure)
  }
  ttfbMs = Math.round(performance.now() - facts.startedAt)
  try {
    observeUsage(provider.format, JSON.parse(text), usage)
  } catch {
    // Not JSON: relayed as it is; there is no usage to read.
  }
  record(response.status)
  return final(new Response(rewriteModel(text, candidate.publicModel), { status: response.status, headers }))
}

/** Turns an upstream failure (a timeout, a broken connection, a client that left) into the error to report. */
function describeUpstreamFailure(connectionName: string, failure: UpstreamFailure | undefined, error: unknown): ProxyError {
  if (failure?.reason === 'aborted') return new ProxyError('invalid_request', 'client disconnected', { status: 499 })
  if (failure) return new ProxyError(failure.reason === 'network' ? 'upstream' : 'timeout', `${connectionName}: ${failure.message}`)
  return new ProxyError('upstream', `${connectionName}: upstream connection failed: ${(error as Error)?.message ?? String(error)}`)
}
