import { BROKE_MID_ANSWER } from '../core/stream-resume'
import type { AttemptEvent, UsageEvent } from '../store/usage'

type Labels = Record<string, string>

interface HistogramSeries {
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
  modelmux_stream_breaks_total: ['counter', 'Streams whose upstream broke after part of the answer reached the client, by the connection that broke.'],
  modelmux_streams_carried_on_total: ['counter', 'Broken streams another upstream call finished whole, by the connection that finished them.'],
  ...Object.fromEntries(tokenCounters.map(([name, , text]) => [name, ['counter', text]])),
}

const escapeLabel = (value: string) => value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')

function renderLabels(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels)
  if (extra) pairs.push(extra)
  return pairs.length === 0 ? '' : `{${pairs.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(',')}}`
}

// Every series of one answering (provider, connection, model): an event finds its group once, then
// updates fields; the labels are built only when the metrics are rendered.
interface Group {
  provider: string
  connection: number | null
  model: string
  /** Requests by final status. */
  requests: Map<number, number>
  /** Attempts by status and failure class. */
  attempts: Map<string, { status: number; failureClass: string; value: number }>
  /** Counters by metric name (estimated requests and the token and cost counters). */
  counters: Map<string, number>
  histograms: Map<string, HistogramSeries>
}

function newHistogram(): HistogramSeries {
  return { counts: latencyBuckets.map(() => 0), sum: 0, count: 0 }
}

function observe(group: Group, name: string, seconds: number): void {
  let series = group.histograms.get(name)
  if (!series) group.histograms.set(name, (series = newHistogram()))
  for (let index = 0; index < latencyBuckets.length; index++) if (seconds <= latencyBuckets[index]) series.counts[index]++
  series.sum += seconds
  series.count++
}

/** What an attempt's metrics need: an attempt row, or a usage row that stands for its only attempt. */
type AttemptObserved = Pick<AttemptEvent, 'connectionId' | 'status' | 'failureClass' | 'latencyMs'> & { provider: string | null; model: string | null; reason?: string }

/** In-memory Prometheus counters and histograms fed by the usage recorder; they restart at zero with the process. */
export function createMetrics() {
  const groups = new Map<string, Group>()
  // Rows arrive in batches that mostly share one answering model: the last group is kept at hand.
  let last: Group | undefined
  const groupOf = (provider: string | null, connectionId: number | null, model: string | null): Group => {
    const p = provider ?? ''
    const m = model ?? ''
    if (last && last.provider === p && last.connection === connectionId && last.model === m) return last
    const key = `${p}\u0000${connectionId ?? ''}\u0000${m}`
    let group = groups.get(key)
    if (!group) groups.set(key, (group = { provider: p, connection: connectionId, model: m, requests: new Map(), attempts: new Map(), counters: new Map(), histograms: new Map() }))
    return (last = group)
  }
  const count = (group: Group, name: string, amount: number) => group.counters.set(name, (group.counters.get(name) ?? 0) + amount)

  return {
    /** Counts one finished client request; `carriedOn` when its stream broke and another call finished it. */
    observeRequest(event: UsageEvent, carriedOn = false): void {
      const group = groupOf(event.provider, event.connectionId, event.model)
      group.requests.set(event.status, (group.requests.get(event.status) ?? 0) + 1)
      if (carriedOn) count(group, 'modelmux_streams_carried_on_total', 1)
      if (event.estimated) count(group, 'modelmux_estimated_requests_total', 1)
      for (const [name, field] of tokenCounters) {
        const value = event[field]
        if (value) count(group, name, value)
      }
      observe(group, 'modelmux_request_duration_seconds', event.latencyMs / 1000)
      if (event.ttfbMs !== undefined) observe(group, 'modelmux_time_to_first_byte_seconds', event.ttfbMs / 1000)
    },
    /** Counts one upstream attempt. */
    observeAttempt(event: AttemptObserved): void {
      const group = groupOf(event.provider, event.connectionId, event.model)
      const failureClass = event.failureClass ?? ''
      const key = `${event.status}\u0000${failureClass}`
      const series = group.attempts.get(key)
      if (series) series.value++
      else group.attempts.set(key, { status: event.status, failureClass, value: 1 })
      if (event.reason?.startsWith(BROKE_MID_ANSWER)) count(group, 'modelmux_stream_breaks_total', 1)
      observe(group, 'modelmux_attempt_duration_seconds', event.latencyMs / 1000)
    },
    /** The Prometheus text exposition (format 0.0.4); `connectionName` turns connection ids into names. */
    render(connectionName: (id: number) => string | undefined = () => undefined, gauges: Record<string, [value: number, help: string]> = {}): string {
      const lines: string[] = []
      const labelled = [...groups.values()].map((group) => ({
        group,
        labels: {
          provider: group.provider,
          connection: group.connection === null ? '' : (connectionName(group.connection) ?? String(group.connection)),
          model: group.model,
        } as Labels,
      }))
      for (const name of Object.keys(help).sort()) {
        const [type, text] = help[name]
        lines.push(`# HELP ${name} ${text}`, `# TYPE ${name} ${type}`)
        for (const { group, labels } of labelled) {
          if (name === 'modelmux_requests_total') {
            for (const [status, value] of group.requests) lines.push(`${name}${renderLabels({ ...labels, status: String(status) })} ${value}`)
          } else if (name === 'modelmux_attempts_total') {
            for (const series of group.attempts.values()) {
              lines.push(`${name}${renderLabels({ ...labels, status: String(series.status), failure_class: series.failureClass })} ${series.value}`)
            }
          } else if (type === 'counter') {
            const value = group.counters.get(name)
            if (value !== undefined) lines.push(`${name}${renderLabels(labels)} ${value}`)
          } else {
            const series = group.histograms.get(name)
            if (!series) continue
            latencyBuckets.forEach((bound, index) => lines.push(`${name}_bucket${renderLabels(labels, ['le', String(bound)])} ${series.counts[index]}`))
            lines.push(`${name}_bucket${renderLabels(labels, ['le', '+Inf'])} ${series.count}`)
            lines.push(`${name}_sum${renderLabels(labels)} ${series.sum}`, `${name}_count${renderLabels(labels)} ${series.count}`)
          }
        }
      }
      for (const [name, [value, text]] of Object.entries(gauges)) lines.push(`# HELP ${name} ${text}`, `# TYPE ${name} gauge`, `${name} ${value}`)
      return `${lines.join('\n')}\n`
    },
  }
}

/** The metrics registry's interface. */
export type Metrics = ReturnType<typeof createMetrics>
