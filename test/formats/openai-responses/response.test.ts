import { describe, expect, test } from 'bun:test'
import { ProxyError } from '../../../src/core/errors'
import { fixedClock, sequentialIds } from '../../../src/core/ids'
import type { ChatResponse } from '../../../src/core/ir'
import { anthropicMessages } from '../../../src/formats/anthropic-messages'
import { openaiResponsesFormat } from '../../../src/formats/openai-responses'
import { listChunkFixtures, readJsonFixture } from '../../helpers/fixtures'

const format = openaiResponsesFormat
const context = () => ({ clock: fixedClock(1_700_000_000_000), ids: sequentialIds() })
const names = [...new Set(listChunkFixtures(['openai-responses']).map((fixture) => fixture.name))]
const bodies = names
  .map((name) => ({ name, body: readJsonFixture('openai-responses', name) as Record<string, any> | undefined }))
  .filter((item) => item.body !== undefined && !item.body.error)

describe('openai-responses non-stream bodies (recorded)', () => {
  test.each(bodies.map((item) => [item.name, item.body!] as const))('%s decodes and survives a round trip', (_, body) => {
    const response = format.response.decode(body)
    expect(response.id).toBe(body.id)
    expect(response.model).toBe(body.model)
    // one IR part per output item, except messages (one per content part)
    const expectedParts = body.output.reduce((sum: number, item: any) => sum + (item.type === 'message' ? item.content.length : 1), 0)
    expect(response.content).toHaveLength(expectedParts)
    expect(response.usage).toEqual({
      inputTokens: body.usage.input_tokens,
      outputTokens: body.usage.output_tokens,
      cacheReadTokens: body.usage.input_tokens_details.cached_tokens,
      reasoningTokens: body.usage.output_tokens_details.reasoning_tokens,
    })
    expect(response.finishReason).toBe(body.output.some((item: any) => item.type === 'function_call') ? 'tool-calls' : 'stop')
    const encoded = format.response.encode(response, context()) as Record<string, any>
    const again = format.response.decode(JSON.parse(JSON.stringify(encoded)))
    expect(again.content).toEqual(response.content)
    expect(again.usage).toEqual(response.usage)
    expect(again.finishReason).toBe(response.finishReason)
    // unknown top-level fields come back as they were
    expect(encoded.tools).toEqual(body.tools)
    expect(encoded.id).toBe(body.id)
  })

  test('error bodies are not responses', () => {
    for (const name of ['openai-error.1', 'reasoning-model-temperature-error']) {
      expect(() => format.response.decode(readJsonFixture('openai-responses', name))).toThrow(ProxyError)
    }
  })

  test('incomplete status → length; failed → error', () => {
    const base = { id: 'resp_1', object: 'response', created_at: 1, model: 'gpt-5', output: [] }
    const incomplete = format.response.decode({ ...base, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } })
    expect([incomplete.finishReason, incomplete.rawFinishReason]).toEqual(['length', 'max_output_tokens'])
    const filtered = format.response.decode({ ...base, status: 'incomplete', incomplete_details: { reason: 'content_filter' } })
    expect(filtered.finishReason).toBe('content-filter')
    expect(format.response.decode({ ...base, status: 'failed', error: { code: 'server_error', message: 'x' } }).finishReason).toBe('error')
  })
})

describe('IR → Responses body for a client', () => {
  test('an Anthropic answer: reasoning without its signature, text, tool call, usage with cache writes', () => {
    const response: ChatResponse = {
      id: 'msg_01', model: 'claude-sonnet', finishReason: 'tool-calls', rawFinishReason: 'tool_use', created: 123, extensions: {},
      content: [
        { type: 'reasoning', text: 'think', signature: 'sig', origin: 'anthropic-messages' },
        { type: 'text', text: 'Reading.' },
        { type: 'tool-call', id: 'toolu_1', name: 'read', arguments: '' },
      ],
      usage: { inputTokens: 100, outputTokens: 20, cacheReadTokens: 60, cacheWriteTokens: 30 },
    }
    expect(format.response.encode(response, { ...context(), model: 'cc/claude-sonnet' })).toEqual({
      id: 'resp_msg_01', object: 'response', created_at: 123, status: 'completed', error: null, incomplete_details: null, model: 'cc/claude-sonnet',
      output: [
        { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'think' }] },
        { id: 'msg_2', type: 'message', status: 'completed', content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Reading.' }], role: 'assistant' },
        { id: 'fc_3', type: 'function_call', status: 'completed', arguments: '{}', call_id: 'toolu_1', name: 'read' },
      ],
      usage: {
        input_tokens: 100, input_tokens_details: { cached_tokens: 60, cache_creation_tokens: 30 },
        output_tokens: 20, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 120,
      },
    })
  })

  test('a recorded Anthropic body translates and reads back', () => {
    const body = readJsonFixture('anthropic', 'anthropic-claude-opus-5-reasoning-high.1')
    expect(body).toBeDefined()
    const original = anthropicMessages.response.decode(body)
    const again = format.response.decode(format.response.encode(original, context()))
    const describe = (parts: ChatResponse['content']) => parts.flatMap((part) => (part.type === 'text' ? [part.text] : part.type === 'tool-call' ? [part.name] : []))
    expect(describe(again.content)).toEqual(describe(original.content))
    expect(again.finishReason).toBe(original.finishReason)
    expect(again.content.filter((part) => part.type === 'reasoning').map((part) => part.text))
      .toEqual(original.content.filter((part) => part.type === 'reasoning').map((part) => part.text))
    // cache writes are only written when non-zero; the details objects are always present
    const { cacheWriteTokens, ...usage } = original.usage!
    expect(again.usage).toEqual({ ...usage, ...(cacheWriteTokens ? { cacheWriteTokens } : {}), reasoningTokens: usage.reasoningTokens ?? 0, cacheReadTokens: usage.cacheReadTokens ?? 0 })
  })

  test('length → status incomplete with max_output_tokens', () => {
    const body = format.response.encode({ id: '', model: 'm', content: [], finishReason: 'length', extensions: {} }, context()) as Record<string, any>
    expect(body).toMatchObject({ id: 'resp_1', status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, created_at: 1_700_000_000 })
  })
})
