import { describe, expect, test } from 'bun:test'
import { startTestServer } from '../helpers/test-server'

const MB = 1024 * 1024
// An upstream that can stream 256 MB as fast as it is pulled; it counts what it has produced.
function startFastUpstream() {
  const line = new TextEncoder().encode(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'up', choices: [{ index: 0, delta: { content: 'y'.repeat(4000) } }] })}\n\n`)
  const state = { produced: 0 }
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            if (state.produced >= 256 * MB) return controller.close()
            controller.enqueue(line)
            state.produced += line.byteLength
          },
        }, { highWaterMark: 1 }),
        { headers: { 'content-type': 'text/event-stream' } },
      ),
  })
  return { url: `http://127.0.0.1:${server.port}/v1`, state, stop: () => server.stop(true) }
}

describe('backpressure: a client that stops reading stops the upstream too', () => {
  // Socket buffers on loopback may hold a few tens of MB; without backpressure the whole 256 MB would be pulled into memory.
  for (const [name, path, body] of [
    ['passthrough', '/v1/chat/completions', { model: 'u/m', stream: true, messages: [{ role: 'user', content: 'hi' }] }],
    ['translated (Anthropic client, OpenAI upstream)', '/v1/messages', { model: 'u/m', stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }],
  ] as const) {
    test(name, async () => {
      const upstream = startFastUpstream()
      try {
        await using modelmux = await startTestServer({ connections: [{ name: 'u', provider: 'openai-compatible', prefix: 'u', baseUrl: upstream.url, apiKey: 'k' }] })
        const response = await fetch(`${modelmux.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) })
        expect(response.status).toBe(200)
        const reader = response.body!.getReader()
        expect((await reader.read()).done).toBe(false)
        // The client now reads nothing for a while.
        await Bun.sleep(700)
        expect(upstream.state.produced).toBeLessThan(128 * MB)
        await reader.cancel()
      } finally {
        upstream.stop()
      }
    }, 20_000)
  }
})
