/**
 * Gives memory back when traffic stops: a local router idles most of the day (often on a small board),
 * so once requests pause for about `quietMs` a full collection runs, once per burst of traffic.
 */
export function startIdleCollector(options: { quietMs?: number; collect?: () => void } = {}) {
  const quietMs = options.quietMs ?? 1000
  const collect = options.collect ?? (() => Bun.gc(true))
  // `touch` only sets a flag (it sits on the request path); the timer turns flags into times.
  let active = false
  let pending = false
  let lastActive = 0
  const timer = setInterval(() => {
    const now = Date.now()
    if (active) {
      active = false
      pending = true
      lastActive = now
    } else if (pending && now - lastActive >= quietMs) {
      pending = false
      collect()
    }
  }, Math.max(50, quietMs / 4))
  timer.unref?.()
  return {
    /** Notes that a request is being served. */
    touch(): void {
      active = true
    },
    stop(): void {
      clearInterval(timer)
    },
  }
}
