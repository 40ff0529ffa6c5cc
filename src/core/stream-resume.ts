/**
 * Carrying on an answer whose upstream broke after output began. The client already holds part of the
 * answer, so another upstream may only add to it: either as a continuation of that text sent as an
 * assistant prefill, or as a restart whose output is checked to begin with exactly what the client has
 * (that beginning is then skipped). Only a plain-text answer can be carried on: a half-sent tool call or
 * reasoning block cannot. Pure: IR events in, IR events out.
 * @module
 */
import type { StreamEvent } from './ir'
import type { Emit, StreamTransformer } from './sse'

/** The error code of a continuation whose output cannot be used (a restart that does not repeat the text sent). */
export const DIVERGED = 'continuation_diverged'

/** How the attempt trace names an upstream that broke after part of its answer reached the client. */
export const BROKE_MID_ANSWER = 'broke mid-answer'

/**
 * How an upstream goes on from a final assistant message: right after its text (`prefill`, Anthropic), or after
 * perhaps repeating it first (`prefill-echo`: OpenAI-format upstreams, which do not all say whether they do).
 */
export type PrefillMode = 'prefill' | 'prefill-echo'

/** How a continuation upstream was asked: to go on from the text (a prefill), or from the start (restart). */
export type ResumeMode = PrefillMode | 'restart'

/** What the client has been sent of an answer, as far as carrying it on needs. */
export interface SentAnswer {
  /** All text sent so far. */
  text: string
  /** The text block still open in the client's stream (its IR index), or -1. */
  openTextIndex: number
  /** The first IR index no block of the client's stream has used yet. */
  nextIndex: number
  /** Why the answer cannot be carried on (a tool call or reasoning was sent, or it had finished), if it cannot. */
  blockedBy?: string
}

/**
 * Watches the IR events a client is sent and keeps what a continuation needs. Reasoning that finished before
 * the text began does not stand in the way (the continuation goes on from the text); reasoning cut off, or
 * any after the text, does.
 */
export function createAnswerTracker() {
  const sent: SentAnswer = { text: '', openTextIndex: -1, nextIndex: 0 }
  const openReasoning = new Set<number>()
  const block = (why: string) => {
    sent.blockedBy ??= why
  }
  return {
    /** Notes one event on its way to the client. */
    see(event: StreamEvent): void {
      switch (event.type) {
        case 'text-start':
          sent.openTextIndex = event.index
          sent.nextIndex = Math.max(sent.nextIndex, event.index + 1)
          return
        case 'text-delta':
          sent.text += event.text
          return
        case 'text-end':
          if (sent.openTextIndex === event.index) sent.openTextIndex = -1
          return
        case 'reasoning-start':
          if (sent.text.length > 0) block('reasoning came after the text')
          openReasoning.add(event.index)
          sent.nextIndex = Math.max(sent.nextIndex, event.index + 1)
          return
        case 'reasoning-end':
          openReasoning.delete(event.index)
          return
        case 'tool-call-start':
        case 'raw':
          block(event.type === 'raw' ? 'a provider-specific block was already sent' : 'a tool call was already sent')
          sent.nextIndex = Math.max(sent.nextIndex, event.index + 1)
          return
        case 'finish':
        case 'message-end':
          block('the answer had already finished')
          return
        default:
          return
      }
    },
    /** The answer as sent so far. */
    sent: (): SentAnswer => (sent.blockedBy === undefined && openReasoning.size > 0 ? { ...sent, blockedBy: 'reasoning was cut off' } : sent),
  }
}

/** The text a prefill may carry: Anthropic refuses a final assistant message that ends in whitespace. */
export function prefillText(text: string): string {
  return text.trimEnd()
}

// Ordinary text takes at least a token per this many characters in any tokenizer (English about 4, code 3, CJK 1–2).
const MAX_CHARS_PER_TOKEN = 6

/**
 * What an output limit leaves once `sent` was already answered: lowered by a low bound on the tokens that text took,
 * so the whole answer stays within the limit give or take, and is never cut shorter than the client allowed.
 */
export function outputLimitAfter(limit: number, sent: string): number {
  return Math.max(1, limit - Math.floor(sent.length / MAX_CHARS_PER_TOKEN))
}

/** A continuation's events mapped into the client's stream; `diverged` tells why it cannot be used, if it cannot. */
export interface ContinuationFilter extends StreamTransformer<StreamEvent, StreamEvent> {
  diverged(): string | undefined
}

/**
 * Maps a continuation's IR events into the client's stream: its message start is dropped (the client has
 * one; its usage goes on as a usage event), its first text block goes on in the block the client has open, later blocks get fresh indexes.
 * - `prefill`: the upstream continues from the text without its trailing whitespace; output that repeats
 *   that whitespace is skipped.
 * - `prefill-echo`: as `prefill`, but output that begins with the whole prefilled text is that text repeated,
 *   and skipped. Text that may still be such a repeat is held back until it shows whether it is one; a stream
 *   that ends while it still may be makes it diverge.
 * - `restart`: the upstream answers from the start; its text must begin with exactly what was sent, which is
 *   then skipped. Reasoning before that point is dropped (the client never saw any). Anything else that
 *   differs, or an end before the sent text is matched, makes it diverge: nothing of it reaches the client.
 */
