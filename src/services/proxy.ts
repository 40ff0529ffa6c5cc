import { transientFailure, type ClassifiedFailure } from '../core/classify-failure'
import type { OutputCap } from '../core/output-cap'
import { ProxyError } from '../core/errors'
import { oauthServiceFor } from '../oauth'
import type { ChatRequest } from '../core/ir'
import { encodeError } from '../formats/errors'
import { getFormat } from '../formats'
import { rewriteShellOutputs } from '../formats/tool-outputs'
import { readMaxOutputTokens } from '../formats/output-tokens'
import { saveTokens } from '../core/token-saver'
import { readModel, requestedAnswers, requestStreams } from '../formats/client-request'
import type { FormatId } from '../formats/types'
import type { ApiKeyRecord } from '../store/api-keys'
import type { AttemptEvent } from '../store/usage'
import { attemptCandidate, healthVerdict, type Completion } from './attempt'
import { createCarryOn, type Answering } from './carry-on'
import { budgetCheck, checkKeyLimits } from './budgets'
import { authenticateClient } from './client-auth'
import type { AppContext } from './context'
import { countRequestTokens } from './count-tokens'
import { checkKeyModel, mayUseFor } from './key-models'
import { readLivePrices } from './live-prices'
import type { Unavailable } from './health'
import { checkJsonContentType, parseJsonObject, readBodyText } from './read-body'
import { logExchange } from './request-log'
import { resolveModel, resolveRequestedModel, roundRobinCombo, type Candidate, type ComboRotation } from './resolve-model'
import { pickScenario } from './scenarios'
import { describeRepair, sameRepair } from './upstream-quirks'

/** A client call as the route saw it; Gemini-style routes carry model and stream in the path. */
export interface InboundCall {
  format: FormatId
  request: Request
  pathModel?: string
  pathStream?: boolean
  /** Set only by modelmux's own callers (the dashboard playground, behind its session): no client key is asked for. */
  trusted?: boolean
  /** A request id chosen by the caller, so it can find the request's usage row and attempt trace afterwards. */
  requestId?: string
}

/** What one client request brings to every attempt: the body as sent and, decoded once on demand, its IR. */
export interface ParsedCall {
  call: InboundCall
  body: Record<string, unknown>
  /** The body exactly as the client sent it. */
  text: string
  model: string
  stream: boolean
  startedAt: number
  apiKey: ApiKeyRecord | null
  /** Names this client request in usage rows, attempt rows and request logs. */
  requestId: string
  /** The request in canonical form, decoded the first time a candidate needs translation. */
  ir(): ChatRequest
}

/** Renders an error as a JSON response in the caller's format. */
export function errorResponse(format: FormatId, error: unknown, headers: HeadersInit = {}): Response {
  const proxyError =
    error instanceof ProxyError ? error : new ProxyError('internal', `internal error: ${(error as Error)?.message ?? String(error)}`)
  if (proxyError.kind === 'internal') console.error('modelmux: internal error', error)
  const encoded = encodeError(format, proxyError)
  return Response.json(encoded.body, { status: encoded.status, headers })
}

function readStream(call: InboundCall, body: Record<string, unknown>): boolean {
  return call.pathStream ?? requestStreams(call.format, body)
}

/**
 * Why routing passes over a candidate now, if it does: over budget, its subscription needs a login or is out of
 * quota, or it is cooling down. Budget comes first: `health.check` claims the half-open probe it lets through.
 */
export function skipReason(context: AppContext, candidate: Candidate): Unavailable | undefined {
  const { connection, provider } = candidate.entry
  const budget = budgetCheck(context, connection.id, provider.id)
  if (budget.blocked) return { kind: 'rate-limit', until: budget.until, reason: budget.reason ?? 'over budget' }
  return oauthServiceFor(context).check(connection, candidate.upstreamModel) ?? context.health.check(connection.id, candidate.upstreamModel)
}

/** The answer when every candidate was skipped: an honest 429/503 saying until when, with `Retry-After` when that is known. */
export function unavailable(context: AppContext, skipped: Unavailable[], model: string): { error: ProxyError; headers: Record<string, string> } {
  const soonest = skipped.map((s) => s.until).filter((until): until is number => until !== undefined).sort((a, b) => a - b)[0]
  const limited = skipped.some((s) => s.kind === 'rate-limit')
  const when = soonest ? ` until ${new Date(soonest).toISOString()}` : ''
  const reasons = [...new Set(skipped.map((s) => s.reason))].join('; ')
  const error = new ProxyError(limited ? 'rate_limit' : 'overloaded', `every account for "${model}" is unavailable${when}: ${reasons}`, { status: limited ? 429 : 503 })
  return { error, headers: soonest ? { 'retry-after': String(Math.max(1, Math.ceil((soonest - context.now()) / 1000))) } : {} }
}

