import { describe, expect, test } from 'bun:test'
import { openaiChat } from '../../../src/formats/openai-chat'
import { anthropicMessages } from '../../../src/formats/anthropic-messages'

const png = 'iVBORw0KGgo='
const wire = {
  model: 'gpt-4.1',
  messages: [
    { role: 'developer', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${png}`, detail: 'high' } }, { type: 'image_url', image_url: { url: 'https://x.test/a.jpg' } }] },
    { role: 'assistant', content: null, reasoning_content: 'look first', tool_calls: [
      { id: 'call_1', type: 'function', function: { name: 'look', arguments: '{"q":1}' } },
      { id: 'call_2', type: 'function', function: { name: 'noop', arguments: '' } },
    ] },
    { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
    { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'ok' }] },
    { role: 'assistant', content: 'A cat.' },
    { role: 'user', content: 'Thanks', name: 'ann' },
  ],
  tools: [{ type: 'function', function: { name: 'look', description: 'Look', parameters: { type: 'object', properties: { q: { type: 'number' } } }, strict: true } }],
  tool_choice: { type: 'function', function: { name: 'look' } },
  parallel_tool_calls: false,
  max_completion_tokens: 500,
  temperature: 0.2,
  top_p: 0.9,
  stop: 'END',
  seed: 7,
  stream: true,
  stream_options: { include_usage: true },
  reasoning_effort: 'high',
  response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
  user: 'u-1',
  logit_bias: { '50256': -100 },
}

describe('openai-chat request', () => {
  const request = openaiChat.request.decode(wire)

  test('decodes every field into the IR', () => {
    expect(request.system).toEqual([{ type: 'text', text: 'Be brief.' }])
    expect(request.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user'])
    expect(request.messages[0].content[1]).toEqual({ type: 'image', source: { type: 'base64', mediaType: 'image/png', data: png }, detail: 'high' })
    expect(request.messages[0].content[2]).toEqual({ type: 'image', source: { type: 'url', url: 'https://x.test/a.jpg' } })
    expect(request.messages[1].content).toEqual([
      { type: 'reasoning', text: 'look first' },
      { type: 'tool-call', id: 'call_1', name: 'look', arguments: '{"q":1}' },
      { type: 'tool-call', id: 'call_2', name: 'noop', arguments: '' },
    ])
    expect(request.messages[2].content).toEqual([
      { type: 'tool-result', callId: 'call_1', content: [{ type: 'text', text: 'a cat' }] },
      { type: 'tool-result', callId: 'call_2', content: [{ type: 'text', text: 'ok' }] },
    ])
    expect(request).toMatchObject({
      maxTokens: 500, temperature: 0.2, topP: 0.9, stop: ['END'], seed: 7, stream: true, user: 'u-1',
      toolChoice: { type: 'tool', name: 'look' }, parallelToolCalls: false,
      reasoning: { effort: 'high', enabled: true },
      responseFormat: { type: 'json-schema', name: 'answer', schema: { type: 'object' }, strict: true },
    })
    expect(request.extensions['openai-chat']).toEqual({
      systemRole: 'developer', maxTokensField: 'max_completion_tokens', streamOptions: { include_usage: true }, logit_bias: { '50256': -100 },
    })
  })

  test('encode then decode gives the same IR', () => {
    const encoded = openaiChat.request.encode(request, { model: 'gpt-4.1', reasoningField: 'reasoning_content' })
    // empty arguments are sent as '{}' (some upstreams fail to parse '')
    const expected = structuredClone(request)
    expected.messages[1].content[2] = { type: 'tool-call', id: 'call_2', name: 'noop', arguments: '{}' }
    expect(openaiChat.request.decode(encoded)).toEqual(expected)
  })

  test('encodes what OpenAI-compatible upstreams expect', () => {
    const encoded = openaiChat.request.encode(request, { model: 'upstream-model', maxTokensField: 'max_tokens' }) as Record<string, any>
    expect(encoded.model).toBe('upstream-model')
    expect(encoded.max_tokens).toBe(500)
    expect(encoded.max_completion_tokens).toBeUndefined()
    expect(encoded.logit_bias).toEqual({ '50256': -100 })
    expect(encoded.messages[0]).toEqual({ role: 'developer', content: 'Be brief.' })
    expect(encoded.messages[1].content[1]).toEqual({ type: 'image_url', image_url: { url: `data:image/png;base64,${png}`, detail: 'high' } })
    expect(encoded.messages[2]).toEqual({
      role: 'assistant', content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'look', arguments: '{"q":1}' } },
        { id: 'call_2', type: 'function', function: { name: 'noop', arguments: '{}' } },
      ],
    })
    expect(encoded.messages.slice(3, 5)).toEqual([
      { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
      { role: 'tool', tool_call_id: 'call_2', content: 'ok' },
    ])
    expect(encoded.stream_options).toEqual({ include_usage: true })
  })

  test('the same request into Anthropic and back keeps the conversation', () => {
    const anthropic = anthropicMessages.request.encode(request, { model: 'claude' }) as Record<string, any>
    expect(anthropic.system).toBe('Be brief.')
    expect(anthropic.messages.map((message: { role: string }) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user'])
    expect(anthropic.messages[1].content).toEqual([
      { type: 'tool_use', id: 'call_1', name: 'look', input: { q: 1 } },
      { type: 'tool_use', id: 'call_2', name: 'noop', input: {} },
    ])
    expect(anthropic.tool_choice).toEqual({ type: 'tool', name: 'look', disable_parallel_tool_use: true })
    expect(anthropic.thinking).toEqual({ type: 'enabled', budget_tokens: 16384 })
    expect(anthropic.max_tokens).toBeGreaterThan(16384)
    expect(anthropic.temperature).toBeUndefined()
    const back = anthropicMessages.request.decode(anthropic)
    expect(back.messages.map((message) => message.content.filter((part) => part.type !== 'reasoning'))).toEqual(
      // Anthropic has no image detail level and sends tool input as an object
      request.messages.map((message) => message.content.filter((part) => part.type !== 'reasoning').map((part) =>
        part.type === 'tool-call' && part.arguments === '' ? { ...part, arguments: '{}' }
          : part.type === 'image' ? { type: 'image', source: part.source } : part)),
    )
  })

  test('a final assistant message is marked as text to go on from, for upstreams that name a member for it', () => {
    const prefilled = openaiChat.request.decode({ model: 'x', messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello, ' }] })
    const last = (target: Parameters<typeof openaiChat.request.encode>[1]) => (openaiChat.request.encode(prefilled, target) as { messages: Record<string, unknown>[] }).messages.at(-1)
    expect(last({ model: 'kimi', prefillMember: 'partial' })).toEqual({ role: 'assistant', content: 'Hello, ', partial: true })
    expect(last({ model: 'mistral', prefillMember: 'prefix' })).toEqual({ role: 'assistant', content: 'Hello, ', prefix: true })
    expect(last({ model: 'gpt' })).toEqual({ role: 'assistant', content: 'Hello, ' })
    // Only the final message, and only when it is the assistant's.
    const asked = openaiChat.request.decode({ model: 'x', messages: [{ role: 'assistant', content: 'Earlier.' }, { role: 'user', content: 'Hi' }] })
    const encoded = openaiChat.request.encode(asked, { model: 'kimi', prefillMember: 'partial' }) as { messages: Record<string, unknown>[] }
    expect(encoded.messages.every((message) => !('partial' in message))).toBe(true)
    expect(openaiChat.request.prefill?.({ model: 'kimi', prefillMember: 'partial' })).toBe('prefill-echo')
    expect(openaiChat.request.prefill?.({ model: 'gpt' })).toBeUndefined()
  })

  test('rejects a body without messages', () => {
    expect(() => openaiChat.request.decode({ model: 'x' })).toThrow('messages')
  })
})
