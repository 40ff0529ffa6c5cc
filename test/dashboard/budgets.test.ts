import { describe, expect, test } from 'bun:test'
import { readSettings } from '../../src/services/management'
import { recordedJson, startUsageEnv } from '../usage/helpers'
import { client, signIn } from './helpers'

/** The hidden fields of the first budget's remove form. */
function removeFields(html: string): { index: string; budget: string } {
  const form = /<input type="hidden" name="index" value="(\d+)"\/?><input type="hidden" name="budget" value="([^"]*)"/.exec(html)
  if (!form) throw new Error('no remove form')
  return { index: form[1], budget: form[2].replaceAll('&#34;', '"').replaceAll('&quot;', '"') }
}

describe('spending limits on the Quota page', () => {
  test('a limit set in the browser is shown filling up, makes routing skip the connection once reached, and can be removed', async () => {
    await using env = await startUsageEnv()
    const pages = client(env.modelmux.url, await signIn(env.modelmux.url))
    const empty = await (await pages.page('/dashboard/quota')).text()
    expect(empty).toContain('id="budgets"')
    expect(empty).toContain('No limits set.')
    expect(empty).toContain('<option value="connection:an-conn">an-conn (Anthropic-compatible)</option>')
    expect(empty).toContain('<option value="provider:openai-compatible">every OpenAI-compatible connection</option>')

    // Mistakes are shown beside their fields and change nothing.
    const refused = await (await pages.post('/dashboard/quota/budgets', { target: 'connection:nope', window: 'daily', maxDollars: 'lots', maxTokens: '', warnAt: '150' })).text()
    expect(refused).toContain('choose a connection or a provider')
    expect(refused).toContain('a number of dollars above 0')
    expect(refused).toContain('a percentage from 1 to 100')
    expect(refused).toContain('value="lots"')
    const nothing = await (await pages.post('/dashboard/quota/budgets', { target: 'connection:an-conn', window: 'daily', maxDollars: '', maxTokens: '' })).text()
    expect(nothing).toContain('Set dollars, tokens or both.')
    expect(readSettings(env.context).budgets).toBeUndefined()

    const added = await (await pages.post('/dashboard/quota/budgets', { target: 'connection:an-conn', window: 'daily', maxDollars: '', maxTokens: '1,00', warnAt: '' })).text()
    expect(added).toContain('a whole number of tokens above 0')
    const saved = await (await pages.post('/dashboard/quota/budgets', { target: 'connection:an-conn', window: 'daily', maxTokens: '50', warnAt: '60' })).text()
    expect(saved).toContain('Limit added.')
    expect(readSettings(env.context).budgets).toEqual([{ connection: 'an-conn', window: 'daily', maxTokens: 50, warnAt: 0.6 }])
    expect(saved).toContain('0 of 50 tokens')

    // 41 tokens (of 50) is over the 60 % warning; a second answer reaches the limit and the combo falls through.
    env.upstreams.anthropic.reply(recordedJson('anthropic/anthropic-text.json'))
    env.upstreams.backup.reply(recordedJson('openai-chat/openai-text.json'))
    const served: (string | null)[] = []
    for (let i = 0; i < 3; i++) {
      const response = await env.call('openai-chat', 'stack', false)
      served.push(response.headers.get('x-modelmux-model'))
      await response.text()
      await env.context.usage.flush()
      if (i === 0) {
        const warned = await (await pages.page('/dashboard/quota')).text()
        expect(warned).toContain('41 of 50 tokens')
        expect(warned).toContain('over 60%')
        expect(warned).toContain('aria-valuenow="82"')
      }
    }
    expect(served).toEqual(['an/claude-sonnet-4-5', 'an/claude-sonnet-4-5', 'bk/gpt-4.1'])
    const reached = await (await pages.page('/dashboard/quota')).text()
    expect(reached).toContain('reached: routing skips it')
    expect(reached).toContain('82 of 50 tokens')
    expect(reached).toMatch(/resets <time datetime="[^"]+" data-countdown="\d+"/)

    // A remove form drawn before the list changed removes nothing.
    const fields = removeFields(reached)
    const stale = await (await pages.post('/dashboard/quota/budgets/remove', { index: fields.index, budget: fields.budget.replace('50', '51') })).text()
    expect(stale).toContain('The limits changed meanwhile; nothing was removed.')
    expect(readSettings(env.context).budgets).toHaveLength(1)
    const removed = await (await pages.post('/dashboard/quota/budgets/remove', fields)).text()
    expect(removed).toContain('Limit removed.')
    expect(readSettings(env.context).budgets).toEqual([])
    const response = await env.call('openai-chat', 'stack', false)
    expect(response.headers.get('x-modelmux-model')).toBe('an/claude-sonnet-4-5')
    await response.text()
  })
  test('days, weeks and months start where the user says: a daily limit then resets at that hour in that zone', async () => {
    await using env = await startUsageEnv({ budgets: [{ connection: 'an-conn', window: 'daily', maxDollars: 5 }] })
    const pages = client(env.modelmux.url, await signIn(env.modelmux.url))
    const page = await (await pages.page('/dashboard/quota')).text()
    expect(page).toContain('id="reset-zone" name="timeZone" type="text" value="UTC"')
    const refused = await (await pages.post('/dashboard/quota/reset-rule', { timeZone: 'Mars/Olympus', resetHour: '5', weekStartsOn: '0', monthResetDay: '32' })).text()
    expect(refused).toContain('an IANA time zone, such as Europe/Berlin')
    expect(refused).toContain('a day of the month from 1 to 31')
    expect(refused).toContain('value="Mars/Olympus"')
    expect(readSettings(env.context).quota).toBeUndefined()
    const saved = await (await pages.post('/dashboard/quota/reset-rule', { timeZone: 'Asia/Tokyo', resetHour: '5', weekStartsOn: '0', monthResetDay: '15' })).text()
    expect(saved).toContain('Saved: days start at 05:00 Asia/Tokyo.')
    expect(readSettings(env.context).quota).toEqual({ timeZone: 'Asia/Tokyo', resetHour: 5, weekStartsOn: 0, monthResetDay: 15 })
    // 05:00 in Tokyo (no daylight saving) is 20:00 UTC.
    const now = Date.now()
    const next = new Date(now)
    next.setUTCHours(20, 0, 0, 0)
    if (next.getTime() <= now) next.setUTCDate(next.getUTCDate() + 1)
    expect(saved).toContain(`resets <time datetime="${next.toISOString()}"`)
    expect(saved).toContain('<option value="0" selected>Sunday</option>')
  })
  test('a dollar limit says how many requests it could not count because their model has no known price', async () => {
    await using env = await startUsageEnv({ budgets: [{ connection: 'oa-conn', window: 'daily', maxDollars: 1 }] })
    const pages = client(env.modelmux.url, await signIn(env.modelmux.url))
    env.upstreams.openai.reply(recordedJson('openai-chat/openai-text.json'))
    for (const model of ['oa/my-local-model', 'oa/gpt-4.1']) await (await env.call('openai-chat', model, false)).text()
    // Counted while queued, and the same once written.
    for (const flushed of [false, true]) {
      if (flushed) await env.context.usage.flush()
      const page = await (await pages.page('/dashboard/quota')).text()
      expect(page).toContain('<a href="/dashboard/settings#prices">1 request(s) with no known price count $0: set a price</a>')
    }
  })
})
