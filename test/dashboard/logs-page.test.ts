import { describe, expect, test } from 'bun:test'
import { recordedJson, startUsageEnv } from '../usage/helpers'
import { client, signIn } from './helpers'

describe('Logs page', () => {
  test('filters by a piece of the model name and suggests the names the log holds, escaped', async () => {
    await using env = await startUsageEnv()
    env.upstreams.openai.reply(recordedJson('openai-chat/openai-text.json'))
    await (await env.call('openai-chat', 'oa/gpt-4.1', false)).text()
    await (await env.call('openai-chat', 'oa/gpt-4.1-mini', false)).text()
    // A client may send any model name (this connection serves any); the log keeps it, and the page must not run it.
    const hostile = 'oa/"><img src=x onerror=alert(1)>'
    expect((await env.call('openai-chat', hostile, false)).status).toBe(200)
    await env.context.usage.flush()

    const pages = client(env.modelmux.url, await signIn(env.modelmux.url))
    const all = await (await pages.page('/dashboard/logs')).text()
    const suggestions = /<datalist id="log-models">([\s\S]*?)<\/datalist>/.exec(all)?.[1] ?? ''
    // Inside a quoted attribute only the quote can end it: it is escaped, so the name stays one attribute value.
    expect([...suggestions.matchAll(/<option value="([^"]*)"/g)].map((match) => match[1])).toEqual(['oa/&#34;><img src=x onerror=alert(1)>', 'oa/gpt-4.1', 'oa/gpt-4.1-mini'])
    expect(all).not.toContain('"><img')
    // Everywhere else (the table) it is text.
    expect(all.split('<img src=x').length - 1).toBe(1)
    expect(all).toContain('&lt;img src=x onerror=alert(1)&gt;')

    const mini = await (await pages.page('/dashboard/logs?model=MINI')).text()
    expect(mini).toContain('oa/gpt-4.1-mini')
    const none = await (await pages.page('/dashboard/logs?model=no-such-model')).text()
    expect(none).toContain('0 most recent shown')
    expect(mini).toContain('1 most recent shown')
  })
})
