import { describe, expect, test } from 'bun:test'
import { getProvider } from '../../src/providers'
import type { AppContext } from '../../src/services/context'
import { readLivePrices } from '../../src/services/live-prices'
import { findPrice, pricingSnapshot } from '../../src/services/pricing'
import type { ConnectionEntry } from '../../src/services/registry'
import { openDatabase } from '../../src/store/db'
import { migrate } from '../../src/store/migrate'
import { startFakeUpstream } from '../helpers/fake-upstream'
import { startTestServer } from '../helpers/test-server'
import { recordedJson } from './helpers'

/** OpenRouter's listing: prices per token, as strings. */
const listing = JSON.stringify({
  data: [
    { id: 'moonshotai/kimi-k2', context_length: 131_072, pricing: { prompt: '0.0000006', completion: '0.0000025' } },
    { id: 'anthropic/claude-sonnet-4.5', pricing: { prompt: '0.000009', completion: '0.000009' } },
  ],
})

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const started = Date.now()
  while (!check()) {
    if (Date.now() - started > ms) throw new Error('timed out')
    await Bun.sleep(10)
  }
}

describe('prices from a provider\'s own listing (OpenRouter)', () => {
  test('the first answer of a model the built-in list lacks has the listing read in the background, and it and the next are priced from it', async () => {
    await using upstream = startFakeUpstream()
    upstream.reply((request) =>
      request.method === 'GET' && request.path === '/api/v1/models'
        ? { headers: { 'content-type': 'application/json' }, parts: [listing] }
        : recordedJson('openai-chat/openai-text.json'),
    )
    await using modelmux = await startTestServer({ connections: [{ name: 'or-main', provider: 'openrouter', apiKey: 'sk-or-test', baseUrl: `${upstream.url}/api/v1` }] })
    const context = modelmux.server.context
    const ask = async (model: string) => {
      const response = await fetch(`${modelmux.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
      })
      expect(response.status).toBe(200)
      await response.text()
    }
    await ask('openrouter/moonshotai/kimi-k2')
    await until(() => upstream.received.some((request) => request.path === '/api/v1/models'))
    const listed = upstream.received.find((request) => request.path === '/api/v1/models')!
    expect(listed.headers.authorization).toBe('Bearer sk-or-test')
    await until(() => findPrice(pricingSnapshot(context.db, context.now()), 'openrouter', 'openrouter/moonshotai/kimi-k2') !== undefined)
    await ask('openrouter/moonshotai/kimi-k2')
    await ask('openrouter/anthropic/claude-sonnet-4.5')
    await context.usage.flush()
    const rows = context.db.query('SELECT model, input_tokens AS input, output_tokens AS output, list_cost AS cost FROM usage_events ORDER BY id').all() as { model: string; input: number; output: number; cost: number }[]
    const kimi = (row: { input: number; output: number }) => (row.input * 0.6 + row.output * 2.5) / 1e6
    // The first answer was written after the listing came: it is priced too.
    expect(rows[0].cost).toBeCloseTo(kimi(rows[0]), 12)
    expect(rows[1].cost).toBeCloseTo(kimi(rows[1]), 12)
    // A model of the built-in list keeps its built-in price; the listing is not read again for hours.
    expect(rows[2].cost).toBeCloseTo((rows[2].input * 3 + rows[2].output * 15) / 1e6, 12)
    expect(upstream.received.filter((request) => request.path === '/api/v1/models')).toHaveLength(1)
  })

  test('a listing that cannot be read is tried again ten minutes later, not on every request', async () => {
    const db = openDatabase(':memory:')
    migrate(db)
    let now = 1_000_000
    let calls = 0
    const fetchListing = (async () => {
      calls++
      return calls === 1 ? new Response('upstream down', { status: 503 }) : Response.json(JSON.parse(listing))
    }) as unknown as typeof fetch
    const context = { db, fetch: fetchListing, env: {}, now: () => now } as unknown as AppContext
    const entry = { provider: getProvider('openrouter')!, connection: { id: 1, name: 'or', baseUrl: 'http://127.0.0.1:9/api/v1', apiKey: 'k', models: [] } } as unknown as ConnectionEntry
    readLivePrices(context, entry)
    await until(() => calls === 1)
    await Bun.sleep(20)
    now += 9 * 60_000
    readLivePrices(context, entry)
    expect(calls).toBe(1)
    now += 2 * 60_000
    readLivePrices(context, entry)
    await until(() => findPrice(pricingSnapshot(db, now), 'openrouter', 'openrouter/moonshotai/kimi-k2') !== undefined)
    expect(calls).toBe(2)
    expect(findPrice(pricingSnapshot(db, now), 'openrouter', 'openrouter/moonshotai/kimi-k2')).toEqual({ pricing: { input: 0.6, output: 2.5 }, source: 'listing' })
    // Providers whose listings carry no prices are never read for them.
    readLivePrices(context, { ...entry, provider: getProvider('groq')! } as ConnectionEntry)
    now += 7 * 3_600_000
    await Bun.sleep(20)
    expect(calls).toBe(2)
    db.close()
  })
})
