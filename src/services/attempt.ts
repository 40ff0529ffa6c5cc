import { classifyHttpFailure, refusesPrefill, transientFailure, type ClassifiedFailure } from '../core/classify-failure'
import { ProxyError } from '../core/errors'
import type { EncodeContext } from '../core/ids'
import type { ChatRequest } from '../core/ir'
import { outputLimitAfter, prefillText, type ResumeMode, type SentAnswer } from '../core/stream-resume'
import { replaceModelInText } from '../core/json'
import { translateResponse, translateStreamToResponse } from '../core/translate'
import { getFormat } from '../formats'
import type { WireFormat } from '../formats/types'
import { capMaxOutputTokens, capRequestOutput } from '../formats/output-tokens'
import { applyParameterRepair } from '../core/parameter-repair'
import type { Quirks } from './upstream-quirks'
import { responseModelField } from '../formats/model-field'
import { assertTranslatable } from '../formats/client-request'
import { decodeUpstreamError } from '../formats/upstream-error'
import { resolveCredential } from '../providers/credentials'
import { prepareUpstream, providerTarget, type JsonBody, type PreparedUpstream } from '../providers/prepare-upstream'
import { callUpstream, readerStream, UpstreamFailure, type UpstreamResponse } from '../upstream/call-upstream'
import { copyResponseHeaders } from '../upstream/headers'
import { OAuthError, oauthServiceFor, type PreparedSubscriptionCall } from '../oauth'
import type { AppContext } from './context'
import { holdUntilContent, type HeldStream, type StreamEnd } from './hold'
import { logExchange } from './request-log'
import { observeUsage, type ObservedUsage } from '../formats/observe-usage'
import { relayStream, rewriteModel } from './passthrough'
import { extractUsage } from '../formats/usage-in-text'
import { errorResponse, type ParsedCall } from './proxy'
import type { Candidate } from './resolve-model'
import { translateUpstreamStream, type CarryOn, type Continuation } from './translated-stream'

/** How a successful answer finally ended, reported once when its body is done. */
export interface Completion {
  status: number
  usage: ObservedUsage
  ttfbMs?: number
  error?: ProxyError
  clientGone?: boolean
}

/** The result of one upstream try. */
export type AttemptOutcome =
  /** The upstream answered; `response` goes to the client (its body may still be streaming). */
  | { kind: 'answered'; response: Response; status: number }
  /** The try failed before anything reached the client. `failure` is what to report if nothing else works. */
  | { kind: 'failed'; failure: Response | ProxyError; classified: ClassifiedFailure; status: number }
  /** The client went away. */
  | { kind: 'client-gone' }

/** An attempt that did not answer. */
type NotAnswered = Exclude<AttemptOutcome, { kind: 'answered' }>


const noQuirks: Quirks = { repairs: [] }

/**
 * The upstream request body: the client's own body with `model` replaced (and, when that is certain, its
 * own text with only the model spliced in), or a translation of its IR.
 */
function buildUpstreamBody(parsed: ParsedCall, candidate: Candidate, passthrough: boolean, quirks: Quirks): { body: JsonBody; text?: string } {
  const { provider } = candidate.entry
  const { outputCap, repairs } = quirks
  if (passthrough) {
    let adjusted = outputCap === undefined ? parsed.body : capMaxOutputTokens(parsed.call.format, parsed.body, outputCap)
    for (const repair of repairs) adjusted = applyParameterRepair(adjusted, repair)
    // Changed for what the upstream said it will not take: the body is written anew.
    if (adjusted !== parsed.body) return { body: parsed.call.pathModel !== undefined ? adjusted : { ...adjusted, model: candidate.upstreamModel } }
    // Gemini-style calls carry the model in the path: the body goes as it came.
    if (parsed.call.pathModel !== undefined) return { body: parsed.body, text: parsed.text }
    const text = replaceModelInText(parsed.text, parsed.body.model as string, candidate.upstreamModel)
    return { body: { ...parsed.body, model: candidate.upstreamModel }, text }
  }
  const request = parsed.ir()
  // Server-side conversation state (previous_response_id…) only exists on an upstream of the client's format.
  assertTranslatable(parsed.call.format, request)
  const target = providerTarget(provider, candidate.upstreamModel)
  const sent = outputCap === undefined ? request : capRequestOutput(request, outputCap, target.defaultMaxTokens)
  let body = getFormat(provider.format).request.encode({ ...sent, model: candidate.upstreamModel, stream: parsed.stream }, target) as JsonBody
  for (const repair of repairs) body = applyParameterRepair(body, repair)
  return { body }
}

