import { describe, expect, test } from 'bun:test'
import { getProvider } from '../../src/providers'
import { prepareUpstream } from '../../src/providers/prepare-upstream'
import { testConnection } from '../../src/services/provider-check'
import { matchesNoProxy, selectProxy, withProxy } from '../../src/upstream/proxy'
import { startFakeUpstream } from '../helpers/fake-upstream'
import { startHttpProxy } from './helpers/http-proxy'

describe('selectProxy', () => {
  const env = { HTTP_PROXY: 'http://http-proxy:3128', HTTPS_PROXY: 'http://https-proxy:3128', ALL_PROXY: 'http://all-proxy:1080' }
  test.each([
    ['https by HTTPS_PROXY', 'https://api.openai.com/v1', env, undefined, 'http://https-proxy:3128'],
    ['http by HTTP_PROXY', 'http://api.example.com/v1', env, undefined, 'http://http-proxy:3128'],
    ['ALL_PROXY when the scheme has none', 'https://api.groq.com', { ALL_PROXY: 'http://all:1' }, undefined, 'http://all:1'],
    ['lowercase variables', 'https://api.groq.com', { https_proxy: 'http://lower:1' }, undefined, 'http://lower:1'],
    ['uppercase wins over lowercase', 'https://api.groq.com', { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' }, undefined, 'http://upper:1'],
    ['empty counts as unset', 'https://api.groq.com', { HTTPS_PROXY: '', ALL_PROXY: 'http://all:1' }, undefined, 'http://all:1'],
    ['a bare host:port gets http://', 'https://api.groq.com', { HTTPS_PROXY: 'corp:3128' }, undefined, 'http://corp:3128'],
    ['no variables: direct', 'https://api.groq.com', {}, undefined, null],
    ['127.0.0.1 never goes through the env proxy', 'http://127.0.0.1:11434', env, undefined, null],
    ['127.x never', 'http://127.1.2.3:8000/v1', env, undefined, null],
    ['localhost never', 'http://localhost:8000/v1', env, undefined, null],
    ['::1 never', 'http://[::1]:8000/v1', env, undefined, null],
    ['*.localhost never', 'http://vllm.localhost:8000/v1', env, undefined, null],
    ['NO_PROXY domain', 'https://api.openai.com/v1', { ...env, NO_PROXY: 'openai.com' }, undefined, null],
    ['no_proxy lowercase', 'https://api.openai.com/v1', { ...env, no_proxy: '.openai.com' }, undefined, null],
    ['NO_PROXY *', 'https://api.openai.com/v1', { ...env, NO_PROXY: '*' }, undefined, null],
    ['NO_PROXY does not match a longer name', 'https://notopenai.com/v1', { ...env, NO_PROXY: 'openai.com' }, undefined, 'http://https-proxy:3128'],
    ['connection proxy wins over env', 'https://api.openai.com/v1', env, 'http://mine:8080', 'http://mine:8080'],
    ['connection proxy applies even to loopback (asked explicitly)', 'http://127.0.0.1:11434', env, 'http://mine:8080', 'http://mine:8080'],
    ['connection "direct" opts out of env proxies', 'https://api.openai.com/v1', env, 'direct', null],
    ['connection proxy ignores NO_PROXY', 'https://api.openai.com/v1', { ...env, NO_PROXY: '*' }, 'http://mine:8080', 'http://mine:8080'],
  ] as const)('%s', (_, url, environment, connectionProxy, expected) => {
    expect(selectProxy(url, environment, connectionProxy)).toBe(expected)
  })
})

describe('matchesNoProxy', () => {
  test.each([
    ['api.example.com', '443', 'example.com', true],
    ['example.com', '443', '.example.com', true],
    ['a.b.example.com', '443', '*.example.com', true],
    ['example.com.evil', '443', 'example.com', false],
    ['api.example.com', '443', 'example.com:443', true],
    ['api.example.com', '8443', 'example.com:443', false],
    ['10.1.2.3', '80', '10.0.0.0/8', true],
    ['11.1.2.3', '80', '10.0.0.0/8', false],
    ['192.168.1.20', '80', 'foo.com, 192.168.1.0/24', true],
    ['[2001:db8::1]', '443', '2001:db8::1', true],
    ['[2001:db8::1]', '443', '[2001:db8::1]:443', true],
    ['API.EXAMPLE.COM', '443', 'Example.com', true],
  ] as const)('%s:%s against %s', (host, port, noProxy, expected) => {
    expect(matchesNoProxy(host, port, noProxy)).toBe(expected)
  })
})

describe('outbound proxy, end to end', () => {
  test('a non-local upstream host name is reached through HTTP_PROXY (the name only resolves inside the proxy)', async () => {
    await using upstream = startFakeUpstream()
    await using proxy = startHttpProxy({ 'api.example.test': upstream.url })
    upstream.reply({ parts: [JSON.stringify({ id: 'x', choices: [] })] })
    const groq = getProvider('groq')!
    const connection = { name: 'g', baseUrl: 'http://api.example.test/openai/v1', apiKey: 'gsk-secret' }
    const prepared = prepareUpstream(groq, connection, { model: 'llama-3.3-70b-versatile', stream: false, body: { model: 'llama-3.3-70b-versatile' }, env: { HTTP_PROXY: proxy.url } })
    expect(prepared.proxy).toBe(proxy.url)
    const response = await withProxy(fetch, prepared.proxy)(prepared.url, { method: 'POST', headers: prepared.headers, body: JSON.stringify(prepared.body) })
    expect(response.status).toBe(200)
    expect(proxy.seen).toEqual(['POST http://api.example.test/openai/v1/chat/completions'])
    expect(upstream.received[0].headers.authorization).toBe('Bearer gsk-secret')
  })

  test('test connection goes through the proxy too', async () => {
    await using upstream = startFakeUpstream()
    await using proxy = startHttpProxy({ 'models.example.test': upstream.url })
    upstream.reply({ parts: [JSON.stringify({ data: [{ id: 'a' }] })] })
    const connection = { name: 'o', baseUrl: 'http://models.example.test/v1', apiKey: 'sk' }
    const check = await testConnection(getProvider('openai')!, connection, { fetch, now: Date.now, env: { http_proxy: proxy.url } })
    expect(check).toMatchObject({ ok: true, method: 'models', reason: 'connected: 1 model listed' })
    expect(proxy.seen).toEqual(['GET http://models.example.test/v1/models'])
  })

  test('an explicit per-connection proxy is used even for a loopback upstream', async () => {
    await using upstream = startFakeUpstream()
    const upstreamHost = new URL(upstream.url).host
    await using proxy = startHttpProxy({ [upstreamHost]: upstream.url })
    const connection = { name: 'l', baseUrl: `${upstream.url}/v1`, apiKey: 'sk', options: { proxy: proxy.url } }
    const prepared = prepareUpstream(getProvider('openai-compatible')!, connection, { model: 'm', stream: false, body: { model: 'm' }, env: {} })
    await withProxy(fetch, prepared.proxy)(prepared.url, { method: 'POST', headers: prepared.headers, body: '{}' })
    expect(proxy.seen).toEqual([`POST ${upstream.url}/v1/chat/completions`])
    expect(upstream.received).toHaveLength(1)
  })

  test('withProxy(null) keeps loopback calls direct even when the process has HTTP_PROXY (Bun would otherwise use it)', async () => {
    await using upstream = startFakeUpstream()
    await using proxy = startHttpProxy({})
    const script = `
      import { withProxy } from ${JSON.stringify(new URL('../../src/upstream/proxy.ts', import.meta.url).pathname)}
      const direct = await withProxy(fetch, null)(process.argv.at(-1)).then((r) => r.status)
      const plain = await fetch(process.argv.at(-1)).then((r) => r.status)
      console.log(JSON.stringify({ direct, plain }))`
    const child = Bun.spawn([process.execPath, '-e', script, `${upstream.url}/ping`], { env: { ...process.env, HTTP_PROXY: proxy.url, NO_PROXY: '' }, stdout: 'pipe' })
    const output = JSON.parse(await new Response(child.stdout).text())
    expect(output).toEqual({ direct: 200, plain: 502 })
    expect(upstream.received).toHaveLength(1)
    expect(proxy.seen).toEqual([`GET ${upstream.url}/ping`])
  })
})
