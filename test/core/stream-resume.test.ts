import { describe, expect, test } from 'bun:test'
import type { StreamEvent } from '../../src/core/ir'
import { createAnswerTracker, createContinuationFilter, outputLimitAfter, prefillText, type ResumeMode, type SentAnswer } from '../../src/core/stream-resume'

/** Runs continuation events through a filter; returns what reaches the client and why it diverged, if it did. */
function carry(sent: SentAnswer, mode: ResumeMode, events: StreamEvent[]) {
  const filter = createContinuationFilter(sent, mode)
  const out: StreamEvent[] = []
  for (const event of events) filter.transform(event, (next) => out.push(next))
  filter.flush(() => {})
  const text = out.filter((event) => event.type === 'text-delta').map((event) => (event as { text: string }).text).join('')
  return { out, text, diverged: filter.diverged() }
}

const start: StreamEvent = { type: 'message-start', id: 'msg_2', model: 'm', usage: { inputTokens: 40 } }
const textBlock = (index: number, ...pieces: string[]): StreamEvent[] => [
  { type: 'text-start', index },
  ...pieces.map((text): StreamEvent => ({ type: 'text-delta', index, text })),
  { type: 'text-end', index },
]
const end: StreamEvent[] = [{ type: 'finish', finishReason: 'stop' }, { type: 'message-end' }]
const sentText = (text: string, open = true): SentAnswer => ({ text, openTextIndex: open ? 0 : -1, nextIndex: 1 })

describe('what the client was sent', () => {
  test('text is kept with its open block; a tool call, reasoning or a finish make it impossible to carry on', () => {
    const tracker = createAnswerTracker()
    for (const event of [start, { type: 'text-start', index: 0 }, { type: 'text-delta', index: 0, text: 'Hel' }, { type: 'text-delta', index: 0, text: 'lo' }] as StreamEvent[]) tracker.see(event)
    expect(tracker.sent()).toEqual({ text: 'Hello', openTextIndex: 0, nextIndex: 1 })
    tracker.see({ type: 'text-end', index: 0 })
    expect(tracker.sent().openTextIndex).toBe(-1)
    tracker.see({ type: 'tool-call-start', index: 1, id: 't', name: 'read' })
    expect(tracker.sent()).toMatchObject({ nextIndex: 2, blockedBy: 'a tool call was already sent' })
    const thinking = createAnswerTracker()
    thinking.see({ type: 'reasoning-start', index: 0 })
    expect(thinking.sent().blockedBy).toBe('reasoning was cut off')
    // Reasoning done before the text does not stand in the way: the text goes on.
    thinking.see({ type: 'reasoning-end', index: 0 })
    thinking.see({ type: 'text-start', index: 1 })
    thinking.see({ type: 'text-delta', index: 1, text: 'So' })
    expect(thinking.sent()).toEqual({ text: 'So', openTextIndex: 1, nextIndex: 2 })
    thinking.see({ type: 'reasoning-start', index: 2 })
    thinking.see({ type: 'reasoning-end', index: 2 })
    expect(thinking.sent().blockedBy).toBe('reasoning came after the text')
    const done = createAnswerTracker()
    done.see({ type: 'finish', finishReason: 'stop' })
    expect(done.sent().blockedBy).toBe('the answer had already finished')
  })

  test('a prefill carries the text without trailing whitespace', () => {
    expect(prefillText('Lantern Day.\n\n ')).toBe('Lantern Day.')
    expect(prefillText('  leading stays')).toBe('  leading stays')
  })

  test('the output limit a continuation gets is what the text sent leaves of it, by a low bound on its tokens', () => {
    expect(outputLimitAfter(500, 'x'.repeat(36))).toBe(494)
    // Short text may have taken no whole token by the bound: the limit stays.
    expect(outputLimitAfter(500, 'Hello')).toBe(500)
    // Never below one token, however much was sent.
    expect(outputLimitAfter(10, 'y'.repeat(600))).toBe(1)
  })
})

describe('a prefill continuation', () => {
  test('goes on in the open block; its own start is dropped, its end and finish pass', () => {
    const { out, text, diverged } = carry(sentText('The day.\n\n'), 'prefill', [start, ...textBlock(0, '\n', '\nNext', ' part.'), { type: 'usage', usage: { outputTokens: 5 } }, ...end])
    expect(diverged).toBeUndefined()
    expect(text).toBe('Next part.')
    expect(out.map((event) => event.type)).toEqual(['usage', 'text-delta', 'text-delta', 'text-end', 'usage', 'finish', 'message-end'])
    expect(out[0]).toEqual({ type: 'usage', usage: { inputTokens: 40 } })
    expect(out.every((event) => !('index' in event) || event.index === 0)).toBe(true)
  })

  test('whitespace it does not repeat is kept, and only the part it repeats is skipped', () => {
    expect(carry(sentText('Day. '), 'prefill', textBlock(0, ' Next')).text).toBe('Next')
    expect(carry(sentText('Day.\n\n'), 'prefill', textBlock(0, '\nNext')).text).toBe('Next')
    expect(carry(sentText('Day.'), 'prefill', textBlock(0, ' Next')).text).toBe(' Next')
  })

  test('when the client\'s block had closed, the continuation opens the next one; later blocks get fresh indexes', () => {
    const { out } = carry({ text: 'Done.', openTextIndex: -1, nextIndex: 1 }, 'prefill', [
      ...textBlock(0, ' More.'),
      { type: 'tool-call-start', index: 1, id: 't', name: 'read' },
      { type: 'tool-call-end', index: 1 },
    ])
    expect(out).toEqual([
      { type: 'text-start', index: 1 },
      { type: 'text-delta', index: 1, text: ' More.' },
      { type: 'text-end', index: 1 },
      { type: 'tool-call-start', index: 2, id: 't', name: 'read' },
      { type: 'tool-call-end', index: 2 },
    ])
  })
})

