/**
 * The fake provider, run as its own process: `bun bench/fake-upstream.ts [port]`.
 * Serves `POST /r/<reply id>/v1/chat/completions` and `/r/<reply id>/v1/messages` with the recorded
 * reply named in the path — a whole JSON body, or an SSE stream enqueued one event at a time
 * (no delays). Prints `fake upstream listening on <url>` when ready.
 * @module
 */
import { readBody, readChunks, toSse } from '../test/helpers/recorded'
import { replies, upstreamPath, type UpstreamReply } from './scenarios'

interface Prepared {
  reply: UpstreamReply
  path: string
  /** The JSON body, or the SSE events, pre-encoded once. */
  parts: Uint8Array<ArrayBuffer>[]
  contentType: string
}

const encoder = new TextEncoder()

/** Pre-encodes a reply's bytes so serving it costs no parsing. */
function prepare(reply: UpstreamReply): Prepared {
  const path = `/r/${reply.id}/v1${upstreamPath(reply.format)}`
  if (reply.kind === 'json') {
    return { reply, path, parts: [encoder.encode(readBody(reply.file))], contentType: 'application/json' }
  }
  const style = reply.format === 'anthropic-messages' ? 'anthropic' : 'openai'
  const parts = toSse(readChunks(reply.file), style).map((event) => encoder.encode(event))
  return { reply, path, parts, contentType: 'text/event-stream; charset=utf-8' }
}

const byPath = new Map(replies.map((reply) => [`/r/${reply.id}/v1${upstreamPath(reply.format)}`, prepare(reply)]))

/** An SSE body handed to the server event by event (one enqueue per pull, nothing buffered ahead). */
function sseBody(parts: Uint8Array<ArrayBuffer>[]): ReadableStream<Uint8Array<ArrayBuffer>> {
  let next = 0
  return new ReadableStream<Uint8Array<ArrayBuffer>>(
    {
      pull(controller) {
        if (next < parts.length) controller.enqueue(parts[next++])
        else controller.close()
      },
    },
    { highWaterMark: 0 },
  )
}

const server = Bun.serve({
  port: Number(process.argv[2] ?? 0),
  hostname: '127.0.0.1',
  idleTimeout: 0,
  async fetch(request) {
    const path = request.url.slice(request.url.indexOf('/', 8))
    const prepared = byPath.get(path)
    // Read the whole request like a real provider would.
    await request.arrayBuffer()
    if (!prepared || request.method !== 'POST') return new Response(`{"error":"no fake route ${path}"}`, { status: 404 })
    const headers = { 'content-type': prepared.contentType, 'x-request-id': 'req_bench' }
    if (prepared.reply.kind === 'json') return new Response(prepared.parts[0], { headers })
    return new Response(sseBody(prepared.parts), { headers: { ...headers, 'cache-control': 'no-cache' } })
  },
})

process.stdout.write(`fake upstream listening on http://127.0.0.1:${server.port}\n`)
process.once('SIGTERM', () => {
  server.stop(true)
  process.exit(0)
})
