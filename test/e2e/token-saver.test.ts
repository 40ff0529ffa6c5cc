import { describe, expect, test } from 'bun:test'
import { postJson, startUpstreamPair } from '../helpers/upstream-pair'

const anthropicAnswer = JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 10, output_tokens: 1 } })
const chatAnswer = JSON.stringify({ id: 'c1', object: 'chat.completion', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] })
const testRun = ['\x1b[32m PASS \x1b[39m test/a.test.ts', ...Array(60).fill('console.log: retrying connection'), '\x1b[1mTests:\x1b[22m 1 passed'].join('\n')
const cleaned = [' PASS  test/a.test.ts', 'console.log: retrying connection', '[the line above repeats 59 more times]', 'Tests: 1 passed'].join('\n')
const fileText = ['export const a = 1   ', ...Array(60).fill('// same line'), ''].join('\n')

/** A Claude Code turn: it ran a test command and read a file; both results go back. */
const claudeTurn = (model: string) => ({
  model,
  max_tokens: 100,
  messages: [
    { role: 'user', content: 'run the tests' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'bun test' } }, { type: 'tool_use', id: 'toolu_2', name: 'Read', input: { file_path: 'a.ts' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: testRun }, { type: 'tool_result', tool_use_id: 'toolu_2', content: fileText }] },
  ],
})

function start(tokenSaver?: unknown) {
  return startUpstreamPair((url) => ({
    connections: [
      { name: 'an', provider: 'anthropic-compatible', prefix: 'an', baseUrl: `${url}/v1`, apiKey: 'sk-up' },
      { name: 'oa', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${url}/v1`, apiKey: 'sk-up' },
    ],
    settings: tokenSaver === undefined ? {} : { tokenSaver },
  }))
}

describe('token saver', () => {
  test('on: a Bash result reaches the upstream cleaned, passed through or translated; a Read result is untouched', async () => {
    await using pair = await start({ enabled: true })
    pair.upstream.reply((request) => ({ parts: [request.path.endsWith('/messages') ? anthropicAnswer : chatAnswer] }))
    const same = await postJson(`${pair.modelmux.url}/v1/messages`, claudeTurn('an/claude'), { 'anthropic-version': '2023-06-01' })
    expect(same.status).toBe(200)
    expect(same.headers.get('x-modelmux-token-saver')).toBe(`${testRun.length - cleaned.length} characters saved`)
    const sent = JSON.parse(pair.upstream.received.at(-1)!.body)
    expect(sent.messages[2].content).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_1', content: cleaned }, { type: 'tool_result', tool_use_id: 'toolu_2', content: fileText }])
    expect(sent.model).toBe('claude')

    const translated = await postJson(`${pair.modelmux.url}/v1/messages`, claudeTurn('oa/gpt'), { 'anthropic-version': '2023-06-01' })
    expect(translated.status).toBe(200)
    const chat = JSON.parse(pair.upstream.received.at(-1)!.body)
    expect(chat.messages.filter((message: { role: string }) => message.role === 'tool').map((message: { content: unknown }) => message.content)).toEqual([cleaned, fileText])
  })

  test('off (the default): the body goes upstream byte for byte', async () => {
    await using pair = await start()
    pair.upstream.reply({ parts: [anthropicAnswer] })
    const body = JSON.stringify(claudeTurn('an/claude'))
    const response = await fetch(`${pair.modelmux.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-modelmux-token-saver')).toBeNull()
    expect(pair.upstream.received.at(-1)!.body).toBe(body.replace('"model":"an/claude"', '"model":"claude"'))
  })
})
