/** Counts failed logins per client address and refuses more than `max` in `windowMs`. */
export function createLoginLimiter(max = 10, windowMs = 60_000) {
  const failures = new Map<string, { count: number; resetAt: number }>()
  return {
    /** Milliseconds until the address may try again, or 0 when it may try now. */
    blockedFor(address: string, now: number): number {
      const entry = failures.get(address)
      if (!entry || entry.resetAt <= now) return 0
      return entry.count >= max ? entry.resetAt - now : 0
    },
    fail(address: string, now: number): void {
      const entry = failures.get(address)
      if (!entry || entry.resetAt <= now) failures.set(address, { count: 1, resetAt: now + windowMs })
      else entry.count++
      if (failures.size > 10_000) failures.clear()
    },
    succeed(address: string): void {
      failures.delete(address)
    },
  }
}
