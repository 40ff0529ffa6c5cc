import type { AttemptRow, RequestRow } from '../../src/store/dashboard-queries'
import { Badge, formatDollars, formatTime } from '../components/ui'

/** Recent requests, each with its attempt trace folded under it. */
export function RequestTable({ rows, attempts, keyNames }: { rows: RequestRow[]; attempts: Map<string, AttemptRow[]>; keyNames: Map<number, string> }) {
  if (rows.length === 0) return <p class="muted">No requests recorded yet.</p>
  return (
    <div class="table-wrap">
      <table class="requests">
        <thead>
          <tr>
            <th>Time</th>
            <th>Model</th>
            <th>Status</th>
            <th class="num">Tokens in/out</th>
            <th class="num">Cost</th>
            <th class="num hide-narrow">Latency</th>
            <th class="hide-narrow">Key</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const trace = attempts.get(row.requestId) ?? []
            return (
              <tr>
                <td class="muted small-text" safe>
                  {formatTime(row.at)}
                </td>
                <td>
                  <details>
                    <summary>
                      <code safe>{row.model ?? row.requestedModel ?? '—'}</code>
                      {row.requestedModel && row.model && row.requestedModel !== row.model ? <span class="muted small-text" safe>{` (asked ${row.requestedModel})`}</span> : ''}
                    </summary>
                    <ol class="trace">
                      {trace.length === 0 ? <li>no upstream attempt</li> : ''}
                      {trace.map((attempt) => (
                        <li safe>{`${attempt.provider} · ${attempt.model} → ${attempt.status}${attempt.failureClass ? ` ${attempt.failureClass}` : ''}${attempt.reason ? `: ${attempt.reason}` : ''} (${attempt.latencyMs} ms)`}</li>
                      ))}
                    </ol>
                    {row.error ? (
                      <p class="error small-text" safe>
                        {row.error}
                      </p>
                    ) : (
                      ''
                    )}
                    <p class="muted small-text" safe>{`${row.inboundFormat}${row.stream ? ', streamed' : ''} · ${row.attempts} attempt(s) · id ${row.requestId}`}</p>
                  </details>
                </td>
                <td>{row.status < 400 ? <Badge tone="ok">{String(row.status)}</Badge> : <Badge tone="bad">{String(row.status)}</Badge>}</td>
                <td class="num" safe>{`${row.inputTokens ?? '–'} / ${row.outputTokens ?? '–'}`}</td>
                <td class="num" title={row.listCost === null ? 'no known price' : `list price ${formatDollars(row.listCost)}`} safe>
                  {row.actualCost === null ? '–' : formatDollars(row.actualCost)}
                </td>
                <td class="num hide-narrow" safe>
                  {row.latencyMs === null ? '–' : `${row.latencyMs} ms`}
                </td>
                <td class="hide-narrow muted" safe>
                  {row.apiKeyId === null ? '—' : (keyNames.get(row.apiKeyId) ?? `#${row.apiKeyId}`)}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
