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

describe('Usage page', () => {
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
  })
})
