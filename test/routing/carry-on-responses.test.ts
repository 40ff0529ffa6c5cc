import { describe, expect, test } from 'bun:test'
import { carriedText, cut, firstPart, goesOn, health, lastMessage, refused, sse, timeouts } from '../helpers/carry-on-streams'
import { startFakeUpstream, type FakeReply } from '../helpers/fake-upstream'
import { startTestServer } from '../helpers/test-server'
import { parseSse } from '../helpers/upstream-pair'

const reasoning = { id: 'rs_up', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Plan it.' }], encrypted_content: 'gAAAA-up' }
const message = { id: 'msg_up', type: 'message', status: 'in_progress', role: 'assistant', content: [] }
const at = { item_id: 'msg_up', output_index: 1, content_index: 0 }

/**
 * A Responses stream as OpenAI sends it (Codex CLI's upstream): a finished reasoning item, then a message whose text
 * comes in `texts`. Its numbering starts at 100 and skips a few, as an upstream's may.
 */
function responsesParts(texts: string[]): string[] {
  let sequence = 100
  const event = (payload: Record<string, unknown>) => {
    sequence += payload.type === 'response.output_text.delta' ? 1 : 2
    return `event: ${payload.type}\ndata: ${JSON.stringify({ ...payload, sequence_number: sequence })}\n\n`
  }
  const response = { id: 'resp_up', object: 'response', created_at: 1764000000, status: 'in_progress', model: 'gpt-up', output: [] }
  return [
    event({ type: 'response.created', response }),
    event({ type: 'response.in_progress', response }),
    event({ type: 'response.output_item.added', output_index: 0, item: { id: 'rs_up', type: 'reasoning', summary: [] } }),
    event({ type: 'response.output_item.done', output_index: 0, item: reasoning }),
    event({ type: 'response.output_item.added', output_index: 1, item: message }),
    event({ type: 'response.content_part.added', ...at, part: { type: 'output_text', annotations: [], text: '' } }),
    ...texts.map((delta) => event({ type: 'response.output_text.delta', ...at, delta, logprobs: [] })),
  ]
}


async function setup() {
  const codex = startFakeUpstream()
  const claude = startFakeUpstream()
  const modelmux = await startTestServer(
    {
      connections: [
        { name: 'codex', provider: 'responses-compatible', prefix: 'rs', baseUrl: `${codex.url}/v1`, apiKey: 'k1' },
        { name: 'claude', provider: 'anthropic-compatible', prefix: 'an', baseUrl: `${claude.url}/v1`, apiKey: 'k2' },
      ],
      combos: [{ name: 'codex-first', models: ['rs/gpt-5', 'an/claude'] }],
      settings: { timeouts },
    },
    {},
    { health },
  )
  return {
    codex,
    claude,
    /** The Responses upstream answers `parts` once; a later request to it (a restart) is refused. */
    breaks(parts: FakeReply['parts']) {
      codex.reply((request) => (codex.received.indexOf(request) === 0 ? { headers: sse, parts } : refused))
    },
    ask: () =>
      fetch(`${modelmux.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'codex-first', stream: true, input: 'Invent a holiday.' }) }),
    async [Symbol.asyncDispose]() {
      await modelmux[Symbol.asyncDispose]()
      for (const server of [codex, claude]) await server[Symbol.asyncDispose]()
    },
  }
}

/** The events a Responses client received, parsed, with their text and the invariants Codex and the SDKs rely on checked. */
function readResponses(text: string) {
  const events = parseSse(text).map((event) => ({ name: event.event, ...JSON.parse(event.data) }))
  const problems: string[] = []
  events.forEach((event, index) => {
    if (event.name !== event.type) problems.push(`event line ${event.name} names ${event.type}`)
    if (typeof event.sequence_number !== 'number') problems.push(`${event.type} has no sequence_number`)
    else if (index > 0 && event.sequence_number <= events[index - 1].sequence_number) problems.push(`sequence ${event.sequence_number} after ${events[index - 1].sequence_number}`)
  })
  const added = new Set(events.filter((event) => event.type === 'response.output_item.added').map((event) => `${event.output_index}:${event.item.id}`))
  for (const event of events.filter((event) => event.type.startsWith('response.output_text.'))) {
    if (!added.has(`${event.output_index}:${event.item_id}`)) problems.push(`${event.type} names item ${event.item_id} at ${event.output_index}, never added`)
  }
  if (events.filter((event) => event.type === 'response.created').length !== 1) problems.push('not exactly one response.created')
  const deltas = events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join('')
  return { events, problems, text: deltas, last: events.at(-1) }
}

describe('a relayed Responses stream (Codex CLI) that breaks after output began is carried on as one stream', () => {
  test('cut mid-text: the next model goes on from the text; ids, output indexes and numbering carry over', async () => {
    await using env = await setup()
    env.breaks([...responsesParts(firstPart), ...cut])
    env.claude.reply(goesOn)
    const response = await env.ask()
    expect(response.status).toBe(200)
    const answer = readResponses(await response.text())
    expect(answer.problems).toEqual([])
    expect(answer.text).toBe(carriedText)
    // The upstream's events were numbered up to 113: the rebuilt stream goes on after them, on the same item.
    expect(answer.events.find((event) => event.sequence_number > 113)).toMatchObject({ type: 'response.output_text.delta', sequence_number: 114, ...at })
    expect(answer.events.some((event) => event.type === 'error')).toBe(false)
    const done = answer.events.find((event) => event.type === 'response.output_text.done')
    expect(done).toMatchObject({ item_id: 'msg_up', output_index: 1, content_index: 0, text: carriedText })
    expect(answer.last).toMatchObject({ type: 'response.completed', response: { id: 'resp_up', status: 'completed', model: 'rs/gpt-5' } })
    // The finished response holds the items the client saw, under their own ids, the message with all its text.
    expect(answer.last.response.output).toMatchObject([
      { id: 'rs_up', type: 'reasoning', encrypted_content: 'gAAAA-up' },
      { id: 'msg_up', type: 'message', status: 'completed', content: [{ type: 'output_text', text: carriedText }] },
    ])
    expect(lastMessage(env.claude.received[0])).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'The holiday is called Lantern Day.' }] })
  })

  test('an in-band error and response.failed after output began are held back from the client and the answer carried on', async () => {
    await using env = await setup()
    const failure = [
      'event: error\ndata: {"type":"error","sequence_number":200,"code":"server_error","message":"The server had an error.","param":null}\n\n',
      'event: response.failed\ndata: {"type":"response.failed","sequence_number":201,"response":{"id":"resp_up","status":"failed","error":{"code":"server_error","message":"The server had an error."}}}\n\n',
    ]
    env.breaks([...responsesParts(firstPart), ...failure])
    env.claude.reply(goesOn)
    const received = await (await env.ask()).text()
    expect(received).not.toContain('The server had an error.')
    const answer = readResponses(received)
    expect(answer.problems).toEqual([])
    expect(answer.text).toBe(carriedText)
    expect(answer.last.type).toBe('response.completed')
  })

  test('a response.failed on its own (no error event first) is held back too', async () => {
    await using env = await setup()
    env.breaks([...responsesParts(firstPart), 'event: response.failed\ndata: {"type":"response.failed","sequence_number":200,"response":{"id":"resp_up","status":"failed","error":{"code":"server_error","message":"boom"}}}\n\n'])
    env.claude.reply(goesOn)
    const answer = readResponses(await (await env.ask()).text())
    expect(answer.problems).toEqual([])
    expect(answer.text).toBe(carriedText)
  })

  test('with nobody to carry it, the client gets what arrived, then error and response.failed numbered after it', async () => {
    await using env = await setup()
    env.breaks([...responsesParts(firstPart), ...cut])
    env.claude.reply(refused)
    const answer = readResponses(await (await env.ask()).text())
    expect(answer.problems).toEqual([])
    expect(answer.text).toBe(firstPart.join(''))
    expect(answer.events.slice(-2).map((event) => event.type)).toEqual(['error', 'response.failed'])
    expect(answer.last.response.id).toBe('resp_up')
  })
})