/** What a request cut short by modelmux's own shutdown answers: a 503 that clients retry. */
const shuttingDown = () => new ProxyError('overloaded', 'modelmux is shutting down; send the request again once it is back', { status: 503 })

/** Turns an upstream failure (a timeout, a broken connection, a client that left) into the error to report. */
export function describeFailure(connectionName: string, failure: UpstreamFailure | undefined, error: unknown): ProxyError {
  if (failure?.reason === 'aborted') return new ProxyError('invalid_request', 'client disconnected', { status: 499 })
  if (failure?.reason === 'shutdown') return shuttingDown()
  if (failure) return new ProxyError(failure.reason === 'network' ? 'upstream' : 'timeout', `${connectionName}: ${failure.message}`)
  return new ProxyError('upstream', `${connectionName}: upstream connection failed: ${(error as Error)?.message ?? String(error)}`)
}

/** Whether an upstream answered with a stream; an NDJSON upstream (Ollama) may stream under a plain JSON content type. */
function answersWithStream(contentType: string, from: WireFormat, streamAsked: boolean): boolean {
  return contentType.includes('event-stream') || contentType.includes('ndjson') || (streamAsked && from.stream.framing === 'ndjson')
}

/** What a held stream that showed no output failed with: its in-band error, its break, or its early end. */
function heldFailure(held: Exclude<HeldStream, { kind: 'content' }>, connectionName: string, failureOf: (error: unknown) => ProxyError): ProxyError {
  if (held.kind === 'error') return new ProxyError(held.error.kind, `${connectionName}: ${held.error.message}`, { status: held.error.status, code: held.error.code })
  if (held.cause !== undefined) return failureOf(held.cause)
  return new ProxyError('upstream', `${connectionName}: upstream ended the stream before any output`)
}

/** How a failed attempt counts against its account: marked slow when it timed out (each probe of it costs a client the wait). */
export function healthVerdict(outcome: { failure: Response | ProxyError; classified: ClassifiedFailure }): ClassifiedFailure {
  return outcome.failure instanceof ProxyError && outcome.failure.kind === 'timeout' ? { ...outcome.classified, slow: true } : outcome.classified
}

/** An upstream call that answered (any status), with what the rest of an attempt needs to read it. */
interface SentUpstream {
  kind: 'sent'
  response: Response
  upstream: UpstreamResponse
  /** The client response's headers so far (model, attempts, the upstream's passed-on headers). */
  headers: Record<string, string>
  failureOf: (error: unknown) => ProxyError
  failedWith: (failure: ProxyError) => NotAnswered
}

