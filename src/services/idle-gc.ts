/** What the idle collector runs, and when. */
export interface IdleCollectorOptions {
  /** Quiet time after the last request before a full collection (1 s). */
  quietMs?: number
  /** The collection run once traffic pauses. */
  collect?: () => void
  /** Quiet time after the last request before compiled code is given back too (30 s). */
  deepQuietMs?: number
  /** Drops compiled code and returns freed pages; the next request compiles what it needs again. */
  shrink?: () => void
  /** Whether a request is still being answered (a long stream): the shrink waits for it. */
  busy?: () => boolean
}

/** Bun's "shrink when idle": JIT code deleted, a full collection, freed pages returned (absent in a runtime without it). */
function shrinkRuntime(): void {
  const bun = Bun as { shrink?: () => void }
  bun.shrink?.()
}

/**
 * Gives memory back when traffic stops: a local router idles most of the day (often on a small board),
 * so once requests pause for about `quietMs` a full collection runs, once per burst of traffic. Its timer
 * runs only from a burst's first request to that collection: an idle router is never woken by it.
 * After a longer pause (`deepQuietMs`) with nothing in flight, compiled code is dropped as well: about 10 MB
 * back for the price of compiling again on the next request (a few milliseconds once).
 */
export function startIdleCollector(options: IdleCollectorOptions = {}) {
  const quietMs = options.quietMs ?? 1000
  const collect = options.collect ?? (() => Bun.gc(true))
  const deepQuietMs = Math.max(options.deepQuietMs ?? 30_000, quietMs)
  const shrink = options.shrink ?? shrinkRuntime
  const busy = options.busy ?? (() => false)
  // `touch` only sets a flag (it sits on the request path); the timer turns flags into times.
  let active = false
  let lastActive = 0
  let timer: ReturnType<typeof setInterval> | undefined
  let deepTimer: ReturnType<typeof setTimeout> | undefined
  const armDeep = (delayMs: number) => {
    deepTimer = setTimeout(deep, delayMs)
    deepTimer.unref?.()
  }
  const deep = () => {
    deepTimer = undefined
    // A stream still being relayed is not a pause: look again a little later.
    if (busy()) return armDeep(quietMs)
    shrink()
  }
  const tick = () => {
    const now = Date.now()
    if (active) {
      active = false
      lastActive = now
    } else if (now - lastActive >= quietMs) {
      clearInterval(timer)
      timer = undefined
      collect()
      armDeep(Math.max(0, lastActive + deepQuietMs - now))
    }
  }
  return {
    /** Notes that a request is being served. */
    touch(): void {
      active = true
      if (deepTimer !== undefined) {
        clearTimeout(deepTimer)
        deepTimer = undefined
      }
      if (timer !== undefined) return
      timer = setInterval(tick, Math.max(50, quietMs / 4))
      timer.unref?.()
    },
    stop(): void {
      clearInterval(timer)
      clearTimeout(deepTimer)
      timer = undefined
      deepTimer = undefined
    },
    /** Whether its timer is running (from a burst's first request until its collection). */
    running: () => timer !== undefined,
    /** Whether the longer pause's shrink is still to come. */
    shrinkPending: () => deepTimer !== undefined,
  }
}
