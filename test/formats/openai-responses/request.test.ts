import { describe, expect, test } from 'bun:test'
import { ProxyError } from '../../../src/core/errors'
import { translateRequest } from '../../../src/core/translate'
import { anthropicMessages } from '../../../src/formats/anthropic-messages'
import { openaiChat } from '../../../src/formats/openai-chat'
import { assertTranslatable, listUntranslatable, openaiResponsesFormat } from '../../../src/formats/openai-responses'

const format = openaiResponsesFormat
const target = { model: 'gpt-5-codex' }

/** A request the way Codex CLI sends one (trimmed), second turn of a tool loop. */
const codexRequest = {
  model: 'cx/gpt-5-codex',
  instructions: 'You are Codex.',
  input: [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions>workspace-write</permissions>' }] },
    { type: 'message', role: 'user', content: [
      { type: 'input_text', text: 'What is in this picture and in a.txt?' },
      { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
    ] },
    { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: '**Reading**' }], encrypted_content: 'gAAAA-enc' },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Let me look.' }] },
    { type: 'function_call', call_id: 'call_a', name: 'shell', arguments: '{"command":["cat","a.txt"]}' },
    { type: 'function_call_output', call_id: 'call_a', output: 'hello' },
    { type: 'custom_tool_call', call_id: 'call_b', name: 'apply_patch', input: '*** Begin Patch' },
    { type: 'custom_tool_call_output', call_id: 'call_b', output: 'Done' },
  ],
  tools: [
    { type: 'function', name: 'shell', description: 'Runs a command', parameters: { type: 'object', properties: { command: { type: 'array' } } }, strict: false },
    { type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: x' } },
    { type: 'web_search' },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: false,
  reasoning: { effort: 'medium', summary: 'auto' },
  store: false,
  stream: true,
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: 'session-1',
  text: { verbosity: 'low' },
}

describe('openai-responses request decode', () => {
  test('a Codex request in IR', () => {
    const request = format.request.decode(codexRequest)
    expect(request).toEqual({
      model: 'cx/gpt-5-codex',
      system: [
        { type: 'text', text: 'You are Codex.' },
        { type: 'text', text: '<permissions>workspace-write</permissions>', extensions: { 'openai-responses': { role: 'developer' } } },
      ],
      messages: [
        { role: 'user', content: [
          { type: 'text', text: 'What is in this picture and in a.txt?' },
          { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' }, detail: 'auto' },
        ] },
        { role: 'assistant', content: [
          { type: 'reasoning', text: '**Reading**', id: 'rs_1', encrypted: 'gAAAA-enc', origin: 'openai-responses' },
          { type: 'text', text: 'Let me look.' },
          { type: 'tool-call', id: 'call_a', name: 'shell', arguments: '{"command":["cat","a.txt"]}' },
        ] },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'call_a', name: 'shell', content: [{ type: 'text', text: 'hello' }] }] },
        { role: 'assistant', content: [{ type: 'raw', format: 'openai-responses', value: codexRequest.input[6] }] },
        { role: 'user', content: [{ type: 'raw', format: 'openai-responses', value: codexRequest.input[7] }] },
      ],
      tools: [{ name: 'shell', description: 'Runs a command', parameters: { type: 'object', properties: { command: { type: 'array' } } }, strict: false }],
      toolChoice: { type: 'auto' },
      parallelToolCalls: false,
      stream: true,
      reasoning: { effort: 'medium', enabled: true, includeThoughts: true },
      extensions: {
        'openai-responses': {
          builtinTools: [codexRequest.tools[1], codexRequest.tools[2]],
          reasoningSummary: 'auto',
          textExtra: { verbosity: 'low' },
          store: false,
          include: ['reasoning.encrypted_content'],
          prompt_cache_key: 'session-1',
        },
      },
    })
  })

  test('string input, easy messages without `type`, and `stream` omitted = false', () => {
    expect(format.request.decode({ model: 'm', input: 'hi' })).toEqual({
      model: 'm', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false, extensions: {},
    })
    const request = format.request.decode({ model: 'm', input: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] })
    expect(request.system).toEqual([{ type: 'text', text: 'be brief', extensions: { 'openai-responses': { role: 'system' } } }])
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'hello' }] },
    ])
  })

  test('structured output, limits, files and tool choice by name', () => {
    const request = format.request.decode({
      model: 'm',
      input: [{ role: 'user', content: [
        { type: 'input_file', file_data: 'data:application/pdf;base64,JVBER', filename: 'a.pdf' },
        { type: 'input_file', file_id: 'file_1' },
        { type: 'input_image', file_id: 'file_2' },
      ] }],
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
      max_output_tokens: 100, temperature: 0.2, top_p: 0.9,
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: {} } }],
      tool_choice: { type: 'function', name: 'f' },
      metadata: { a: 'b' }, user: 'u1',
    })
    expect(request.messages[0].content).toEqual([
      { type: 'file', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBER' }, filename: 'a.pdf' },
      { type: 'file', source: { type: 'file-id', fileId: 'file_1' } },
      { type: 'image', source: { type: 'file-id', fileId: 'file_2' } },
    ])
    expect(request).toMatchObject({
      responseFormat: { type: 'json-schema', name: 'answer', schema: { type: 'object' }, strict: true },
      maxTokens: 100, temperature: 0.2, topP: 0.9, toolChoice: { type: 'tool', name: 'f' }, metadata: { a: 'b' }, user: 'u1',
    })
  })

  test('malformed bodies are invalid_request errors', () => {
    expect(() => format.request.decode([])).toThrow(ProxyError)
    expect(() => format.request.decode({ model: 'm', input: 5 })).toThrow('input')
    expect(() => format.request.decode({ model: 'm', input: [{ type: 'message', role: 'robot', content: 'x' }] })).toThrow('robot')
  })
})

