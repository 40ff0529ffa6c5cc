import type { AttemptEvent, UsageEvent } from '../store/usage'

type Labels = Record<string, string>

interface Series {
  labels: Labels
  value: number
}

interface HistogramSeries {
  labels: Labels
  counts: number[]
  sum: number
  count: number
}

/** Histogram upper bounds in seconds: from a fast cached answer to a long agentic generation. */
export const latencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] as const

// Separate metric names, not a `type` label: cache tokens are part of input and reasoning part of
// output, so summing across such a label would count them twice.
const tokenCounters = [
  ['modelmux_input_tokens_total', 'inputTokens', 'Prompt tokens, including cache reads and writes.'],
  ['modelmux_output_tokens_total', 'outputTokens', 'Generated tokens, including reasoning.'],
  ['modelmux_cache_read_tokens_total', 'cacheReadTokens', 'Prompt tokens served from the provider cache (part of input).'],
  ['modelmux_cache_write_tokens_total', 'cacheWriteTokens', 'Prompt tokens written to the provider cache (part of input).'],
  ['modelmux_reasoning_tokens_total', 'reasoningTokens', 'Reasoning tokens (part of output).'],
  ['modelmux_list_cost_dollars_total', 'listCost', 'What the requests would cost at list price, in US dollars.'],
  ['modelmux_actual_cost_dollars_total', 'actualCost', 'What the requests cost (0 on subscription and free tiers), in US dollars.'],
] as const

const help: Record<string, [type: 'counter' | 'histogram', text: string]> = {
  modelmux_requests_total: ['counter', 'Client requests by final status and the provider, connection and model that answered.'],
  modelmux_estimated_requests_total: ['counter', 'Requests whose token counts were estimated locally (the upstream reported none).'],
  modelmux_attempts_total: ['counter', 'Upstream attempts by status and failure class.'],
  modelmux_request_duration_seconds: ['histogram', 'Client request latency, from arrival to the end of the answer.'],
  modelmux_time_to_first_byte_seconds: ['histogram', 'Time from arrival to the first byte of the answer.'],
  modelmux_attempt_duration_seconds: ['histogram', 'Latency of one upstream attempt.'],
  ...Object.fromEntries(tokenCounters.map(([name, , text]) => [name, ['counter', text]])),
}

const escapeLabel = (value: string) => value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')

function renderLabels(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels)
  if (extra) pairs.push(extra)
  return pairs.length === 0 ? '' : `{${pairs.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(',')}}`
}

/** In-memory Prometheus counters and histograms fed by the usage recorder; they restart at zero with the process. */
export function createMetrics() {
  const counters = new Map<string, Map<string, Series>>()
  const histograms = new Map<string, Map<string, HistogramSeries>>()
  // Series are keyed by their label values; the label object is built only when a series is new.
  const add = (name: string, key: string, labels: () => Labels, amount: number) => {
    let family = counters.get(name)
    if (!family) counters.set(name, (family = new Map()))
    const series = family.get(key)
    if (series) series.value += amount
    else family.set(key, { labels: labels(), value: amount })
  }
  const observe = (name: string, key: string, labels: () => Labels, seconds: number) => {
    let family = histograms.get(name)
    if (!family) histograms.set(name, (family = new Map()))
    let series = family.get(key)
    if (!series) family.set(key, (series = { labels: labels(), counts: latencyBuckets.map(() => 0), sum: 0, count: 0 }))
    for (let index = 0; index < latencyBuckets.length; index++) if (seconds <= latencyBuckets[index]) series.counts[index]++
    series.sum += seconds
    series.count++
  }
  const where = (provider: string | null, connectionId: number | null, model: string | null) => ({
    provider: provider ?? '',
    connection: connectionId === null ? '' : String(connectionId),
    model: model ?? '',
  })
  const keyOf = (provider: string | null, connectionId: number | null, model: string | null) => `${provider ?? ''}\u0000${connectionId ?? ''}\u0000${model ?? ''}`

  return {
    /** Counts one finished client request. */
    observeRequest(event: UsageEvent): void {
      const key = keyOf(event.provider, event.connectionId, event.model)
      const labels = () => where(event.provider, event.connectionId, event.model)
      add('modelmux_requests_total', `${key}\u0000${event.status}`, () => ({ ...labels(), status: String(event.status) }), 1)
      if (event.estimated) add('modelmux_estimated_requests_total', key, labels, 1)
      for (const [name, field] of tokenCounters) {
        const value = event[field]
        if (value) add(name, key, labels, value)
      }
      observe('modelmux_request_duration_seconds', key, labels, event.latencyMs / 1000)
      if (event.ttfbMs !== undefined) observe('modelmux_time_to_first_byte_seconds', key, labels, event.ttfbMs / 1000)
    },
    /** Counts one upstream attempt. */
    observeAttempt(event: AttemptEvent): void {
      const key = keyOf(event.provider, event.connectionId, event.model)
      const labels = () => where(event.provider, event.connectionId, event.model)
      const failureClass = event.failureClass ?? ''
      add('modelmux_attempts_total', `${key}\u0000${event.status}\u0000${failureClass}`, () => ({ ...labels(), status: String(event.status), failure_class: failureClass }), 1)
      observe('modelmux_attempt_duration_seconds', key, labels, event.latencyMs / 1000)
    },
    /** The Prometheus text exposition (format 0.0.4); `connectionName` turns connection ids into names. */
    render(connectionName: (id: number) => string | undefined = () => undefined, gauges: Record<string, [value: number, help: string]> = {}): string {
      const lines: string[] = []
      const named = (labels: Labels): Labels =>
        labels.connection === '' ? labels : { ...labels, connection: connectionName(Number(labels.connection)) ?? labels.connection }
      for (const name of Object.keys(help).sort()) {
        const [type, text] = help[name]
        lines.push(`# HELP ${name} ${text}`, `# TYPE ${name} ${type}`)
        if (type === 'counter') {
          for (const series of counters.get(name)?.values() ?? []) lines.push(`${name}${renderLabels(named(series.labels))} ${series.value}`)
          continue
        }
        for (const series of histograms.get(name)?.values() ?? []) {
          const labels = named(series.labels)
          latencyBuckets.forEach((bound, index) => lines.push(`${name}_bucket${renderLabels(labels, ['le', String(bound)])} ${series.counts[index]}`))
          lines.push(`${name}_bucket${renderLabels(labels, ['le', '+Inf'])} ${series.count}`)
          lines.push(`${name}_sum${renderLabels(labels)} ${series.sum}`, `${name}_count${renderLabels(labels)} ${series.count}`)
        }
      }
      for (const [name, [value, text]] of Object.entries(gauges)) lines.push(`# HELP ${name} ${text}`, `# TYPE ${name} gauge`, `${name} ${value}`)
      return `${lines.join('\n')}\n`
    },
  }
}

/** The metrics registry's interface. */
export type Metrics = ReturnType<typeof createMetrics>
