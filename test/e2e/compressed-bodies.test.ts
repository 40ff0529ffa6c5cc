import { expect, test } from 'bun:test'
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync, zstdCompressSync } from 'node:zlib'
import { startUpstreamPair } from '../helpers/upstream-pair'

async function setup() {
  const pair = await startUpstreamPair((url) => ({
    connections: [
      { name: 'r', provider: 'responses-compatible', prefix: 'rs', baseUrl: `${url}/v1`, apiKey: 'k' },
      { name: 'a', provider: 'anthropic-compatible', prefix: 'an', baseUrl: `${url}/v1`, apiKey: 'k' },
    ],
    settings: { maxBodyBytes: 64 * 1024 },
  }))
  return {
    ...pair,
    send: (path: string, body: Uint8Array | string, encoding: string) =>
      fetch(`${pair.modelmux.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: body as BodyInit }),
  }
}

const responsesBody = JSON.stringify({ model: 'rs/gpt-5', input: 'Say hi. '.repeat(200), store: false })

test('Codex\'s zstd-compressed request bodies (and gzip, deflate, br) are decompressed; the upstream gets plain JSON', async () => {
  await using env = await setup()
  env.upstream.reply({ headers: { 'content-type': 'application/json' }, parts: ['{"id":"resp_1","object":"response","status":"completed","model":"gpt-5","output":[]}'] })
  const plain = Buffer.from(responsesBody)
  const encoded: [string, Uint8Array][] = [
    ['zstd', zstdCompressSync(plain)],
    ['gzip', gzipSync(plain)],
    ['deflate', deflateSync(plain)],
    ['deflate', deflateRawSync(plain)],
    ['br', brotliCompressSync(plain)],
    ['gzip, zstd', zstdCompressSync(gzipSync(plain))],
    ['identity', plain],
  ]
  for (const [encoding, body] of encoded) {
    const response = await env.send('/v1/responses', body, encoding)
    expect(response.status).toBe(200)
    const received = env.upstream.received.at(-1)!
    expect(JSON.parse(received.body)).toEqual({ ...JSON.parse(responsesBody), model: 'gpt-5' })
    expect(received.headers['content-encoding']).toBeUndefined()
  }
})

test('a body that is not what its encoding says, an unknown encoding and a decompression bomb get clear errors in the caller\'s format', async () => {
  await using env = await setup()
  const messages = JSON.stringify({ model: 'an/claude', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] })
  const corrupt = await env.send('/v1/messages', messages, 'zstd')
  expect(corrupt.status).toBe(400)
  expect(await corrupt.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('request body is not valid zstd data') } })
  const unknown = await env.send('/v1/messages', messages, 'compress')
  expect(unknown.status).toBe(415)
  expect((await unknown.json()).error.message).toContain('content-encoding "compress" is not supported')
  // 10 MB of spaces compresses to a few hundred bytes; the 64 KB limit holds after decompressing.
  const bomb = zstdCompressSync(Buffer.from(`{"model":"an/claude","pad":"${' '.repeat(10 * 1024 * 1024)}"}`))
  expect(bomb.byteLength).toBeLessThan(64 * 1024)
  const refused = await env.send('/v1/messages', bomb, 'zstd')
  expect(refused.status).toBe(413)
  expect((await refused.json()).error.message).toContain('larger than the 65536-byte limit')
  expect(env.upstream.received).toHaveLength(0)
})