describe('openai-responses request encode', () => {
  test('IR from Responses → the same Responses request (round trip)', () => {
    const body = format.request.encode(format.request.decode(codexRequest), target) as Record<string, any>
    expect(body).toEqual({ ...codexRequest, model: 'gpt-5-codex' })
    expect(format.request.decode(body)).toEqual({ ...format.request.decode(codexRequest), model: 'gpt-5-codex' })
  })

  test('a chat request for a Responses upstream', () => {
    const chat = {
      model: 'x',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"q":1}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'result' },
      ],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { q: { type: 'number' } } } } }],
      tool_choice: 'required',
      max_tokens: 50, stop: ['END'], seed: 3, reasoning_effort: 'high', stream: true,
      response_format: { type: 'json_object' },
    }
    expect(translateRequest(chat, openaiChat, format, target)).toEqual({
      model: 'gpt-5-codex',
      instructions: 'sys',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'high' }] },
        { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"q":1}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'result' },
      ],
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: { q: { type: 'number' } } }, strict: false }],
      tool_choice: 'required',
      max_output_tokens: 50,
      reasoning: { effort: 'high' },
      text: { format: { type: 'json_object' } },
      stream: true,
    })
  })

  test('an Anthropic request: thinking is not sent (no encrypted content), budget → effort', () => {
    const body = translateRequest({
      model: 'x', max_tokens: 2000, system: [{ type: 'text', text: 'sys' }],
      thinking: { type: 'enabled', budget_tokens: 8000 },
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }, { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }, { type: 'text', text: 'go on' }] },
      ],
    }, anthropicMessages, format, target) as Record<string, any>
    expect(body.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
      { type: 'function_call', call_id: 'toolu_1', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'toolu_1', output: 'ok' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'go on' }] },
    ])
    expect(body.instructions).toBe('sys')
    expect(body.reasoning).toEqual({ effort: 'medium' })
    expect(body.max_output_tokens).toBe(2000)
  })

  test('hosted tools and Responses-only fields are not sent to other formats', () => {
    const chat = translateRequest(codexRequest, format, openaiChat, { model: 'gpt-4o' }) as Record<string, any>
    expect(chat.tools).toEqual([{ type: 'function', function: { name: 'shell', description: 'Runs a command', parameters: codexRequest.tools[0].parameters, strict: false } }])
    expect(chat).not.toHaveProperty('include')
    expect(chat).not.toHaveProperty('store')
    expect(chat.messages[0]).toEqual({ role: 'system', content: 'You are Codex.\n\n<permissions>workspace-write</permissions>' })
    expect(listUntranslatable(format.request.decode(codexRequest))).toEqual([
      'tool custom (apply_patch) dropped: only the Responses API runs it',
      'tool web_search dropped: only the Responses API runs it',
      '2 hosted-tool input item(s) dropped',
    ])
  })
})

describe('previous_response_id', () => {
  const body = { model: 'm', previous_response_id: 'resp_abc', input: [{ role: 'user', content: 'and then?' }] }

  test('kept in extensions and sent again to a Responses upstream', () => {
    const request = format.request.decode(body)
    expect(request.extensions['openai-responses']).toEqual({ previous_response_id: 'resp_abc' })
    expect(format.request.encode(request, target)).toMatchObject({ previous_response_id: 'resp_abc' })
  })

  test('assertTranslatable refuses it for any other upstream, naming the parameter', () => {
    const request = format.request.decode(body)
    let error: unknown
    try {
      assertTranslatable(request)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ProxyError)
    expect(error).toMatchObject({ kind: 'invalid_request', status: 400, param: 'previous_response_id' })
    expect((error as Error).message).toStartWith('previous_response_id needs an upstream that speaks the Responses API')
    expect(format.error.encode(error as ProxyError)).toEqual({
      status: 400,
      body: { error: { message: (error as Error).message, type: 'invalid_request_error', param: 'previous_response_id', code: null } },
    })
  })

  test('conversation ids and item references need the Responses API too; plain requests pass', () => {
    expect(() => assertTranslatable(format.request.decode({ model: 'm', conversation: 'conv_1', input: 'x' }))).toThrow('conversation')
    expect(() => assertTranslatable(format.request.decode({ model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] }))).toThrow('item_reference')
    expect(() => assertTranslatable(format.request.decode(codexRequest))).not.toThrow()
    expect(() => assertTranslatable(openaiChat.request.decode({ model: 'm', messages: [] }))).not.toThrow()
  })
})