/** Builds, prepares and sends one candidate's upstream request; a failure before any answer is an outcome. */
async function sendUpstream(
  context: AppContext,
  parsed: ParsedCall,
  candidate: Candidate,
  attemptNumber: number,
  passthrough: boolean,
  quirks: Quirks,
): Promise<SentUpstream | NotAnswered> {
  const { call, stream } = parsed
  const { connection, provider } = candidate.entry
  let upstreamBody: { body: JsonBody; text?: string }
  try {
    upstreamBody = buildUpstreamBody(parsed, candidate, passthrough, quirks)
  } catch (error) {
    // The request cannot be expressed for this upstream; another candidate may speak the client's format.
    const failure = error instanceof ProxyError ? error : new ProxyError('internal', String(error))
    return { kind: 'failed', failure, classified: { class: 'client', perModel: true, reason: failure.message }, status: failure.status }
  }
  let prepared: PreparedUpstream | PreparedSubscriptionCall
  const oauth = oauthServiceFor(context)
  try {
    if (oauth.handles(provider.id)) {
      // Subscription providers: their OAuth token is refreshed and added at send time by the prepared fetch.
      prepared = oauth.prepareCall(provider, connection, {
        model: candidate.upstreamModel,
        stream,
        body: upstreamBody.body,
        clientHeaders: provider.format === call.format ? call.request.headers : undefined,
      })
    } else {
      // Only minted tokens (Vertex service accounts) need an await; plain keys stay on the fast path.
      const credential =
        provider.auth.kind === 'google-service-account'
          ? await resolveCredential(provider, connection, { fetch: context.fetch, now: context.now, env: context.env })
          : provider.auth.kind === 'none'
            ? null
            : (connection.apiKey ?? provider.anonymousKey ?? null)
      prepared = prepareUpstream(provider, connection, {
        model: candidate.upstreamModel,
        stream,
        body: upstreamBody.body,
        bodyText: upstreamBody.text,
        credential,
        clientHeaders: provider.format === call.format ? call.request.headers : undefined,
        env: context.env,
      })
    }
  } catch (error) {
    if (error instanceof OAuthError) {
      const failure = new ProxyError('authentication', `${connection.name}: ${error.message}`, { status: 401 })
      return { kind: 'failed', failure, classified: { class: 'auth', perModel: false, reason: error.message }, status: 401 }
    }
    // A refused service-account key, or a connection missing its base URL or an option (deployment, project).
    const failure = error instanceof ProxyError ? error : new ProxyError('internal', String(error))
    const classified: ClassifiedFailure = failure.status === 401 ? { class: 'auth', perModel: false, reason: failure.message } : transientFailure(failure.message)
    return { kind: 'failed', failure, classified, status: failure.status }
  }

  const bodyText = prepared.bodyText ?? JSON.stringify(prepared.body)
  let upstream
  try {
    upstream = await callUpstream({
      url: prepared.url,
      headers: prepared.headers,
      body: bodyText,
      stream: 'stream' in prepared ? prepared.stream : stream,
      timeouts: context.registry.timeouts,
      clientSignal: call.request.signal,
      shutdown: context.shutdown,
      fetch: 'fetch' in prepared ? prepared.fetch : context.fetch,
      proxy: 'fetch' in prepared ? undefined : prepared.proxy,
    })
  } catch (error) {
    const failure = describeFailure(connection.name, error instanceof UpstreamFailure ? error : undefined, error)
    if (failure.status === 499) return { kind: 'client-gone' }
    return { kind: 'failed', failure, classified: transientFailure(failure.message), status: failure.status }
  }
  const response = logExchange(
    context,
    { requestId: parsed.requestId, side: 'upstream', attempt: attemptNumber, method: 'POST', url: prepared.url, requestHeaders: prepared.headers, requestBody: bodyText, secrets: [connection.apiKey] },
    upstream.response,
  )
  // A plain record: the Response built from it converts it once, instead of a Headers object set field by field.
  const headers: Record<string, string> = { 'x-modelmux-model': candidate.publicModel, 'x-modelmux-attempts': String(attemptNumber) }
  copyResponseHeaders(response.headers, headers)
  const failureOf = (error: unknown) => describeFailure(connection.name, upstream.failure(), error)
  const failedWith = (failure: ProxyError): NotAnswered =>
    failure.status === 499 ? { kind: 'client-gone' } : { kind: 'failed', failure, classified: transientFailure(failure.message), status: failure.status }

  return { kind: 'sent', response, upstream, headers, failureOf, failedWith }
}

/**
 * Tries one candidate: calls the upstream and, on success, relays (same format) or translates (another
 * format) its answer. Streams are held until their first real output so a failure before it can fall over;
 * one that breaks after it is carried on through `carryOn` when that can be done.
 */
