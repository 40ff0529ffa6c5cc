/**
 * Gives memory back when traffic stops: a local router idles most of the day (often on a small board),
 * so once requests pause for `quietMs` a full collection runs, once per burst of traffic.
 */
export function startIdleCollector(options: { quietMs?: number; collect?: () => void } = {}) {
  const quietMs = options.quietMs ?? 1000
  const collect = options.collect ?? (() => Bun.gc(true))
  let busySinceCollect = false
  let lastActivity = 0
  const timer = setInterval(() => {
    if (busySinceCollect && Date.now() - lastActivity >= quietMs) {
      busySinceCollect = false
      collect()
    }
  }, Math.max(100, quietMs / 2))
  timer.unref?.()
  return {
    /** Notes that a request is being served. */
    touch(): void {
      busySinceCollect = true
      lastActivity = Date.now()
    },
    stop(): void {
      clearInterval(timer)
    },
  }
}
