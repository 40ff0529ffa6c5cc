import { transientFailure, type ClassifiedFailure } from '../core/classify-failure'
import type { ProxyError } from '../core/errors'
import { BROKE_MID_ANSWER, DIVERGED, type ResumeMode, type SentAnswer } from '../core/stream-resume'
import { getFormat } from '../formats'
import { providerTarget } from '../providers/prepare-upstream'
import { healthVerdict, openContinuation } from './attempt'
import type { AppContext } from './context'
import { skipReason, type ParsedCall } from './proxy'
import type { Candidate } from './resolve-model'
import type { CarryOn, Continuation } from './translated-stream'

/** Answers carried on per request, and upstream calls spent trying (a refused prefill and its restart are two). */
const MAX_CARRIED = 2
const MAX_CALLS = 4

/** The candidate whose stream the client is reading, and when its attempt started. */
export interface Answering {
  candidate: Candidate
  started: number
}

/**
 * How a request's broken stream is carried on: the candidates after the one that answered are asked in
 * routing order (then that one again, unless it went silent), each skipped while it is cooling down. An
 * upstream whose format takes a prefill (Anthropic's) is first asked to go on from the text (without thinking,
 * which Anthropic does not allow with a prefill: any reasoning was done before the text); any upstream may
 * restart the answer, used only if it repeats what was sent.
 */
export function createCarryOn(
  context: AppContext,
  parsed: ParsedCall,
  options: {
    candidates: Candidate[]
    answering: () => Answering
    onAnswering: (answering: Answering) => void
    /** The broken attempt was recorded here and nothing carries it on: its end is not to be recorded again. */
    onGiveUp: () => void
    trace: (candidate: Candidate, started: number, status: number, classified?: ClassifiedFailure) => void
    nextAttempt: () => number
  },
): CarryOn {
  let carried = 0
  let calls = 0
  return async (failure, sent) => {
    const next = await carryOn(failure, sent)
    if (!next) options.onGiveUp()
    return next
  }

  async function carryOn(failure: ProxyError, sent: SentAnswer): Promise<Continuation | undefined> {
    const broken = options.answering()
    const diverged = failure.code === DIVERGED
    // A restart that went its own way did not break: its trace says why it was not used.
    const brokenClass = transientFailure(diverged ? failure.message : `${BROKE_MID_ANSWER}: ${failure.message}`, failure.kind === 'timeout')
    options.trace(broken.candidate, broken.started, failure.status, brokenClass)
    // A restart that went its own way is no fault of its upstream.
    if (diverged) context.health.release(broken.candidate.entry.connection.id)
    else if (!context.shutdown?.tripped) context.health.failed(broken.candidate.entry.connection.id, broken.candidate.upstreamModel, brokenClass)
    if (carried >= MAX_CARRIED || context.shutdown?.tripped || parsed.call.request.signal.aborted) return undefined
    // The broken one is asked last, and not after it went silent (or its restart went astray): that would likely repeat.
    const again = !diverged && failure.kind !== 'timeout'
    const order = [...options.candidates.filter((candidate) => candidate !== broken.candidate), ...(again ? [broken.candidate] : [])]
    // An answer held to a JSON shape is not asked to go on from its text: a constrained upstream would start the shape
    // anew after the prefill (a second object); the question asked again gives the same shape from its start.
    const shape = parsed.ir().responseFormat
    const constrained = shape !== undefined && shape.type !== 'text'
    for (const candidate of order) {
      const { connection, provider } = candidate.entry
      // Checked first: `skipReason` may claim the account's half-open probe, which only an outcome releases.
      if (calls >= MAX_CALLS) return undefined
      if (skipReason(context, candidate)) continue
      const prefill = constrained ? undefined : getFormat(provider.format).request.prefill?.(providerTarget(provider, candidate.upstreamModel))
      const modes: ResumeMode[] = prefill ? [prefill, 'restart'] : ['restart']
      for (const mode of modes) {
        if (calls >= MAX_CALLS) {
          context.health.release(connection.id)
          return undefined
        }
        calls++
        const started = performance.now()
        const learned = context.quirks.get(connection.id, candidate.upstreamModel)
        const opened = await openContinuation(context, parsed, candidate, options.nextAttempt(), sent, mode, { outputCap: learned?.outputCap, repairs: learned?.repairs ?? [] })
        if (opened.kind === 'continued') {
          carried++
          options.onAnswering({ candidate, started })
          return opened.continuation
        }
        if (opened.kind === 'client-gone') {
          context.health.release(connection.id)
          return undefined
        }
        if (opened.kind === 'prefill-refused') {
          options.trace(candidate, started, opened.status, { class: 'client', perModel: true, reason: `refused an assistant prefill: ${opened.reason}` })
          continue
        }
        options.trace(candidate, started, opened.status, opened.classified)
        context.health.failed(connection.id, candidate.upstreamModel, healthVerdict(opened))
        break
      }
    }
    return undefined
  }
}
