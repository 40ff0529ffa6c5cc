import { describe, expect, test } from 'bun:test'
import { formatDollars } from '../../views/components/ui'
import { recordedJson, startUsageEnv } from '../usage/helpers'
import { client, signIn } from './helpers'

/** The value of the stat card with this label. */
function stat(html: string, label: string): string | undefined {
  return new RegExp(`<div class="value">([^<]*)</div><div class="label">${label}</div>`).exec(html)?.[1]
}

/** The cost cell of a breakdown row (its title, its text). */
function costCell(html: string, title: string, name: string): { title?: string; text: string } | undefined {
  const table = html.slice(html.indexOf(`<h3>${title}</h3>`))
  const row = new RegExp(`<td>${name}</td>(?:<td[^>]*>[^<]*</td>){2}<td class="num"(?: title="([^"]*)")?>([^<]*)</td>`).exec(table)
  return row ? { title: row[1], text: row[2] } : undefined
}

test('dollars: cents, four decimals below a cent, and a cost too small for those still shown as one', () => {
  expect([0, 12.345, 0.0072, 0.0001, 0.00004, 0.0000225].map(formatDollars)).toEqual(['$0.00', '$12.35', '$0.0072', '$0.0001', '<$0.0001', '<$0.0001'])
})

describe('costs on the dashboard', () => {
  test('costs are as recorded: a subscription connection costs nothing and its list price shows as savings, per connection too', async () => {
    await using env = await startUsageEnv({ tiers: { 'an-conn': 'subscription' } })
    env.upstreams.anthropic.reply(recordedJson('anthropic/anthropic-text.json'))
    expect((await env.call('anthropic-messages', 'an/claude-sonnet-4-5', false)).status).toBe(200)
    env.upstreams.openai.reply(recordedJson('openai-chat/openai-text.json'))
    expect((await env.call('openai-chat', 'oa/gpt-4.1', false)).status).toBe(200)
    // A model with no known price: counted in tokens, left out of cost, and said so.
    env.upstreams.openai.reply(recordedJson('openai-chat/openai-text.json'))
    expect((await env.call('openai-chat', 'oa/my-local-model', false)).status).toBe(200)
    const rows = await env.rows('usage_events')
    const byModel = new Map(rows.map((row) => [row.model, row]))
    const subscription = byModel.get('an/claude-sonnet-4-5')!
    const paid = byModel.get('oa/gpt-4.1')!
    expect(subscription.list_cost).toBeGreaterThan(0)
    expect(subscription.actual_cost).toBe(0)
    expect(paid.actual_cost).toBe(paid.list_cost)
    expect(byModel.get('oa/my-local-model')!.list_cost).toBeNull()

    const pages = client(env.modelmux.url, await signIn(env.modelmux.url))
    const html = await (await pages.page('/dashboard/usage')).text()
    expect(stat(html, 'Cost')).toBe(formatDollars(paid.actual_cost))
    expect(stat(html, 'Saved vs list price')).toBe(formatDollars(subscription.list_cost))
    expect(stat(html, 'Cost this month')).toBe(formatDollars(paid.actual_cost))
    // Cost over time: every request fell in this hour, so its bar is the scale's top, and only the paid one counts.
    const costChart = html.slice(html.indexOf('aria-label="Cost, last 24 hours"'))
    expect(costChart.slice(0, costChart.indexOf('</svg>'))).toContain(`>${formatDollars(paid.actual_cost)}</text>`)
    expect(costChart).toContain(`: ${formatDollars(paid.actual_cost)}</title>`)
    expect(html).toContain('1 model(s) have no known list price and are not counted in cost.')

    expect(costCell(html, 'By connection', 'an-conn')).toEqual({ title: `list price ${formatDollars(subscription.list_cost)}`, text: '$0.00' })
    // Part of this connection's usage had no price: the cost shown is marked, and the title says why.
    expect(costCell(html, 'By connection', 'oa-conn')).toEqual({
      title: `list price ${formatDollars(paid.list_cost)}; 1 request(s) without a known price are not counted`,
      text: `${formatDollars(paid.actual_cost)}*`,
    })
    expect(costCell(html, 'By model', 'oa/my-local-model')).toEqual({ title: undefined, text: '–' })
    expect(costCell(html, 'By provider', 'anthropic-compatible')?.text).toBe('$0.00')
    expect(costCell(html, 'By client key', 'no key')?.text).toBe(`${formatDollars(paid.actual_cost)}*`)
    // The Quota page's cards say what each connection cost in their window, at its tier.
    const quota = await (await pages.page('/dashboard/quota')).text()
    const tile = (name: string) => quota.slice(quota.indexOf(`data-quota="${name}"`)).split('</div></div>')[0]
    expect(tile('an-conn')).toContain(' requests · $0.00</div>')
    expect(tile('oa-conn')).toContain(` requests · ${formatDollars(paid.actual_cost)}</div>`)
    // Each recent request shows what it cost, with its list price on hover; the log's CSV carries both.
    expect(html).toContain(`<td class="num" title="list price ${formatDollars(subscription.list_cost)}">$0.00</td>`)
    expect(html).toContain('<td class="num" title="no known price">–</td>')
    const csv = (await (await pages.page('/dashboard/logs/export.csv')).text()).trim().split('\n')
    expect(csv[0]).toEndWith(',error,listCost,actualCost')
    const subscriptionLine = csv.find((line) => line.includes('an/claude-sonnet-4-5'))!
    expect(subscriptionLine).toEndWith(`,${subscription.list_cost},0`)
  })

  test('a price set on the Settings page prices the model\'s next requests; typed mistakes are refused inline and change nothing', async () => {
    await using env = await startUsageEnv()
    const reply = () => env.upstreams.openai.reply(recordedJson('openai-chat/openai-text.json'))
    reply()
    expect((await env.call('openai-chat', 'oa/my-local-model', false)).status).toBe(200)
    await env.context.usage.flush()
    const pages = client(env.modelmux.url, await signIn(env.modelmux.url))
    const usage = await (await pages.page('/dashboard/usage')).text()
    expect(usage).toContain('<a href="/dashboard/settings#prices">Set a price</a>')
    const settings = await (await pages.page('/dashboard/settings')).text()
    expect(settings).toContain('id="prices"')
    // The model used without a price is named, by its name at the provider, and offered in the form.
    expect(settings).toContain('Used without a known price: my-local-model (openai-compatible, 1 request).')
    expect(settings).toContain('<option value="my-local-model"></option>')

    const refused = await (await pages.post('/dashboard/settings/prices', { provider: 'openai-compatible', model: ' ', input: 'cheap', output: '-1', cacheRead: '0.1' })).text()
    expect(refused).toContain('value="cheap"')
    expect(refused.match(/a number of dollars per 1M tokens, from 0 to 100000/g)).toHaveLength(2)
    expect(refused).toContain('>required<')
    expect((await (await pages.json('GET', '/api/pricing')).json()).overrides).toEqual([])

    const saved = await (await pages.post('/dashboard/settings/prices', { provider: 'openai-compatible', model: 'my-local-model', input: '$0.5', output: '1.5', cacheRead: '', cacheWrite: '' })).text()
    expect(saved).toContain('Saved: my-local-model at $0.5 in, $1.5 out per 1M tokens.')
    expect(saved).not.toContain('Used without a known price')
    expect((await (await pages.json('GET', '/api/pricing')).json()).overrides).toMatchObject([{ provider: 'openai-compatible', model: 'my-local-model', input: 0.5, output: 1.5 }])
    reply()
    expect((await env.call('openai-chat', 'oa/my-local-model', false)).status).toBe(200)
    const rows = (await env.rows('usage_events')).filter((row) => row.model === 'oa/my-local-model')
    // The earlier request keeps the cost it was recorded with (none); the next one is priced.
    expect(rows.map((row) => row.list_cost)).toEqual([null, (rows[1].input_tokens * 0.5 + rows[1].output_tokens * 1.5) / 1e6])

    const removed = await (await pages.post('/dashboard/settings/prices/remove', { provider: 'openai-compatible', model: 'my-local-model' })).text()
    expect(removed).toContain('Removed.')
    expect((await (await pages.json('GET', '/api/pricing')).json()).overrides).toEqual([])
    expect(await (await pages.post('/dashboard/settings/prices/remove', { provider: 'openai-compatible', model: 'my-local-model' })).text()).toContain('That price was already removed.')
    // Signed out, the form is not reached.
    const anonymous = await fetch(`${env.modelmux.url}/dashboard/settings/prices`, { method: 'POST', headers: { 'hx-request': 'true' }, body: new URLSearchParams({ provider: '*', model: '*', input: '1', output: '1' }) })
    expect(anonymous.headers.get('hx-redirect')).toBe('/login')
    expect((await (await pages.json('GET', '/api/pricing')).json()).overrides).toEqual([])
  })
})
