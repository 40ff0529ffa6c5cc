import { expect, test } from 'bun:test'
import { startIdleCollector } from '../../src/services/idle-gc'

async function until(condition: () => boolean, deadlineMs = 2000): Promise<void> {
  const deadline = Date.now() + deadlineMs
  while (!condition() && Date.now() < deadline) await Bun.sleep(5)
}

test('collects once after traffic pauses, and not while idle with nothing to give back', async () => {
  let collections = 0
  const idle = startIdleCollector({ quietMs: 100, collect: () => collections++ })
  try {
    await Bun.sleep(250)
    expect(collections).toBe(0)
    idle.touch()
    await until(() => collections === 1)
    expect(collections).toBe(1)
    await Bun.sleep(250)
    expect(collections).toBe(1)
    idle.touch()
    await until(() => collections === 2)
    expect(collections).toBe(2)
  } finally {
    idle.stop()
  }
})

test('its timer runs only from a burst\'s first request until the collection: an idle router is never woken', async () => {
  let collections = 0
  const idle = startIdleCollector({ quietMs: 100, collect: () => collections++ })
  try {
    expect(idle.running()).toBe(false)
    idle.touch()
    expect(idle.running()).toBe(true)
    // Traffic keeps it running without collecting.
    for (let i = 0; i < 6; i++) {
      await Bun.sleep(40)
      idle.touch()
    }
    expect(collections).toBe(0)
    await until(() => collections === 1)
    expect(idle.running()).toBe(false)
    await Bun.sleep(250)
    expect(collections).toBe(1)
  } finally {
    idle.stop()
  }
})

test('after the longer pause compiled code is given back once; a request before it cancels it', async () => {
  const calls: string[] = []
  const idle = startIdleCollector({ quietMs: 60, deepQuietMs: 250, collect: () => calls.push('collect'), shrink: () => calls.push('shrink') })
  try {
    idle.touch()
    await until(() => calls.length === 1)
    expect(calls).toEqual(['collect'])
    expect(idle.shrinkPending()).toBe(true)
    // A request inside the longer pause: no shrink, and the next pause starts over.
    idle.touch()
    expect(idle.shrinkPending()).toBe(false)
    await until(() => calls.length === 2)
    expect(calls).toEqual(['collect', 'collect'])
    await until(() => calls.length === 3)
    expect(calls).toEqual(['collect', 'collect', 'shrink'])
    expect(idle.running()).toBe(false)
    expect(idle.shrinkPending()).toBe(false)
    // Idle from then on: nothing more runs.
    await Bun.sleep(400)
    expect(calls).toHaveLength(3)
  } finally {
    idle.stop()
  }
})

test('a request still in flight (a long stream) holds the shrink back until it ends', async () => {
  let shrinks = 0
  let inFlight = true
  const idle = startIdleCollector({ quietMs: 40, deepQuietMs: 100, collect: () => {}, shrink: () => shrinks++, busy: () => inFlight })
  try {
    idle.touch()
    await Bun.sleep(400)
    expect(shrinks).toBe(0)
    expect(idle.shrinkPending()).toBe(true)
    inFlight = false
    await until(() => shrinks === 1)
    expect(shrinks).toBe(1)
    expect(idle.shrinkPending()).toBe(false)
  } finally {
    idle.stop()
  }
})
