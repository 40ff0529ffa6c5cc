/** Summary statistics over millisecond samples. */

/** Percentiles and mean of a sample set, in the samples' unit. */
export interface Summary {
  count: number
  p50: number
  p90: number
  p99: number
  mean: number
  min: number
  max: number
}

/** The nearest-rank percentile of ascending-sorted values (`p` in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length) - 1
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]
}

/** Summarises samples (they need not be sorted). */
export function summarize(values: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(values).sort()
  let sum = 0
  for (const value of sorted) sum += value
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : NaN,
    min: sorted.length ? sorted[0] : NaN,
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  }
}

/** The median of a few values. */
export function median(values: number[]): number {
  return percentile(Float64Array.from(values).sort(), 50)
}
