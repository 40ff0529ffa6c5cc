/**
 * Upstream streams and client-side readers shared by the carry-on tests: fake Anthropic and OpenAI streams
 * that can be left unfinished or cut, and what a client received, read back.
 * @module
 */
import { checkAnthropicStream } from './anthropic-invariants'
import type { FakeReply, ReceivedRequest } from './fake-upstream'
import { parseSse } from './upstream-pair'

export const timeouts = { connectMs: 300, firstByteMs: 300, idleMs: 300, totalMs: 2000 }
export const health = { breakerThreshold: 3, breakerBaseMs: 400, breakerMaxMs: 2000, backoffBaseMs: 300, backoffMaxMs: 2000 }
export const sse = { 'content-type': 'text/event-stream' }
// The connection breaks once what came before it has reached modelmux (an error discards what is still buffered).
export const cut = [{ delayMs: 50 }, { cut: true as const }]

/** One Anthropic SSE event. */
export const event = (payload: Record<string, unknown>) => `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`

/** An Anthropic Messages stream of one text block; `end: false` leaves it unfinished. */
export function anthropicParts(texts: string[], end = true): FakeReply['parts'] {
  const parts = [
    event({ type: 'message_start', message: { id: 'msg_up', type: 'message', role: 'assistant', model: 'claude-up', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } } }),
    event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ...texts.map((text) => event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })),
  ]
  if (!end) return parts
  return [
    ...parts,
    event({ type: 'content_block_stop', index: 0 }),
    event({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }),
    event({ type: 'message_stop' }),
  ]
}

/** An OpenAI chat stream, one word per chunk; `end: false` leaves it without finish and [DONE]. */
export function openaiParts(texts: string[], end = true): FakeReply['parts'] {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'gpt-up', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
  const parts = [chunk({ role: 'assistant', content: '' }), ...texts.map((content) => chunk({ content }))]
  return end ? [...parts, chunk({}, 'stop'), 'data: [DONE]\n\n'] : parts
}

/** An answer's first part, as an upstream streams it before it breaks, and the whole answer once carried on. */
export const firstPart = ['The holiday ', 'is called ', 'Lantern Day.\n\n']
export const carriedText = 'The holiday is called Lantern Day.\n\nFamilies hang lanterns.'
/** An Anthropic upstream going on from `firstPart` (as a prefill continuation answers: only what it adds). */
export const goesOn: FakeReply = { headers: sse, parts: anthropicParts(['\n\nFamilies hang ', 'lanterns.']) }
/** An upstream that is down. */
export const refused: FakeReply = { status: 503, headers: { 'content-type': 'application/json' }, parts: ['{"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}}'] }

export const words = 'A gateway earns trust only when the provider behind it misbehaves and the answer still arrives whole'.split(' ').map((word, index) => (index === 0 ? word : ` ${word}`))
export const lastMessage = (request: ReceivedRequest) => (JSON.parse(request.body).messages as ({ role: string; content: unknown } & Record<string, unknown>)[]).at(-1)!

/** The text and the checked events of an Anthropic stream the client received. */
export function readAnthropic(text: string) {
  const events = parseSse(text)
  const deltas = events.filter((event) => event.event === 'content_block_delta').map((event) => JSON.parse(event.data))
  return { events, problems: checkAnthropicStream(events), text: deltas.map((delta) => delta.delta.text ?? '').join(''), indexes: [...new Set(deltas.map((delta) => delta.index))] }
}

/** The content an OpenAI chat stream the client received carries, and whether it ended with an error. */
export function readOpenAI(text: string) {
  const events = parseSse(text).filter((event) => event.data !== '[DONE]').map((event) => JSON.parse(event.data))
  return { content: events.map((event) => event.choices?.[0]?.delta?.content ?? '').join(''), error: events.find((event) => event.error)?.error, done: text.trimEnd().endsWith('data: [DONE]') }
}
