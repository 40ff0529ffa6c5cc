import { expect, test } from 'bun:test'
import { createLazyCounter } from '../../src/services/count-tokens'

// Real timers with wide margins: the counter is kept for 200 ms after its last use, checked every 50 ms.
test('the tokenizer loads once while in use, lets go once unused, and loads again when asked', async () => {
  let loads = 0
  let releases = 0
  const counter = createLazyCounter(
    async () => {
      loads++
      return (text) => text.length
    },
    200,
    () => releases++,
  )
  expect(counter.loaded()).toBe(false)
  expect((await counter.get())('four')).toBe(4)
  for (let step = 0; step < 10; step++) {
    await Bun.sleep(20)
    await counter.get()
  }
  expect(loads).toBe(1)
  expect(releases).toBe(0)
  await Bun.sleep(600)
  expect(counter.loaded()).toBe(false)
  expect(releases).toBe(1)
  expect((await counter.get())('again')).toBe(5)
  expect(loads).toBe(2)
})

test('a load that failed is tried again on the next use', async () => {
  let loads = 0
  const counter = createLazyCounter(async () => {
    if (++loads === 1) throw new Error('no ranks')
    return (text) => text.length
  }, 60_000)
  await expect(counter.get()).rejects.toThrow('no ranks')
  expect(counter.loaded()).toBe(false)
  expect((await counter.get())('ok')).toBe(2)
  expect(loads).toBe(2)
})
