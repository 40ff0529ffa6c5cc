import { describe, expect, test } from 'bun:test'
import { copyFileSync, readdirSync, writeFileSync } from 'node:fs'
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base'
import { join } from 'node:path'
import { binaryName, hostTarget } from '../../build'
import pkg from '../../package.json'
import { get, packagedBinary, root, startBinary, tempDir } from './helpers'

// The host binary, copied alone into an empty directory, must run with nothing beside it.
describe(`packaged binary (${binaryName(hostTarget())})`, () => {
  test('--version', async () => {
    await using dir = tempDir('binary')
    const binary = join(dir.path, 'modelmux')
    copyFileSync(await packagedBinary(hostTarget()), binary)
    const proc = Bun.spawn([binary, '--version'], { cwd: dir.path, env: {}, stdout: 'pipe' })
    expect(await new Response(proc.stdout).text()).toBe(`modelmux ${pkg.version}\n`)
    expect(await proc.exited).toBe(0)
  }, 60_000) // the first test builds the binary

  test('serves the API, pages and embedded assets', async () => {
    await using dir = tempDir('binary')
    const binary = join(dir.path, 'modelmux')
    copyFileSync(await packagedBinary(hostTarget()), binary)
    expect(readdirSync(dir.path)).toEqual(['modelmux'])
    // An upstream that cannot count tokens, so count_tokens uses the embedded tokenizer (never contacted).
    await using configDir = tempDir('binary-config')
    const config = join(configDir.path, 'config.json')
    writeFileSync(config, JSON.stringify({ connections: [{ name: 'local', provider: 'openai-compatible', prefix: 'oa', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'x' }] }))
    await using server = await startBinary([binary], {
      cwd: dir.path,
      env: { DATA_DIR: join(dir.path, 'data'), PORT: '0', HOSTNAME: '127.0.0.1', INITIAL_PASSWORD: 'packaging-test-1', MODELMUX_CONFIG: config },
    })

    const models = await get(server.url, '/v1/models')
    expect(models.status).toBe(200)
    expect(JSON.parse(models.body)).toMatchObject({ object: 'list', data: expect.any(Array) })

    const text = 'The tokenizer ranks ship inside the binary.'
    const counted = await fetch(`${server.url}/v1/messages/count_tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'oa/qwen', messages: [{ role: 'user', content: text }] }) })
    expect(counted.status).toBe(200)
    expect(counted.headers.get('x-modelmux-token-count')).toBe('estimated')
    expect(await counted.json()).toEqual({ input_tokens: 3 + countTokens(text) })

    const login = await get(server.url, '/login')
    expect(login.status).toBe(200)
    expect(login.type).toContain('text/html')
    expect(login.body).toContain('<form')

    // Byte-for-byte the files the source tree imports, so the embedding is real, not a stub.
    const assets = {
      'htmx.min.js': 'node_modules/htmx.org/dist/htmx.min.js',
      'alpine.min.js': 'node_modules/alpinejs/dist/cdn.min.js',
      'app.css': 'static/app.css',
    }
    for (const [name, source] of Object.entries(assets)) {
      const asset = await get(server.url, `/static/${name}`)
      expect(asset.status).toBe(200)
      expect(asset.body).toBe(await Bun.file(join(root, source)).text())
    }
    expect((await get(server.url, '/static/htmx.min.js')).type).toContain('javascript')
  }, 30_000)
})