/** The longest Retry-After waited out on the same account rather than moving on. */
const SHORT_WAIT_MS = 3000

/** Waits `ms` unless the client leaves first; true when the wait ran out. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false)
  return new Promise((resolve) => {
    const done = (waited: boolean) => {
      clearTimeout(timer)
      signal.removeEventListener('abort', left)
      resolve(waited)
    }
    const left = () => done(false)
    const timer = setTimeout(() => done(true), Math.max(0, ms))
    signal.addEventListener('abort', left)
  })
}

/** How many refused parameters one candidate may have fixed for one request. */
const MAX_REPAIRS = 3

/**
 * Whether an output cap is worth a second try on the same model. One a model names always is; one from what a long
 * prompt leaves of the window only when it still leaves room to answer (a quarter of what was asked, or 1,024 tokens):
 * else another model with a larger window serves the request better.
 */
function worthRetrying(cap: OutputCap, asked: number | undefined): boolean {
  return cap.kind === 'model' || cap.tokens >= Math.min(1024, Math.floor((asked ?? 4096) / 4))
}

/** Applies the token saver (when on) to the request's shell-tool outputs, in place; returns the characters saved. */
function saveShellOutputs(context: AppContext, format: FormatId, body: Record<string, unknown>): number {
  const options = context.registry.settings.tokenSaver
  if (!options?.enabled) return 0
  // A failed command's output is cleaned but never cut: its error is usually in the part a cut would drop.
  return rewriteShellOutputs(format, body, (text, isError) => saveTokens(text, options, !isError))
}

/** Serves one client request: authenticate, parse, resolve, try candidates in order, answer in the client's format. */
export async function handleProxy(context: AppContext, call: InboundCall): Promise<Response> {
  const startedAt = performance.now()
  context.onActivity?.()
  let parsed: ParsedCall | undefined
  try {
    const apiKey = call.trusted ? null : authenticateClient(context, call.request.headers, call.request.url)
    checkKeyLimits(context, apiKey)
    checkJsonContentType(call.request.headers)
    const text = await readBodyText(call.request, context.registry.maxBodyBytes)
    const body = parseJsonObject(text)
    const saved = saveShellOutputs(context, call.format, body)
    const model = readModel(call.format, body, call.pathModel)
    checkKeyModel(context, apiKey, model)
    const stream = readStream(call, body)
    let decoded: ChatRequest | undefined
    parsed = {
      call,
      body,
      text: saved > 0 ? JSON.stringify(body) : text,
      model,
      stream,
      startedAt,
      apiKey,
      // Time-ordered (UUIDv7): ids sort by arrival and append to the request_id indexes instead of scattering.
      requestId: call.requestId ?? Bun.randomUUIDv7(),
      ir: () => (decoded ??= { ...getFormat(call.format).request.decode(body), model, stream }),
    }
    const mayUse = mayUseFor(context, apiKey)
    const usable = (target: string) => mayUse(target) && resolveModel(context.registry, target).length > 0
    const scenario = pickScenario(context.registry.settings.routing?.scenarios, model, parsed.ir, usable)
    const target = scenario?.model ?? model
    // A round-robin combo's members are resolved once, as groups to rotate; any other name, as its candidates.
    const route = roundRobinCombo(context.registry, target) ?? resolveRequestedModel(context.registry, target, mayUse)
    const clientLog = { requestId: parsed.requestId, side: 'client' as const, method: call.request.method, url: call.request.url, requestHeaders: call.request.headers, requestBody: text }
    const response = await routeRequest(context, parsed, route)
    if (scenario) response.headers.set('x-modelmux-scenario', scenario.when)
    if (saved > 0) response.headers.set('x-modelmux-token-saver', `${saved} characters saved`)
    return logExchange(context, clientLog, response)
  } catch (error) {
    return errorResponse(call.format, error)
  }
}

