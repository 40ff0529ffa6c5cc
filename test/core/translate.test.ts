import { describe, expect, test } from 'bun:test'
import { fixedClock, sequentialIds } from '../../src/core/ids'
import { translateRequest, translateStream, translateStreamToResponse } from '../../src/core/translate'
import { anthropicMessages } from '../../src/formats/anthropic-messages'
import { openaiChat } from '../../src/formats/openai-chat'
import { checkAnthropicStream } from '../helpers/anthropic-invariants'
import { collect, listChunkFixtures, splitAnthropicMessages, streamOf, toSseText } from '../helpers/fixtures'
import { createSseDecoderStream } from '../../src/core/sse'

const encoder = new TextEncoder()
const context = () => ({ clock: fixedClock(1_700_000_000_000), ids: sequentialIds() })

describe('translate', () => {
  test('same-format request keeps the body, only the model changes', () => {
    const body = { model: 'cc/claude', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5, weird_field: 1 }
    expect(translateRequest(body, anthropicMessages, anthropicMessages, { model: 'claude-x' })).toEqual({ ...body, model: 'claude-x' })
  })

  test('openai stream → anthropic client, end to end through bytes', async () => {
    const [fixture] = listChunkFixtures(['groq']).filter((item) => item.name === 'groq-tool-call')
    const body = streamOf(encoder.encode(toSseText(fixture.lines, { done: true })), [7])
    const output = await collect(translateStream(body, openaiChat, anthropicMessages, context()).pipeThrough(createSseDecoderStream()))
    expect(checkAnthropicStream(output)).toEqual([])
    expect(output.map((event) => event.event)).toEqual([
      'message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop',
    ])
  })

  test('anthropic stream → openai non-stream body', async () => {
    const [fixture] = listChunkFixtures(['anthropic']).filter((item) => item.name === 'anthropic-tool-no-args')
    const body = streamOf(encoder.encode(toSseText(fixture.lines, { named: true })))
    const result = (await translateStreamToResponse(body, anthropicMessages, openaiChat, context())) as Record<string, any>
    expect(result.choices[0]).toEqual({
      index: 0, logprobs: null, finish_reason: 'tool_calls',
      message: {
        role: 'assistant', content: "I'll update the issue list for you.",
        tool_calls: [{ id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', type: 'function', function: { name: 'updateIssueList', arguments: '{}' } }],
      },
    })
    expect(result.usage).toEqual({ prompt_tokens: 565, completion_tokens: 48, total_tokens: 613, prompt_tokens_details: { cached_tokens: 0 } })
  })

  // Budget: ≤ 5 µs per streamed chunk per translation (measured over all fixtures, both directions).
  test('translation cost per chunk', async () => {
    const inputs = [
      ...splitAnthropicMessages(listChunkFixtures(['anthropic'])).map((fixture) => ({ from: anthropicMessages, to: openaiChat, count: fixture.lines.length, bytes: encoder.encode(toSseText(fixture.lines, { named: true })) })),
      ...listChunkFixtures(['openai-chat', 'deepseek', 'groq', 'alibaba', 'openai-compatible']).map((fixture) => ({ from: openaiChat, to: anthropicMessages, count: fixture.lines.length, bytes: encoder.encode(toSseText(fixture.lines, { done: true })) })),
    ]
    const run = async () => {
      for (const input of inputs) await collect(translateStream(streamOf(input.bytes, [4096]), input.from, input.to, context()))
    }
    await run()
    const chunks = inputs.reduce((sum, input) => sum + input.count, 0)
    const started = performance.now()
    for (let round = 0; round < 5; round++) await run()
    const microsecondsPerChunk = ((performance.now() - started) * 1000) / (chunks * 5)
    console.log(`translation: ${microsecondsPerChunk.toFixed(2)} µs per chunk over ${chunks} chunks`)
    expect(microsecondsPerChunk).toBeLessThan(25) // generous for slow CI; the target is 5
  })
})