export function createContinuationFilter(sent: SentAnswer, mode: ResumeMode): ContinuationFilter {
  const indexes = new Map<number, number>()
  let nextIndex = sent.nextIndex
  // The continuation's first text block goes on in the client's open block, or in one opened once it has text to show.
  let firstText: number | undefined
  let firstTarget = -1
  // Restart: what of the sent text the output must still repeat. Prefill: the whitespace it may repeat.
  let pending = mode === 'restart' ? sent.text : sent.text.slice(prefillText(sent.text).length)
  let matched = mode !== 'restart' || pending.length === 0
  // Prefill-echo: the prefilled text the output may be repeating, and what of the output is held back meanwhile.
  let echo = mode === 'prefill-echo' ? prefillText(sent.text) : undefined
  let held = ''
  let diverged: string | undefined
  const dropped = new Set<number>()

  const mapped = (index: number): number => {
    let found = indexes.get(index)
    if (found === undefined) {
      found = nextIndex++
      indexes.set(index, found)
    }
    return found
  }
  const diverge = (why: string) => {
    diverged ??= why
  }
  /** At an end: diverges (true) while the sent text is not yet repeated, or may still be being repeated. */
  const endsTooSoon = (): boolean => {
    if (matched && !held) return false
    diverge('the new answer ended before repeating the text already sent')
    return true
  }
  /** The part of a delta of the first text block that the client does not have yet. */
  const unseen = (text: string): string => {
    if (echo !== undefined) {
      const output = held + text
      if (echo.startsWith(output) && output.length < echo.length) {
        held = output
        return ''
      }
      // A repeat of the whole text is skipped; anything else was never one and goes on as it came.
      text = output.startsWith(echo) ? output.slice(echo.length) : output
      echo = undefined
      held = ''
    }
    if (mode !== 'restart') {
      if (pending.length === 0) return text
      let common = 0
      while (common < text.length && common < pending.length && text[common] === pending[common]) common++
      pending = common === text.length ? pending.slice(common) : ''
      return text.slice(common)
    }
    if (matched) return text
    const length = Math.min(text.length, pending.length)
    if (text.slice(0, length) !== pending.slice(0, length)) {
      diverge('the new answer does not begin with the text already sent')
      return ''
    }
    pending = pending.slice(length)
    if (pending.length > 0) return ''
    matched = true
    return text.slice(length)
  }

  /** Writes text of the continuation's first text block, opening the client's block for it if none is open. */
  const showFirstText = (text: string, emit: Emit<StreamEvent>) => {
    if (text.length === 0) return
    if (firstTarget === -1) {
      firstTarget = nextIndex++
      emit({ type: 'text-start', index: firstTarget })
    }
    emit({ type: 'text-delta', index: firstTarget, text })
  }

  return {
    transform(event, emit: Emit<StreamEvent>) {
      if (diverged) return
      // Held-back text followed by another block was no repeat: it goes on before that block. (An error or an end
      // says nothing of it: the answer is then carried on again, or diverges, from what the client has.)
      if (held && (event.type === 'text-start' || event.type === 'reasoning-start' || event.type === 'tool-call-start' || event.type === 'raw')) {
        const text = held
        echo = undefined
        held = ''
        showFirstText(unseen(text), emit)
      }
      switch (event.type) {
        case 'message-start':
          // The client has its start; what this call reports using so far still counts.
          if (event.usage) emit({ type: 'usage', usage: event.usage })
          return
        case 'text-start':
          if (firstText === undefined) {
            firstText = event.index
            firstTarget = sent.openTextIndex
          } else emit({ type: 'text-start', index: mapped(event.index) })
          return
        case 'text-delta': {
          if (event.index !== firstText) {
            const index = indexes.get(event.index)
            if (index !== undefined) emit({ type: 'text-delta', index, text: event.text })
            return
          }
          showFirstText(unseen(event.text), emit)
          return
        }
        case 'text-end':
          if (event.index !== firstText) {
            const index = indexes.get(event.index)
            if (index !== undefined) emit({ type: 'text-end', index })
          } else if (!endsTooSoon() && firstTarget !== -1) emit({ type: 'text-end', index: firstTarget })
          return
        case 'reasoning-start':
          if (!matched) {
            dropped.add(event.index)
            return
          }
          emit({ ...event, index: mapped(event.index) })
          return
        case 'reasoning-delta':
        case 'reasoning-signature':
        case 'reasoning-end':
          if (dropped.has(event.index)) return
          emit({ ...event, index: mapped(event.index) })
          return
        case 'tool-call-start':
        case 'tool-call-delta':
        case 'tool-call-end':
        case 'raw':
          if (!matched) return diverge('the new answer called a tool where the sent text went on')
          emit({ ...event, index: mapped(event.index) })
          return
        case 'finish':
        case 'message-end':
          if (!endsTooSoon()) emit(event)
          return
        default:
          emit(event)
      }
    },
    flush() {
      endsTooSoon()
    },
    diverged: () => diverged,
  }
}
