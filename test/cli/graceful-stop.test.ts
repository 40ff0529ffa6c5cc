import { afterAll, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeUpstream } from '../helpers/fake-upstream'
import { spawnServer } from '../helpers/spawn-server'

const root = mkdtempSync(join(tmpdir(), 'modelmux-stop-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const chunk = (delta: string, finish = 'null') =>
  `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":${delta},"finish_reason":${finish}}]}\n\n`

/** Starts modelmux with one OpenAI-compatible connection whose stream pauses `pauseMs` after its first chunk. */
async function serverWithSlowStream(name: string, pauseMs: number, graceMs: number) {
  const fake = startFakeUpstream()
  fake.reply({
    headers: { 'content-type': 'text/event-stream' },
    parts: [
      chunk('{"content":"a"}'),
      { delayMs: pauseMs },
      chunk('{"content":"b"}'),
      chunk('{}', '"stop"').replace('}]}', '}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}'),
      'data: [DONE]\n\n',
    ],
  })
  const dir = join(root, name)
  const config = join(root, `${name}.json`)
  writeFileSync(config, JSON.stringify({ connections: [{ name: 'oa', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${fake.url}/v1`, apiKey: 'k', models: ['m'] }] }))
  const server = await spawnServer({ DATA_DIR: dir, INITIAL_PASSWORD: 'password1', MODELMUX_CONFIG: config, SHUTDOWN_GRACE_MS: String(graceMs) })
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'oa/m', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  })
  const reader = response.body!.getReader()
  const first = new TextDecoder().decode((await reader.read()).value)
  const rest = (async () => {
    let text = ''
    for (let next = await reader.read(); !next.done; next = await reader.read()) text += new TextDecoder().decode(next.value)
    return text
  })()
  return { fake, server, first, rest, database: join(dir, 'modelmux.db') }
}

const usageRows = (path: string) => {
  const db = new Database(path, { readonly: true })
  try {
    return db.query('SELECT status, output_tokens AS outputTokens, error FROM usage_events').all() as { status: number; outputTokens: number | null; error: string | null }[]
  } finally {
    db.close()
  }
}

describe('stopping with requests in progress', () => {
  test('SIGTERM lets a stream in progress finish, refuses new connections, records it and exits 0', async () => {
    const { fake, server, first, rest, database } = await serverWithSlowStream('grace', 600, 8000)
    await using _fake = fake
    await using _server = server
    expect(first).toContain('"content":"a"')
    server.proc.kill('SIGTERM')
    await Bun.sleep(100)
    // The listener is closed at once: a new client is refused rather than served by a server about to go.
    await expect(fetch(`${server.url}/v1/models`)).rejects.toThrow()
    const text = await rest
    expect(text).toContain('"content":"b"')
    expect(text).toContain('data: [DONE]')
    expect(await server.proc.exited).toBe(0)
    expect(await new Response(server.proc.stderr).text()).toContain('letting 1 request in progress finish (up to 8 s')
    expect(usageRows(database)).toEqual([{ status: 200, outputTokens: 2, error: null }])
  })

  test('past the grace, a stream ends with an in-band shutdown error in its format (not a cut connection)', async () => {
    const { fake, server, rest, database } = await serverWithSlowStream('cut', 30_000, 300)
    await using _fake = fake
    await using _server = server
    const stoppedAt = performance.now()
    server.proc.kill('SIGTERM')
    const text = await rest
    expect(text).toContain('"error":{"message":"modelmux is shutting down; send the request again once it is back"')
    expect(text).not.toContain('"content":"b"')
    expect(await server.proc.exited).toBe(0)
    // The grace, then the error; not the upstream's 30 s pause.
    expect(performance.now() - stoppedAt).toBeLessThan(10_000)
    expect(usageRows(database)).toEqual([{ status: 503, outputTokens: null, error: 'modelmux is shutting down; send the request again once it is back' }])
  })

  test('a second signal ends the requests in progress at once', async () => {
    const { fake, server, rest } = await serverWithSlowStream('twice', 30_000, 60_000)
    await using _fake = fake
    await using _server = server
    server.proc.kill('SIGINT')
    await Bun.sleep(200)
    server.proc.kill('SIGINT')
    expect(await rest).toContain('modelmux is shutting down')
    expect(await server.proc.exited).toBe(0)
  })
})
