import type { EncodeContext } from '../core/ids'
import type { StreamEvent, StreamError, Usage } from '../core/ir'
import { addUsage, mergeUsage } from '../core/ir'
import { ProxyError } from '../core/errors'
import type { StreamTransformer } from '../core/sse'
import { createAnswerTracker, createContinuationFilter, DIVERGED, type ContinuationFilter, type ResumeMode, type SentAnswer } from '../core/stream-resume'
import { createTextStreamTranslator, type StreamTranslator } from '../core/translate'
import type { WireFormat } from '../formats/types'
import { streamHeld, type ChunkStage, type HeldBody, type Recovery, type StreamEnd } from './hold'

/** Another upstream's stream that carries a broken answer on, and how it was asked to. */
export interface Continuation {
  held: HeldBody
  from: WireFormat
  mode: ResumeMode
}

/** Finds another upstream to carry a broken answer on (or undefined when none will), given what the client has. */
export type CarryOn = (failure: ProxyError, sent: SentAnswer) => Promise<Continuation | undefined>

/** The error an upstream reported in-band, as the failure to carry on from (or report). */
export function streamFailure(error: StreamError): ProxyError {
  return new ProxyError(error.kind, error.message, { status: error.status, code: error.code })
}

/** A translating stage that can carry its answer on through another upstream. */
export interface CarriedTranslation {
  stage: ChunkStage
  translator: StreamTranslator<string>
  /** Hands the answer to another upstream, or undefined when it cannot be carried on. */
  recover(failure: ProxyError): Promise<Recovery | undefined>
}

/**
 * Translates upstream chunks into the client's format through the IR, keeping what the client was sent so
 * that, when `carryOn` is given, an answer whose upstream breaks (a cut, a stall, an in-band error) can go on
 * through another upstream instead of ending in an error. Usage is read from the IR events (exact, never estimated).
 */
export function createCarriedTranslation(options: { from: WireFormat; to: WireFormat; context: EncodeContext; usage: Usage; carryOn?: CarryOn }): CarriedTranslation {
  const { carryOn } = options
  const tracker = createAnswerTracker()
  let failure: ProxyError | undefined
  let filter: ContinuationFilter | undefined
  // The break being carried on: what the client is told if carrying it on fails.
  let broke: ProxyError | undefined
  // Usage of the calls before the one now answering, and of that one.
  let spent: Usage | undefined
  let current: Usage | undefined
  // An upstream's in-band error is held back while the answer could still be carried on; `fail` lets it through.
  let intercepting = carryOn !== undefined
  const observe: StreamTransformer<StreamEvent, StreamEvent> = {
    transform(event, emit) {
      if (event.type === 'error' && intercepting && tracker.sent().blockedBy === undefined) {
        failure ??= streamFailure(event.error)
        return
      }
      const usage = event.type === 'usage' || event.type === 'message-start' ? event.usage : undefined
      if (usage && spent) {
        // Carried on: every call is billed, so the answer's usage is what the broken ones used plus this one's.
        current = mergeUsage(current, usage)
        Object.assign(options.usage, addUsage(spent, current))
      } else if (usage) Object.assign(options.usage, mergeUsage(options.usage, usage))
      tracker.see(event)
      emit(event)
    },
    flush() {},
  }
  const found = (): ProxyError | undefined => {
    if (failure) return failure
    const why = filter?.diverged()
    if (why === undefined) return undefined
    const message = `${broke ? `${broke.message}; ` : ''}the answer could not be carried on: ${why}`
    return new ProxyError(broke?.kind ?? 'upstream', message, { status: broke?.status, code: DIVERGED })
  }
  const translator = createTextStreamTranslator(options.from, options.to, options.context, observe, () => found() !== undefined)
  const stage: ChunkStage = {
    transform: (chunk, emit) => translator.transform(chunk, emit),
    flush: (emit) => translator.flush(emit),
    fail(broken, emit) {
      intercepting = false
      translator.fail({ type: 'error', error: { status: broken.status, kind: broken.kind, message: broken.message, code: broken.code } }, emit)
    },
    failure: found,
  }
  return {
    stage,
    translator,
    async recover(broken) {
      const sent = tracker.sent()
      if (!carryOn || sent.blockedBy !== undefined) return undefined
      const next = await carryOn(broken, sent)
      if (!next) return undefined
      if (broken.code !== DIVERGED) broke = broken
      spent = { ...options.usage }
      current = undefined
      failure = undefined
      filter = createContinuationFilter(sent, next.mode)
      translator.switchSource(next.from, filter)
      return { held: next.held, stage }
    },
  }
}

/**
 * Translates a held upstream stream into the client's format through the IR, as one direct stream:
 * each upstream chunk is decoded, translated and encoded synchronously and written as one text (so a
 * translated stream costs as many writes as the upstream's). A broken upstream is carried on through
 * `carryOn` when it can be, else it becomes the client format's in-band error.
 */
export function translateUpstreamStream(options: {
  held: HeldBody
  from: WireFormat
  to: WireFormat
  context: EncodeContext
  usage: Usage
  describeFailure: (error: unknown) => ProxyError
  onEnd: (end: StreamEnd) => void
  carryOn?: CarryOn
}): ReadableStream<Uint8Array> {
  const carried = createCarriedTranslation(options)
  return streamHeld(options.held, carried.stage, {
    clientFormat: options.to.id,
    describeFailure: options.describeFailure,
    onEnd: options.onEnd,
    recover: options.carryOn && carried.recover,
  })
}