describe('a restart', () => {
  test('must repeat the sent text, split any way; that part is skipped and the rest goes on', () => {
    const { text, diverged } = carry(sentText('A gateway earns'), 'restart', [start, ...textBlock(0, 'A gate', 'way ear', 'ns trust', ' only.'), ...end])
    expect(diverged).toBeUndefined()
    expect(text).toBe(' trust only.')
  })

  test('reasoning before the repeated text is dropped: the client never saw any', () => {
    const { out, text } = carry(sentText('Hi'), 'restart', [
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, text: 'think' },
      { type: 'reasoning-end', index: 0 },
      ...textBlock(1, 'Hi there'),
      ...end,
    ])
    expect(text).toBe(' there')
    expect(out.some((event) => event.type.startsWith('reasoning'))).toBe(false)
  })

  test('diverges, showing nothing more, when it says something else, calls a tool first or ends too soon', () => {
    const other = carry(sentText('A gateway'), 'restart', [...textBlock(0, 'A gate', 'keeper', ' and more'), ...end])
    expect(other.diverged).toBe('the new answer does not begin with the text already sent')
    expect(other.out).toEqual([])
    const tool = carry(sentText('A gateway'), 'restart', [{ type: 'tool-call-start', index: 0, id: 't', name: 'x' }])
    expect(tool.diverged).toBe('the new answer called a tool where the sent text went on')
    const short = carry(sentText('A gateway earns'), 'restart', [...textBlock(0, 'A gate'), ...end])
    expect(short.diverged).toBe('the new answer ended before repeating the text already sent')
    expect(short.out).toEqual([])
    const cutShort = carry(sentText('A gateway earns'), 'restart', textBlock(0, 'A gate'))
    expect(cutShort.diverged).toBe('the new answer ended before repeating the text already sent')
  })
})

describe('a prefill the upstream may repeat first (OpenAI-format upstreams)', () => {
  test('a repeat of the whole prefilled text, split any way, is skipped; what follows it goes on', () => {
    const { text, diverged } = carry(sentText('A gateway earns'), 'prefill-echo', [start, ...textBlock(0, 'A gate', 'way ear', 'ns trust', ' only.'), ...end])
    expect(diverged).toBeUndefined()
    expect(text).toBe(' trust only.')
    // The repeat is of the text without its trailing whitespace; whitespace repeated after it is skipped too.
    expect(carry(sentText('Day.\n\n'), 'prefill-echo', textBlock(0, 'Day.', '\n\nNext')).text).toBe('Next')
  })

  test('output that only begins like the text is the continuation itself: all of it goes on', () => {
    expect(carry(sentText('A gateway earns'), 'prefill-echo', [...textBlock(0, 'A gate', ' is a door.'), ...end]).text).toBe('A gate is a door.')
    expect(carry(sentText('A gateway earns'), 'prefill-echo', [...textBlock(0, ' trust.'), ...end]).text).toBe(' trust.')
  })

  test('text held back as a possible repeat goes on before a tool call that follows it', () => {
    const { out } = carry(sentText('A gateway earns'), 'prefill-echo', [
      ...textBlock(0, 'A gate').slice(0, 2),
      { type: 'tool-call-start', index: 1, id: 't', name: 'read' },
    ])
    expect(out).toEqual([
      { type: 'text-delta', index: 0, text: 'A gate' },
      { type: 'tool-call-start', index: 1, id: 't', name: 'read' },
    ])
  })

  test('text held back as a possible repeat is never let out by an error: the answer goes on from what the client has', () => {
    const broke = carry(sentText('A gateway earns'), 'prefill-echo', [
      ...textBlock(0, 'A gate').slice(0, 2),
      { type: 'error', error: { status: 529, kind: 'overloaded', message: 'Overloaded' } },
    ])
    expect(broke.text).toBe('')
    expect(broke.out.map((event) => event.type)).toEqual(['error'])
  })

  test('an answer that ends while it may still be repeating the text diverges: it is never guessed at', () => {
    const cutShort = carry(sentText('A gateway earns'), 'prefill-echo', [...textBlock(0, 'A gate'), ...end])
    expect(cutShort.diverged).toBe('the new answer ended before repeating the text already sent')
    expect(cutShort.out).toEqual([])
  })
})
