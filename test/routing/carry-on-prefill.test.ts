import { describe, expect, test } from 'bun:test'
import { cut, health, lastMessage, openaiParts, readAnthropic, readOpenAI, sse, timeouts, words } from '../helpers/carry-on-streams'
import { startFakeUpstream } from '../helpers/fake-upstream'
import { startTestServer } from '../helpers/test-server'

/** Two Moonshot (Kimi) accounts and two Mistral accounts, each behind its own fake upstream. */
async function setup() {
  const kimi = startFakeUpstream()
  const kimiBackup = startFakeUpstream()
  const mistral = startFakeUpstream()
  const mistralBackup = startFakeUpstream()
  const modelmux = await startTestServer(
    {
      connections: [
        { name: 'kimi', provider: 'moonshot', baseUrl: `${kimi.url}/v1`, apiKey: 'k1', priority: 1 },
        { name: 'kimi-backup', provider: 'moonshot', baseUrl: `${kimiBackup.url}/v1`, apiKey: 'k2', priority: 2 },
        { name: 'mistral', provider: 'mistral', baseUrl: `${mistral.url}/v1`, apiKey: 'k3', priority: 1 },
        { name: 'mistral-backup', provider: 'mistral', baseUrl: `${mistralBackup.url}/v1`, apiKey: 'k4', priority: 2 },
      ],
      settings: { timeouts },
    },
    {},
    { health },
  )
  const post = (path: string, body: Record<string, unknown>) =>
    fetch(`${modelmux.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) })
  const question = [{ role: 'user', content: 'Why trust a gateway?' }]
  return {
    kimi,
    kimiBackup,
    mistral,
    mistralBackup,
    chat: (model: string) => post('/v1/chat/completions', { model, stream: true, messages: question }),
    messages: (model: string) => post('/v1/messages', { model, max_tokens: 500, stream: true, messages: question }),
    async [Symbol.asyncDispose]() {
      await modelmux[Symbol.asyncDispose]()
      for (const server of [kimi, kimiBackup, mistral, mistralBackup]) await server[Symbol.asyncDispose]()
    },
  }
}

const sentBeforeCut = words.slice(0, 8).join('')

describe('OpenAI-format accounts that take a prefill carry a broken answer on from its text', () => {
  test('Kimi: the next account is asked to go on from the text (`partial`), and its reply is joined where the client is', async () => {
    await using env = await setup()
    env.kimi.reply({ headers: sse, parts: [...openaiParts(words.slice(0, 8), false), ...cut] })
    env.kimiBackup.reply({ headers: sse, parts: openaiParts(words.slice(8)) })
    const received = readOpenAI(await (await env.chat('moonshot/kimi-k2-0905-preview')).text())
    expect(received.error).toBeUndefined()
    expect(received.content).toBe(words.join(''))
    expect(received.done).toBe(true)
    expect(lastMessage(env.kimiBackup.received[0])).toEqual({ role: 'assistant', content: sentBeforeCut, partial: true })
  })

  test('Mistral: a reply that repeats the prefilled text first (split any way) is not shown twice', async () => {
    await using env = await setup()
    env.mistral.reply({ headers: sse, parts: [...openaiParts(words.slice(0, 8), false), ...cut] })
    const echoed = words.join('')
    env.mistralBackup.reply({ headers: sse, parts: openaiParts([echoed.slice(0, 5), echoed.slice(5, 31), echoed.slice(31)]) })
    const received = readOpenAI(await (await env.chat('mistral/mistral-small-latest')).text())
    expect(received.error).toBeUndefined()
    expect(received.content).toBe(words.join(''))
    expect(lastMessage(env.mistralBackup.received[0])).toEqual({ role: 'assistant', content: sentBeforeCut, prefix: true })
  })

  test('a reply that only begins like the prefilled text is no repeat: nothing of it is lost', async () => {
    await using env = await setup()
    env.kimi.reply({ headers: sse, parts: [...openaiParts(['A gate', 'way earns'], false), ...cut] })
    // Starts with "A gate" again, but goes on otherwise: it is the continuation itself.
    env.kimiBackup.reply({ headers: sse, parts: openaiParts([' A gate', ' is only', ' a door.']) })
    const received = readOpenAI(await (await env.chat('moonshot/kimi-k2-0905-preview')).text())
    expect(received.error).toBeUndefined()
    expect(received.content).toBe('A gateway earns A gate is only a door.')
  })

  test('an account that refuses the prefill is asked the question again, and its restart is used if it repeats the text', async () => {
    await using env = await setup()
    env.mistral.reply({ headers: sse, parts: [...openaiParts(words.slice(0, 8), false), ...cut] })
    const refusal = { object: 'error', message: 'Expected last role User or Tool (or Assistant with prefix True) for serving but got assistant', type: 'invalid_request_message_order' }
    env.mistralBackup.reply((request) =>
      lastMessage(request).role === 'assistant' ? { status: 400, headers: { 'content-type': 'application/json' }, parts: [JSON.stringify(refusal)] } : { headers: sse, parts: openaiParts(words) },
    )
    const received = readOpenAI(await (await env.chat('mistral/mistral-small-latest')).text())
    expect(received.error).toBeUndefined()
    expect(received.content).toBe(words.join(''))
    expect(env.mistralBackup.received).toHaveLength(2)
    expect(lastMessage(env.mistralBackup.received[1]).role).toBe('user')
  })

  test('an Anthropic client (Claude Code) on Kimi accounts gets one seamless message', async () => {
    await using env = await setup()
    env.kimi.reply({ headers: sse, parts: [...openaiParts(words.slice(0, 8), false), ...cut] })
    env.kimiBackup.reply({ headers: sse, parts: openaiParts(words.slice(8)) })
    const answer = readAnthropic(await (await env.messages('moonshot/kimi-k2-0905-preview')).text())
    expect(answer.problems).toEqual([])
    expect(answer.text).toBe(words.join(''))
    expect(answer.events.filter((event) => event.event === 'message_start')).toHaveLength(1)
    expect(answer.events.some((event) => event.event === 'error')).toBe(false)
    expect(lastMessage(env.kimiBackup.received[0])).toMatchObject({ role: 'assistant', content: sentBeforeCut, partial: true })
    // An upstream that may repeat the text first keeps the whole output limit: the repeat spends it.
    expect(JSON.parse(env.kimiBackup.received[0].body).max_tokens).toBe(500)
  })
})