/** Tries the candidates in routing order, acting on each failure's class; records attempts and usage. */
async function routeRequest(context: AppContext, parsed: ParsedCall, route: Candidate[] | ComboRotation): Promise<Response> {
  const { call } = parsed
  const { requestId } = parsed
  // Hashed only if a sticky pool asks for it; remembered only then.
  let conversation: string | undefined
  let keyed = false
  const conversationKey = () => {
    if (!keyed) conversation = context.router.keyOf(call.format, parsed.body, parsed.apiKey?.id ?? null)
    keyed = true
    return conversation
  }
  const first = Array.isArray(route) ? route : context.router.rotateCombo(route.name, route.groups, conversationKey)
  const candidates = context.router.order(first, conversationKey, context.registry.settings.routing?.providers)
  const skipped: Unavailable[] = []
  // The attempt trace is stored only when it says more than the usage row: a retry, a fallback or a failure.
  const trace: AttemptEvent[] = []
  let attemptCount = 0
  let lastFailure: Response | ProxyError | undefined
  let lastStatus = 502
  let contextTooLongFor: string | undefined

  // Once a stream is carried on by another candidate, its end is that candidate's.
  let answering: Answering | undefined
  let endRecorded = false
  const traceAttempt = (candidate: Candidate, started: number, status: number, classified?: ClassifiedFailure) =>
    trace.push({
      at: context.now(),
      requestId,
      connectionId: candidate.entry.connection.id,
      provider: candidate.entry.provider.id,
      model: candidate.publicModel,
      status,
      failureClass: classified?.class,
      reason: classified?.reason,
      latencyMs: Math.round(performance.now() - started),
    })

  const estimateInput = () => countRequestTokens(parsed.ir())
  const recordUsage = (candidate: Candidate | undefined, status: number, completion?: Completion, error?: string) => {
    // A provider whose listing prices its models (OpenRouter) has it read once in a while, so its answers are priced.
    if (candidate?.entry.provider.livePrices) readLivePrices(context, candidate.entry)
    if (trace.length > 1 || trace.some((attempt) => attempt.status >= 400)) for (const attempt of trace) context.usage.recordAttempt(attempt)
    const usage = completion?.usage
    context.usage.record({
      at: context.now(),
      requestId,
      inboundFormat: call.format,
      requestedModel: parsed.model,
      model: candidate?.publicModel ?? null,
      provider: candidate?.entry.provider.id ?? null,
      connectionId: candidate?.entry.connection.id ?? null,
      apiKeyId: parsed.apiKey?.id ?? null,
      status,
      stream: parsed.stream,
      attempts: attemptCount,
      inputTokens: usage?.inputTokens,
      outputTokens: usage?.outputTokens,
      cacheReadTokens: usage?.cacheReadTokens,
      cacheWriteTokens: usage?.cacheWriteTokens,
      reasoningTokens: usage?.reasoningTokens,
      latencyMs: Math.round(performance.now() - parsed.startedAt),
      ttfbMs: completion?.ttfbMs,
      error,
    }, estimateInput)
  }

  // A stream that breaks may be carried on by another candidate (unless turned off, or several answers were asked for at once).
  const carriesOn = parsed.stream && context.registry.settings.routing?.carryOn !== false && requestedAnswers(call.format, parsed.body) === 1
  tryCandidates: for (let index = 0; index < candidates.length; index++) {
    const candidate = candidates[index]
    const { connection, provider } = candidate.entry
    // After a context-length error only other models are worth trying.
    if (contextTooLongFor !== undefined && candidate.publicModel === contextTooLongFor) continue
    const skip = skipReason(context, candidate)
    if (skip) {
      skipped.push(skip)
      continue
    }
    let quickRetryUsed = false
    // The cap an upstream error named for this request (once per candidate), and fixes made for what it refused.
    let retryCap: number | undefined
    let repairsMade = 0
    for (;;) {
      attemptCount++
      const learned = context.quirks.get(connection.id, candidate.upstreamModel)
      const outputCap = retryCap === undefined ? learned?.outputCap : Math.min(retryCap, learned?.outputCap ?? Infinity)
      const attemptStarted = performance.now()
      const recordAttempt = (status: number, classified?: ClassifiedFailure) => traceAttempt(candidate, attemptStarted, status, classified)
      const carryOn = carriesOn
        ? createCarryOn(context, parsed, {
            candidates: candidates.slice(index + 1),
            answering: () => answering ?? { candidate, started: attemptStarted },
            onAnswering: (next) => (answering = next),
            onGiveUp: () => (endRecorded = true),
            trace: traceAttempt,
            nextAttempt: () => ++attemptCount,
          })
        : undefined
      const outcome = await attemptCandidate(context, parsed, candidate, attemptCount, (completion) => {
        const by = answering ?? { candidate, started: attemptStarted }
        const failed = completion.error ? transientFailure(completion.error.message, completion.error.kind === 'timeout') : undefined
        const { id } = by.candidate.entry.connection
        if (!endRecorded) {
          traceAttempt(by.candidate, by.started, completion.status, failed)
          if (failed && !completion.clientGone && !context.shutdown?.tripped) context.health.failed(id, by.candidate.upstreamModel, failed)
          else if (!failed && answering) context.health.succeeded(id, by.candidate.upstreamModel)
        }
        recordUsage(by.candidate, completion.status, completion, completion.error?.message)
      }, { outputCap, repairs: learned?.repairs ?? [] }, carryOn)
      if (outcome.kind === 'answered') {
        context.health.succeeded(connection.id, candidate.upstreamModel)
        if (keyed) context.router.remember(conversation, connection.id, candidate.publicModel)
        // The client learns its output limit was lowered, and to what.
        if (outputCap !== undefined) {
          const asked = readMaxOutputTokens(call.format, parsed.body)
          if (asked !== undefined && outputCap < asked) outcome.response.headers.set('x-modelmux-output-cap', String(outputCap))
        }
        return outcome.response
      }
      if (outcome.kind === 'client-gone') {
        context.health.release(connection.id)
        recordAttempt(499)
        recordUsage(candidate, 499, undefined, 'client disconnected')
        return errorResponse(call.format, new ProxyError('invalid_request', 'client disconnected', { status: 499 }))
      }
      const { classified } = outcome
      recordAttempt(outcome.status, classified)
      lastFailure = outcome.failure
      lastStatus = outcome.status
      // modelmux is shutting down: the request ends here, and the account is not marked as failing.
      if (context.shutdown?.tripped) break tryCandidates
      // Too many output tokens asked for: once more on the same account, within the cap the upstream named.
      const cap = classified.outputCap
      if (cap && retryCap === undefined && (outputCap === undefined || cap.tokens < outputCap) && worthRetrying(cap, readMaxOutputTokens(call.format, parsed.body))) {
        if (cap.kind === 'model' && context.quirks.learnOutputCap(connection.id, candidate.upstreamModel, cap.tokens)) {
          console.log(`modelmux: ${connection.name} accepts at most ${cap.tokens} output tokens for ${candidate.upstreamModel}; requests asking for more are lowered to that`)
        }
        retryCap = cap.tokens
        continue
      }
      // A parameter it will not take: again without it (a few times at most, each fix learned for the model).
      // (A fix another request learned meanwhile was not in this attempt yet: it is retried with it too.)
      const repair = classified.repair
      if (repair && repairsMade < MAX_REPAIRS && !learned?.repairs.some((known) => sameRepair(known, repair))) {
        repairsMade++
        if (context.quirks.learnRepair(connection.id, candidate.upstreamModel, repair)) {
          console.log(`modelmux: ${connection.name} refuses ${describeRepair(repair)} for ${candidate.upstreamModel}; requests are sent without it from now on`)
        }
        continue
      }
      const verdict = healthVerdict(outcome)
      const timedOut = verdict.slow === true
      context.health.failed(connection.id, candidate.upstreamModel, verdict)
      // A limit that lifts within moments (Retry-After) is waited out once on the same account, whose prompt cache is warm.
      const wait = classified.resetAt === undefined ? undefined : classified.resetAt - context.now()
      if (wait !== undefined && wait <= SHORT_WAIT_MS && !quickRetryUsed && (classified.class === 'rate-limit' || classified.class === 'transient')) {
        quickRetryUsed = true
        if (!(await pause(wait, call.request.signal))) {
          recordUsage(candidate, 499, undefined, 'client disconnected')
          return errorResponse(call.format, new ProxyError('invalid_request', 'client disconnected', { status: 499 }))
        }
        continue
      }
      if (classified.class === 'client' || classified.class === 'content-filter') {
        recordUsage(candidate, outcome.status, undefined, classified.reason)
        return asResponse(call.format, outcome.failure, attemptCount)
      }
      if (classified.class === 'context-length') contextTooLongFor = candidate.publicModel
      // One quick retry on the same account for a fault that looks passing, unless it timed out or the account is struggling.
      const healthy = context.health.state(connection.id).consecutiveFailures <= 1
      if (classified.class === 'transient' && !quickRetryUsed && healthy && !timedOut) {
        quickRetryUsed = true
        continue
      }
      break
    }
  }
  if (lastFailure === undefined) {
    const { error, headers } = skipped.length > 0 ? unavailable(context, skipped, parsed.model) : { error: new ProxyError('upstream', 'no upstream could serve the request'), headers: {} }
    recordUsage(undefined, error.status, undefined, error.message)
    return errorResponse(call.format, error, headers)
  }
  recordUsage(undefined, lastStatus, undefined, lastFailure instanceof ProxyError ? lastFailure.message : `upstream answered ${lastStatus}`)
  return asResponse(call.format, lastFailure, attemptCount)
}

function asResponse(format: FormatId, failure: Response | ProxyError, attempts: number): Response {
  const response = failure instanceof Response ? failure : errorResponse(format, failure)
  response.headers.set('x-modelmux-attempts', String(attempts))
  return response
}
