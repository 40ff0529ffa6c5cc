import { describe, expect, test } from 'bun:test'
import { postJson, startUpstreamPair } from '../helpers/upstream-pair'

const answer = (model: string) => JSON.stringify({ id: 'c1', object: 'chat.completion', model, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] })

function start() {
  return startUpstreamPair((url) => ({
    // Several free models behind one account, as on OpenRouter: the combo spreads conversations over them.
    connections: [{ name: 'or', provider: 'openai-compatible', prefix: 'or', baseUrl: `${url}/v1`, apiKey: 'sk-up' }],
    combos: [
      { name: 'free', strategy: 'round-robin', models: ['or/model-a:free', 'or/model-b:free', 'or/model-c:free'] },
      { name: 'ordered', models: ['or/model-a:free', 'or/model-b:free'] },
    ],
    aliases: { spread: 'free' },
  }))
}

const conversation = (first: string, turns = 1) => ({
  model: 'spread',
  messages: Array.from({ length: turns * 2 - 1 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: i === 0 ? first : `turn ${i}` })),
})

describe('round-robin combos', () => {
  test('each new conversation starts at the next model; a conversation keeps its model; a failure still falls over', async () => {
    await using pair = await start()
    pair.upstream.reply((request) => ({ parts: [answer(JSON.parse(request.body).model)] }))
    const served = async (body: unknown) => (await postJson(`${pair.modelmux.url}/v1/chat/completions`, body)).headers.get('x-modelmux-model')
    expect([await served(conversation('task one')), await served(conversation('task two')), await served(conversation('task three')), await served(conversation('task four'))]).toEqual([
      'or/model-a:free',
      'or/model-b:free',
      'or/model-c:free',
      'or/model-a:free',
    ])
    // Later turns of "task two" stay on model-b (prompt caches stay warm), whatever the turn counter says.
    expect(await served(conversation('task two', 2))).toBe('or/model-b:free')
    expect(await served(conversation('task two', 3))).toBe('or/model-b:free')

    // model-c overloaded: a conversation that starts there falls over to the next member, in combo order.
    pair.upstream.reply((request) => {
      const model = JSON.parse(request.body).model
      return model === 'model-c:free' ? { status: 503, parts: ['{"error":{"message":"model-c is overloaded","type":"server_error"}}'] } : { parts: [answer(model)] }
    })
    const outcomes = [await served(conversation('task five')), await served(conversation('task six'))]
    expect(outcomes).toEqual(['or/model-b:free', 'or/model-a:free'])
  })

  test('an ordered combo always starts at its first model; the strategy is validated and kept by the API', async () => {
    await using pair = await start()
    pair.upstream.reply((request) => ({ parts: [answer(JSON.parse(request.body).model)] }))
    for (const task of ['x', 'y', 'z']) {
      const response = await postJson(`${pair.modelmux.url}/v1/chat/completions`, { model: 'ordered', messages: [{ role: 'user', content: task }] })
      expect(response.headers.get('x-modelmux-model')).toBe('or/model-a:free')
    }
    const combos = pair.modelmux.server.context.registry.combos
    expect([combos.get('free')?.strategy, combos.get('ordered')?.strategy]).toEqual(['round-robin', 'order'])
  })
})
