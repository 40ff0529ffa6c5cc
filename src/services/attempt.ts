import { ProxyError } from '../core/errors'
import type { EncodeContext } from '../core/ids'
import { translateResponse, translateStreamToResponse } from '../core/translate'
import { getFormat } from '../formats'
import { encodeError } from '../formats/errors'
import { decodeUpstreamError } from '../formats/upstream-error'
import { endpointPath, joinUrl } from '../providers/endpoints'
import { callUpstream, UpstreamFailure } from '../upstream/call-upstream'
import { buildUpstreamHeaders, copyResponseHeaders, withQueryAuth } from '../upstream/headers'
import type { AppContext } from './context'
import { observeUsage, type ObservedUsage } from './observe-usage'
import { relayStream, rewriteModel } from './passthrough'
import type { ParsedCall } from './proxy'
import type { Candidate } from './resolve-model'
import { translateUpstreamStream } from './translated-stream'

/** One upstream try, for the attempt count and (later) the attempt trace. */
export interface Attempt {
  candidate: Candidate
  status: number
  reason?: string
}

/** An attempt either answers the client or leaves a failure to report if no later candidate succeeds. */
export type AttemptOutcome = { final: true; response: Response } | { final: false; failure: Response | ProxyError }

const final = (response: Response): AttemptOutcome => ({ final: true, response })
const retry = (failure: Response | ProxyError): AttemptOutcome => ({ final: false, failure })

// Failures another account or model may not share: rate limits, overload and server errors.
const isRetryable = (status: number) => status === 408 || status === 429 || status >= 500

/** The upstream request body: the client's own body with `model` replaced, or a translation of its IR. */
function buildUpstreamBody(parsed: ParsedCall, candidate: Candidate, passthrough: boolean): string {
  const { provider } = candidate.entry
  if (passthrough) return JSON.stringify(parsed.call.pathModel === undefined ? { ...parsed.body, model: candidate.upstreamModel } : parsed.body)
  if (parsed.call.format === 'openai-responses' && parsed.body.previous_response_id != null) {
    throw new ProxyError('invalid_request', `previous_response_id needs an upstream that speaks the Responses API; ${candidate.publicModel} speaks ${provider.format}. Send the whole conversation in "input" instead.`, {
      param: 'previous_response_id',
    })
  }
  const encoded = getFormat(provider.format).request.encode({ ...parsed.ir(), model: candidate.upstreamModel, stream: parsed.stream }, { model: candidate.upstreamModel })
  return JSON.stringify(encoded)
}

