import { expect, test } from 'bun:test'
import { callUpstream, ShutdownSwitch, UpstreamFailure } from '../../src/upstream/call-upstream'

const timeouts = { connectMs: 60_000, firstByteMs: 60_000, idleMs: 60_000, totalMs: 60_000 }

/** A local upstream whose stream sends one chunk and then stays open. */
function openEndedUpstream() {
  return Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    fetch: () =>
      new Response(
        new ReadableStream({
          type: 'direct',
          async pull(controller: { write(text: string): void; flush(): Promise<void> }) {
            controller.write('data: {"n":1}\n\n')
            await controller.flush()
            await new Promise(() => {})
          },
        } as unknown as UnderlyingDefaultSource<Uint8Array>),
        { headers: { 'content-type': 'text/event-stream' } },
      ),
  })
}

test('tripping the switch ends a stream in progress as a shutdown failure, even after full collections', async () => {
  await using server = openEndedUpstream()
  const shutdown = new ShutdownSwitch()
  const call = await callUpstream({ url: `http://127.0.0.1:${server.port}/`, headers: {}, body: '{}', stream: true, timeouts, shutdown })
  const reader = call.watch(call.response.body!)
  expect((await reader.read()).done).toBe(false)
  // The switch holds calls weakly; the call itself must keep its stop function alive.
  for (let i = 0; i < 3; i++) Bun.gc(true)
  const pending = reader.read()
  shutdown.trip()
  await expect(pending).rejects.toBeDefined()
  expect(call.failure()).toBeInstanceOf(UpstreamFailure)
  expect(call.failure()?.reason).toBe('shutdown')
})

test('a call started after the trip fails at once, and a settled call leaves the switch', async () => {
  await using server = openEndedUpstream()
  const shutdown = new ShutdownSwitch()
  const done = await callUpstream({ url: `http://127.0.0.1:${server.port}/`, headers: {}, body: '{}', stream: false, timeouts, shutdown })
  done.response.body?.cancel().catch(() => {})
  done.settle()
  shutdown.trip()
  // The settled call was not ended by the trip.
  expect(done.failure()).toBeUndefined()
  const late = callUpstream({ url: `http://127.0.0.1:${server.port}/`, headers: {}, body: '{}', stream: true, timeouts, shutdown })
  await expect(late).rejects.toMatchObject({ reason: 'shutdown' })
})