export async function attemptCandidate(
  context: AppContext,
  parsed: ParsedCall,
  candidate: Candidate,
  attemptNumber: number,
  onComplete: (completion: Completion) => void,
  quirks: Quirks = noQuirks,
  carryOn?: CarryOn,
): Promise<AttemptOutcome> {
  const { call, stream } = parsed
  const { connection, provider } = candidate.entry
  const passthrough = provider.format === call.format
  const sent = await sendUpstream(context, parsed, candidate, attemptNumber, passthrough, quirks)
  if (sent.kind !== 'sent') return sent
  const { response, upstream, headers, failureOf, failedWith } = sent
  if (response.status >= 400) {
    const text = await response.text().catch(() => '')
    upstream.settle()
    const classified = classifyHttpFailure(response.status, response.headers, text, context.now())
    let failure: Response
    if (passthrough) {
      headers['content-type'] = response.headers.get('content-type') ?? 'application/json'
      failure = new Response(text, { status: response.status, headers })
    } else {
      failure = errorResponse(call.format, decodeUpstreamError(response.status, text, connection.name), headers)
    }
    return { kind: 'failed', failure, classified, status: response.status }
  }

  const from = getFormat(provider.format)
  const to = passthrough ? from : getFormat(call.format)
  // Only translations encode; a passthrough never builds this.
  const encodeContext = (): EncodeContext => ({ clock: { now: context.now }, ids: (prefix) => `${prefix}${crypto.randomUUID().replaceAll('-', '')}`, model: candidate.publicModel })
  const upstreamType = response.headers.get('content-type') ?? ''
  const usage: ObservedUsage = {}

  if (answersWithStream(upstreamType, from, stream) && response.body) {
    if (!stream) {
      // The client asked for one body but the upstream streamed anyway: collect it into a proper answer.
      try {
        const body = await translateStreamToResponse(readerStream(upstream.watch(response.body)), from, to, encodeContext()).finally(upstream.settle)
        observeUsage(call.format, body as Record<string, unknown>, usage)
        headers['content-type'] = 'application/json'
        onComplete({ status: response.status, usage, ttfbMs: Math.round(performance.now() - parsed.startedAt) })
        return { kind: 'answered', response: new Response(JSON.stringify(body), { status: response.status, headers }), status: response.status }
      } catch (error) {
        return failedWith(error instanceof ProxyError ? error : failureOf(error))
      }
    }
    const held = await holdUntilContent(upstream.watch(response.body), from)
    if (held.kind === 'error') {
      const classified = classifyHttpFailure(held.error.status, new Headers(), JSON.stringify({ error: { message: held.error.message, code: held.error.code } }), context.now())
      return { kind: 'failed', failure: heldFailure(held, connection.name, failureOf), classified, status: held.error.status }
    }
    if (held.kind === 'empty') return failedWith(heldFailure(held, connection.name, failureOf))
    const ttfbMs = Math.round(performance.now() - parsed.startedAt)
    const finish = (end: StreamEnd) =>
      onComplete(end.ok ? { status: response.status, usage, ttfbMs } : { status: end.clientGone ? 499 : end.error.status, usage, ttfbMs, error: end.error, clientGone: end.clientGone })
    headers['cache-control'] = 'no-cache'
    if (passthrough) {
      headers['content-type'] = upstreamType || 'text/event-stream'
      const relayed = relayStream(held, { format: provider.format, model: candidate.publicModel, usage, describeFailure: failureOf, onEnd: finish, carryOn, context: encodeContext })
      return { kind: 'answered', response: new Response(relayed, { status: response.status, headers }), status: response.status }
    }
    headers['content-type'] = to.stream.framing === 'ndjson' ? 'application/x-ndjson' : 'text/event-stream; charset=utf-8'
    const translated = translateUpstreamStream({ held, from, to, context: encodeContext(), usage, describeFailure: failureOf, onEnd: finish, carryOn })
    return { kind: 'answered', response: new Response(translated, { status: response.status, headers }), status: response.status }
  }

  let text: string
  try {
    text = await response.text()
  } catch (error) {
    return failedWith(failureOf(error))
  } finally {
    upstream.settle()
  }
  let json: unknown
  if (passthrough && !text.includes('"error"')) {
    // The body goes out as it came: read only its usage object instead of parsing the whole answer.
    observeUsage(provider.format, extractUsage(provider.format, text), usage)
  } else {
    try {
      json = JSON.parse(text)
      observeUsage(provider.format, json as Record<string, unknown>, usage)
    } catch {
      if (!passthrough) return failedWith(new ProxyError('upstream', `${connection.name}: upstream answered with a body that is not JSON`))
    }
  }
  if (isSoftError(json)) {
    // A 200 that carries only an error is a failure: classify it by the status it names, so it can fall over.
    const error = (json as { error: { code?: unknown; status?: unknown } }).error
    const status = typeof error.code === 'number' && error.code >= 400 ? error.code : 502
    const classified = classifyHttpFailure(status, response.headers, text, context.now())
    return { kind: 'failed', failure: decodeUpstreamError(status, text, connection.name), classified, status }
  }
  onComplete({ status: response.status, usage, ttfbMs: Math.round(performance.now() - parsed.startedAt) })
  if (passthrough) {
    headers['content-type'] = upstreamType || 'application/json'
    const rewritten = rewriteModel(text, candidate.publicModel, responseModelField[provider.format])
    return { kind: 'answered', response: new Response(rewritten, { status: response.status, headers }), status: response.status }
  }
  headers['content-type'] = 'application/json'
  return { kind: 'answered', response: new Response(JSON.stringify(translateResponse(json, from, to, encodeContext())), { status: response.status, headers }), status: response.status }
}