/** Tries one candidate: call the upstream, then relay (same format) or translate (another format) its answer. */
export async function attemptCandidate(context: AppContext, parsed: ParsedCall, candidate: Candidate, attempts: Attempt[]): Promise<AttemptOutcome> {
  const { call, stream } = parsed
  const { connection, provider } = candidate.entry
  const passthrough = provider.format === call.format
  const baseUrl = connection.baseUrl ?? provider.baseUrl
  if (!baseUrl) return retry(new ProxyError('internal', `connection "${connection.name}" has no base URL`))
  let upstreamBody: string
  try {
    upstreamBody = buildUpstreamBody(parsed, candidate, passthrough)
  } catch (error) {
    // The request cannot be expressed for this upstream; another candidate may speak the client's format.
    return retry(error instanceof ProxyError ? error : new ProxyError('internal', String(error)))
  }
  const url = withQueryAuth(joinUrl(baseUrl, endpointPath(provider.format, candidate.upstreamModel, stream)), provider, connection.apiKey)
  const usage: ObservedUsage = {}
  let ttfbMs: number | undefined
  let recorded = false
  const record = (status: number, error?: string) => {
    if (recorded) return
    recorded = true
    context.usage.record({
      at: context.now(),
      requestId: crypto.randomUUID(),
      inboundFormat: call.format,
      requestedModel: parsed.model,
      model: candidate.publicModel,
      provider: provider.id,
      connectionId: connection.id,
      apiKeyId: parsed.apiKey?.id ?? null,
      status,
      stream,
      attempts: attempts.length,
      ...usage,
      latencyMs: Math.round(performance.now() - parsed.startedAt),
      ttfbMs,
      error,
    })
  }

  let upstream
  try {
    upstream = await callUpstream({
      url,
      headers: buildUpstreamHeaders(provider, connection.apiKey, passthrough ? call.request.headers : undefined, stream),
      body: upstreamBody,
      stream,
      timeouts: context.registry.timeouts,
      clientSignal: call.request.signal,
      fetch: context.fetch,
    })
  } catch (error) {
    const failure = describeFailure(connection.name, error instanceof UpstreamFailure ? error : undefined, error)
    attempts.push({ candidate, status: 0, reason: failure.message })
    if (failure.status === 499) return final(errorJson(call.format, failure, {}))
    return retry(failure)
  }
  const { response } = upstream
  attempts.push({ candidate, status: response.status })
  const headers = new Headers({ 'x-modelmux-model': candidate.publicModel, 'x-modelmux-attempts': String(attempts.length) })
  copyResponseHeaders(response.headers, headers)
  const failureOf = (error: unknown) => describeFailure(connection.name, upstream.failure(), error)

  if (response.status >= 400) {
    const text = await response.text().catch(() => '')
    record(response.status, text.slice(0, 500))
    let failure: Response
    if (passthrough) {
      headers.set('content-type', response.headers.get('content-type') ?? 'application/json')
      failure = new Response(text, { status: response.status, headers })
    } else {
      failure = errorJson(call.format, decodeUpstreamError(response.status, text, connection.name), headers)
    }
    return isRetryable(response.status) ? retry(failure) : final(failure)
  }

  const from = getFormat(provider.format)
  const to = passthrough ? from : getFormat(call.format)
  const encodeContext: EncodeContext = { clock: { now: context.now }, ids: (prefix) => `${prefix}${crypto.randomUUID().replaceAll('-', '')}`, model: candidate.publicModel }
  const upstreamType = response.headers.get('content-type') ?? ''
  const upstreamStreams = upstreamType.includes('event-stream') || upstreamType.includes('ndjson') || (stream && provider.format === 'ollama')

  if (upstreamStreams && response.body) {
    const reader = response.body.getReader()
    // Wait for the first byte before answering: until then a failure can still fall over to the next candidate.
    let first: { done: boolean; value?: Uint8Array }
    try {
      first = await reader.read()
    } catch (error) {
      const failure = failureOf(error)
      record(failure.status, failure.message)
      return failure.status === 499 ? final(errorJson(call.format, failure, headers)) : retry(failure)
    }
    if (first.done || !first.value) {
      const failure = new ProxyError('upstream', `${connection.name}: upstream ended the stream without sending anything`)
      record(failure.status, failure.message)
      return retry(failure)
    }
    ttfbMs = Math.round(performance.now() - parsed.startedAt)
    if (!stream) {
      // The client asked for one body but the upstream streamed anyway: collect it into a proper answer.
      const whole = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(first.value!)
        },
        async pull(controller) {
          const next = await reader.read()
          if (next.done) controller.close()
          else controller.enqueue(next.value)
        },
      })
      try {
        const body = await translateStreamToResponse(whole, from, to, encodeContext)
        observeUsage(call.format, body as Record<string, unknown>, usage)
        record(response.status)
        headers.set('content-type', 'application/json')
        return final(new Response(JSON.stringify(body), { status: response.status, headers }))
      } catch (error) {
        const failure = error instanceof ProxyError ? error : failureOf(error)
        record(failure.status, failure.message)
        return retry(failure)
      }
    }
    headers.set('content-type', to.stream.framing === 'ndjson' ? 'application/x-ndjson' : 'text/event-stream; charset=utf-8')
    headers.set('cache-control', 'no-cache')
    if (passthrough) {
      headers.set('content-type', upstreamType || 'text/event-stream')
      const relayed = relayStream(reader, first.value, {
        format: provider.format,
        model: candidate.publicModel,
        usage,
        describeFailure: failureOf,
        onEnd: (end) => (end.ok ? record(response.status) : record(end.error.status, end.error.message)),
      })
      return final(new Response(relayed, { status: response.status, headers }))
    }
    const translated = translateUpstreamStream({
      first: first.value,
      reader,
      from,
      to,
      context: encodeContext,
      usage,
      describeFailure: failureOf,
      onEnd: (end) => (end.ok ? record(response.status) : record(end.clientGone ? 499 : end.error?.status ?? 502, end.error?.message ?? 'client disconnected')),
    })
    return final(new Response(translated, { status: response.status, headers }))
  }

  let text: string
  try {
    text = await response.text()
  } catch (error) {
    const failure = failureOf(error)
    record(failure.status, failure.message)
    return retry(failure)
  }
  ttfbMs = Math.round(performance.now() - parsed.startedAt)
  let json: unknown
  try {
    json = JSON.parse(text)
    observeUsage(provider.format, json as Record<string, unknown>, usage)
  } catch {
    if (!passthrough) {
      const failure = new ProxyError('upstream', `${connection.name}: upstream answered with a body that is not JSON`)
      record(failure.status, failure.message)
      return retry(failure)
    }
  }
  record(response.status)
  if (passthrough) {
    headers.set('content-type', upstreamType || 'application/json')
    return final(new Response(rewriteModel(text, candidate.publicModel), { status: response.status, headers }))
  }
  headers.set('content-type', 'application/json')
  return final(new Response(JSON.stringify(translateResponse(json, from, to, encodeContext)), { status: response.status, headers }))
}

function errorJson(format: ParsedCall['call']['format'], error: ProxyError, headers: Headers | Record<string, string>): Response {
  const encoded = encodeError(format, error)
  const out = new Headers(headers)
  out.set('content-type', 'application/json')
  return new Response(JSON.stringify(encoded.body), { status: encoded.status, headers: out })
}

/** Turns an upstream failure (a timeout, a broken connection, a client that left) into the error to report. */
function describeFailure(connectionName: string, failure: UpstreamFailure | undefined, error: unknown): ProxyError {
  if (failure?.reason === 'aborted') return new ProxyError('invalid_request', 'client disconnected', { status: 499 })
  if (failure) return new ProxyError(failure.reason === 'network' ? 'upstream' : 'timeout', `${connectionName}: ${failure.message}`)
  return new ProxyError('upstream', `${connectionName}: upstream connection failed: ${(error as Error)?.message ?? String(error)}`)
}
