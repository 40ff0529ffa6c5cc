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