/** A body holding only an error object, none of any format's output fields. */
function isSoftError(json: unknown): boolean {
  if (json === null || typeof json !== 'object') return false
  const body = json as Record<string, unknown>
  return typeof body.error === 'object' && body.error !== null && !('choices' in body) && !('content' in body) && !('candidates' in body) && !('output' in body) && !('message' in body)
}

/** The result of asking one candidate to carry a broken answer on. */
export type ContinuationOutcome =
  | { kind: 'continued'; continuation: Continuation }
  /** The upstream refused an assistant prefill: the same candidate may still restart the answer. */
  | { kind: 'prefill-refused'; status: number; reason: string }
  | NotAnswered

/**
 * Asks a candidate to carry on an answer the client already holds part of: with that text as an assistant
 * prefill (`prefill`), or with the request as it was (`restart`, its output then checked against the text).
 * Returns the held stream once it shows output.
 */
export async function openContinuation(
  context: AppContext,
  parsed: ParsedCall,
  candidate: Candidate,
  attemptNumber: number,
  sent: SentAnswer,
  mode: ResumeMode,
  quirks: Quirks = noQuirks,
): Promise<ContinuationOutcome> {
  const { provider, connection } = candidate.entry
  const asked: ParsedCall = mode === 'restart' ? parsed : { ...parsed, ir: () => withPrefill(parsed.ir(), sent.text, mode === 'prefill') }
  // A restart on an upstream of the client's own format sends the client's body as it came.
  const passthrough = mode === 'restart' && provider.format === parsed.call.format
  const result = await sendUpstream(context, asked, candidate, attemptNumber, passthrough, quirks)
  if (result.kind !== 'sent') return result
  const { response, upstream, failureOf, failedWith } = result
  if (response.status >= 400) {
    const text = await response.text().catch(() => '')
    upstream.settle()
    if (mode !== 'restart' && refusesPrefill(response.status, text)) return { kind: 'prefill-refused', status: 400, reason: text.slice(0, 300) }
    const classified = classifyHttpFailure(response.status, response.headers, text, context.now())
    return { kind: 'failed', failure: decodeUpstreamError(response.status, text, connection.name), classified, status: response.status }
  }
  const from = getFormat(provider.format)
  if (!response.body || !answersWithStream(response.headers.get('content-type') ?? '', from, true)) {
    await response.body?.cancel().catch(() => {})
    upstream.settle()
    return failedWith(new ProxyError('upstream', `${connection.name}: answered a streamed request without a stream`))
  }
  const held = await holdUntilContent(upstream.watch(response.body), from)
  if (held.kind === 'error') {
    if (mode !== 'restart' && refusesPrefill(held.error.status, held.error.message)) return { kind: 'prefill-refused', status: 400, reason: held.error.message }
    const failure = heldFailure(held, connection.name, failureOf)
    return { kind: 'failed', failure, classified: transientFailure(failure.message), status: held.error.status }
  }
  if (held.kind === 'empty') return failedWith(heldFailure(held, connection.name, failureOf))
  return { kind: 'continued', continuation: { held, from, mode } }
}

/**
 * The request with the answer so far as the assistant's last message, for the upstream to go on from; thinking is
 * turned off (Anthropic refuses it with a prefill, and the answer's reasoning, if any, is already done). An upstream
 * that answers only what it adds (`lowerLimit`) gets the output limit the text sent leaves; one that may repeat the
 * text first keeps the whole limit, which the repeat spends.
 */
function withPrefill(request: ChatRequest, text: string, lowerLimit: boolean): ChatRequest {
  const messages = [...request.messages, { role: 'assistant' as const, content: [{ type: 'text' as const, text: prefillText(text) }] }]
  const maxTokens = request.maxTokens === undefined || !lowerLimit ? undefined : outputLimitAfter(request.maxTokens, text)
  return { ...request, messages, ...(maxTokens === undefined ? {} : { maxTokens }), ...(request.reasoning === undefined ? {} : { reasoning: { enabled: false } }) }
}
