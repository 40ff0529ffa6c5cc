/**
 * Gives memory back when traffic stops: a local router idles most of the day (often on a small board),
 * so once requests pause for about `quietMs` a full collection runs, once per burst of traffic. Its timer
 * runs only from a burst's first request to that collection: an idle router is never woken by it.
 */
export function startIdleCollector(options: { quietMs?: number; collect?: () => void } = {}) {
  const quietMs = options.quietMs ?? 1000
  const collect = options.collect ?? (() => Bun.gc(true))
  // `touch` only sets a flag (it sits on the request path); the timer turns flags into times.
  let active = false
  let lastActive = 0
  let timer: ReturnType<typeof setInterval> | undefined
  const tick = () => {
    const now = Date.now()
    if (active) {
      active = false
      lastActive = now
    } else if (now - lastActive >= quietMs) {
      clearInterval(timer)
      timer = undefined
      collect()
    }
  }
  return {
    /** Notes that a request is being served. */
    touch(): void {
      active = true
      if (timer !== undefined) return
      timer = setInterval(tick, Math.max(50, quietMs / 4))
      timer.unref?.()
    },
    stop(): void {
      clearInterval(timer)
      timer = undefined
    },
    /** Whether its timer is running (from a burst's first request until its collection). */
    running: () => timer !== undefined,
  }
}
