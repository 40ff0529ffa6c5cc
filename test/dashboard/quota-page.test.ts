import { describe, expect, test } from 'bun:test'
import { oauthServiceFor } from '../../src/oauth'
import { upsertConnection } from '../../src/store/connections'
import { setSetting } from '../../src/store/settings'
import { startTestServer } from '../helpers/test-server'
import { startFakeProvider } from '../oauth/helpers/fake-provider'
import { client, signIn } from './helpers'

const textOf = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ')

describe('Quota page', () => {
  test('shows the subscription provider’s own quota windows with bars and reset countdowns, sorted by the next reset', async () => {
    await using fake = startFakeProvider()
    await using modelmux = await startTestServer({ connections: [{ name: 'api-node', provider: 'openai-compatible', prefix: 'v', baseUrl: 'http://127.0.0.1:9/v1', models: ['m'] }] })
    const context = modelmux.server.context
    setSetting(context.db, 'settings', { ...context.registry.settings, oauth: { 'claude-code': { origin: fake.url } } })
    const tokens = { type: 'oauth', provider: 'claude-code', accessToken: 'cc-at', refreshToken: 'cc-rt', expiresAt: Date.now() + 8 * 3_600_000, email: 'ada@example.com', accountId: 'u-1' }
    upsertConnection(context.db, context.encryptionKey, { name: 'zz-claude', provider: 'claude-code', apiKey: JSON.stringify(tokens) }, Date.now())
    context.reload()
    fake.on('GET /api/oauth/usage', () => ({ five_hour: { utilization: 42, resets_at: new Date(Date.now() + 2 * 3_600_000).toISOString() }, seven_day: { utilization: 97 } }))
    const connection = context.registry.connections.find(({ connection }) => connection.name === 'zz-claude')!.connection
    expect((await oauthServiceFor(context).readQuota(connection))?.windows.length).toBe(2)

    const pages = client(modelmux.url, await signIn(modelmux.url))
    const html = await (await pages.page('/dashboard/quota')).text()
    const card = /<div class="tile" data-quota="zz-claude">[\s\S]*?data-provider-quota="claude-code"[\s\S]*?<\/div>\s*<\/div>/.exec(html)?.[0] ?? ''
    expect(card).not.toBe('')
    expect(textOf(html)).toMatch(/42% used · resets in (2 h|120 min|119 min)/)
    expect(textOf(html)).toContain('97% used')
    expect(html).toContain('style="width: 42%"')
    expect(html).toMatch(/class="meter bad"[^>]*>\s*<span style="width: 97%"/)
    // Sorted by next reset: the subscription (a reset in 2 h) comes before the API-key node (none), despite its name.
    expect(html.indexOf('data-quota="zz-claude"')).toBeLessThan(html.indexOf('data-quota="api-node"'))
    // API-key connections have no provider quota block.
    expect(html.match(/data-provider-quota=/g)?.length).toBe(1)
  })
})
