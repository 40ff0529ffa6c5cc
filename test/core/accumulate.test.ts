import { describe, expect, test } from 'bun:test'
import { accumulateEvents } from '../../src/core/accumulate'
import type { StreamEvent } from '../../src/core/ir'

const start: StreamEvent = { type: 'message-start', id: 'm1', model: 'x', usage: { inputTokens: 5 } }

describe('accumulate', () => {
  test('builds parts in start order with usage merged and finish kept', () => {
    const response = accumulateEvents([
      start,
      { type: 'reasoning-start', index: 0, origin: 'anthropic-messages' },
      { type: 'reasoning-delta', index: 0, text: 'a' },
      { type: 'reasoning-signature', index: 0, signature: 's1' },
      { type: 'tool-call-start', index: 2, id: 't', name: 'f' },
      { type: 'text-start', index: 1 },
      { type: 'text-delta', index: 1, text: 'hi' },
      { type: 'tool-call-delta', index: 2, argumentsDelta: '{}' },
      { type: 'reasoning-end', index: 0 },
      { type: 'text-end', index: 1 },
      { type: 'tool-call-end', index: 2 },
      { type: 'raw', index: 3, format: 'anthropic-messages', value: { type: 'web_search_tool_result' } },
      { type: 'usage', usage: { outputTokens: 9 } },
      { type: 'finish', finishReason: 'tool-calls', rawReason: 'tool_use', extensions: { 'anthropic-messages': { container: { id: 'c' } } } },
      { type: 'message-end' },
    ])
    expect(response).toEqual({
      id: 'm1', model: 'x', finishReason: 'tool-calls', rawFinishReason: 'tool_use',
      usage: { inputTokens: 5, outputTokens: 9 },
      extensions: { 'anthropic-messages': { container: { id: 'c' } } },
      content: [
        { type: 'reasoning', text: 'a', signature: 's1', origin: 'anthropic-messages' },
        { type: 'tool-call', id: 't', name: 'f', arguments: '{}' },
        { type: 'text', text: 'hi' },
        { type: 'raw', format: 'anthropic-messages', value: { type: 'web_search_tool_result' } },
      ],
    })
  })

  test.each([
    ['event before message-start', [{ type: 'text-start', index: 0 }]],
    ['delta for a block never started', [start, { type: 'text-delta', index: 0, text: 'x' }]],
    ['delta of the wrong kind', [start, { type: 'text-start', index: 0 }, { type: 'tool-call-delta', index: 0, argumentsDelta: '{' }]],
    ['delta after the block ended', [start, { type: 'text-start', index: 0 }, { type: 'text-end', index: 0 }, { type: 'text-delta', index: 0, text: 'x' }]],
    ['block started twice', [start, { type: 'text-start', index: 0 }, { type: 'text-start', index: 0 }]],
    ['second message-start', [start, start]],
    ['second finish', [start, { type: 'finish', finishReason: 'stop' }, { type: 'finish', finishReason: 'stop' }]],
    ['message-end with an open block', [start, { type: 'text-start', index: 0 }, { type: 'message-end' }]],
    ['no message-end', [start, { type: 'finish', finishReason: 'stop' }]],
    ['event after message-end', [start, { type: 'message-end' }, { type: 'usage', usage: {} }]],
  ] as Array<[string, StreamEvent[]]>)('throws on %s', (_, events) => {
    expect(() => accumulateEvents(events)).toThrow(/Unexpected event order/)
  })

  test('an error event is thrown as a ProxyError with its status', () => {
    try {
      accumulateEvents([start, { type: 'error', error: { status: 429, kind: 'rate_limit', message: 'slow down' } }])
      throw new Error('did not throw')
    } catch (error) {
      expect(error).toMatchObject({ name: 'ProxyError', status: 429, kind: 'rate_limit', message: 'slow down' })
    }
  })
})
