import { describe, expect, test } from 'bun:test'
import { anthropicMessages } from '../../../src/formats/anthropic-messages'
import { openaiChat } from '../../../src/formats/openai-chat'

const wire = {
  model: 'claude-sonnet-4-5',
  system: [
    { type: 'text', text: 'You are Claude Code.' },
    { type: 'text', text: 'Project rules…', cache_control: { type: 'ephemeral', ttl: '1h' } },
  ],
  messages: [
    { role: 'user', content: [
      { type: 'text', text: 'Read this' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' }, title: 'spec', cache_control: { type: 'ephemeral' } },
    ] },
    { role: 'assistant', content: [
      { type: 'thinking', thinking: 'I should read it', signature: 'EqQBsig' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'Reading.' },
      { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: 'a.ts' } },
      { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
    ] },
    { role: 'user', content: [
      { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'no such file' }], is_error: true },
      { type: 'text', text: 'Try again' },
    ] },
  ],
  tools: [
    { name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } }, cache_control: { type: 'ephemeral' } },
    { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
  ],
  tool_choice: { type: 'any', disable_parallel_tool_use: true },
  max_tokens: 32000,
  stop_sequences: ['###'],
  stream: true,
  thinking: { type: 'enabled', budget_tokens: 10000 },
  metadata: { user_id: 'user_abc' },
  context_management: { edits: [{ type: 'clear_thinking_20251015' }] },
}

describe('anthropic request', () => {
  const request = anthropicMessages.request.decode(wire)

  test('decodes every field into the IR', () => {
    expect(request.system).toEqual([
      { type: 'text', text: 'You are Claude Code.' },
      { type: 'text', text: 'Project rules…', cacheControl: { type: 'ephemeral', ttl: '1h' } },
    ])
    expect(request.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'user'])
    expect(request.messages[0].content[2]).toEqual({
      type: 'file', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBE' }, title: 'spec', cacheControl: { type: 'ephemeral' },
    })
    expect(request.messages[1].content).toEqual([
      { type: 'reasoning', text: 'I should read it', signature: 'EqQBsig', origin: 'anthropic-messages' },
      { type: 'reasoning', text: '', redactedData: 'opaque', origin: 'anthropic-messages' },
      { type: 'text', text: 'Reading.' },
      { type: 'tool-call', id: 'toolu_1', name: 'Read', arguments: '{"path":"a.ts"}' },
      { type: 'raw', format: 'anthropic-messages', value: wire.messages[1].content[4] },
    ])
    expect(request.messages[2].content).toEqual([
      { type: 'tool-result', callId: 'toolu_1', content: [{ type: 'text', text: 'no such file' }], isError: true },
    ])
    expect(request).toMatchObject({
      maxTokens: 32000, stop: ['###'], stream: true, user: 'user_abc',
      toolChoice: { type: 'required' }, parallelToolCalls: false,
      reasoning: { enabled: true, budgetTokens: 10000 },
    })
    expect(request.tools).toEqual([{ name: 'Read', description: 'Read a file', parameters: (wire.tools[0] as { input_schema: Record<string, unknown> }).input_schema, cacheControl: { type: 'ephemeral' } }])
    expect(request.extensions['anthropic-messages']).toEqual({
      serverTools: [wire.tools[1]],
      context_management: wire.context_management,
    })
  })

  test('encode gives back the same body (same format loses nothing)', () => {
    const encoded = anthropicMessages.request.encode(request, { model: 'claude-sonnet-4-5' }) as Record<string, any>
    const { messages, ...rest } = encoded
    const { messages: wireMessages, ...wireRest } = wire
    expect(rest).toEqual(wireRest)
    // tool_result content with one plain text block is sent in the short string form
    const expectedMessages = structuredClone(wireMessages) as any[]
    expectedMessages[2].content[0].content = 'no such file'
    expect(messages).toEqual(expectedMessages)
    expect(anthropicMessages.request.decode(encoded)).toEqual(request)
  })

  test('into OpenAI: results as tool messages, no signatures or server tools', () => {
    const encoded = openaiChat.request.encode(request, { model: 'gpt' }) as Record<string, any>
    expect(encoded.messages[0]).toEqual({ role: 'system', content: [
      { type: 'text', text: 'You are Claude Code.' },
      { type: 'text', text: 'Project rules…', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ] })
    expect(encoded.messages.map((message: { role: string }) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'user'])
    expect(encoded.messages[2]).toEqual({
      role: 'assistant', content: 'Reading.',
      tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'Read', arguments: '{"path":"a.ts"}' } }],
    })
    expect(encoded.messages[3]).toEqual({ role: 'tool', tool_call_id: 'toolu_1', content: 'no such file' })
    expect(encoded.tools).toHaveLength(1)
    expect(encoded.tool_choice).toBe('required')
    expect(encoded.reasoning_effort).toBe('medium')
    expect(encoded.max_tokens).toBe(32000)
  })

  test('reasoning without an Anthropic signature is never sent to Anthropic', () => {
    const fromOpenAI = openaiChat.request.decode({
      model: 'x',
      messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo', reasoning_content: 'thinking…' }, { role: 'user', content: 'again' }],
    })
    const encoded = anthropicMessages.request.encode(fromOpenAI, { model: 'claude' }) as Record<string, any>
    expect(encoded.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'yo' }] })
    expect(encoded.max_tokens).toBe(8192)
  })

  test('a string system and string content', () => {
    const decoded = anthropicMessages.request.decode({ model: 'c', max_tokens: 10, system: 'Be kind', messages: [{ role: 'user', content: 'hi' }] })
    expect(decoded.system).toEqual([{ type: 'text', text: 'Be kind' }])
    expect(anthropicMessages.request.encode(decoded, { model: 'c' })).toEqual({
      model: 'c', system: 'Be kind', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], max_tokens: 10, stream: false,
    })
  })
})
