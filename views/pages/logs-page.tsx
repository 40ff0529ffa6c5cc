import type { AttemptRow, RequestFilter, RequestRow } from '../../src/store/dashboard-queries'
import { RequestTable } from '../partials/request-table'

/** The request log: filters, the table with attempt traces, and export links. */
export function LogsPage(props: { rows: RequestRow[]; attempts: Map<string, AttemptRow[]>; keyNames: Map<number, string>; filter: RequestFilter; providers: string[]; models: string[]; bodiesLogged: boolean }) {
  const { filter } = props
  const query = new URLSearchParams(Object.entries({ model: filter.model ?? '', provider: filter.provider ?? '', outcome: filter.outcome ?? '' }).filter(([, value]) => value !== '')).toString()
  return (
    <>
      <h1 class="page-title">Logs</h1>
      <section class="card">
        <form class="filters" method="get" action="/dashboard/logs" hx-get="/dashboard/logs" hx-target="#main" hx-push-url="true" hx-trigger="submit, change">
          <div class="field">
            <label for="log-model">Model</label>
            <input id="log-model" name="model" value={filter.model} placeholder="contains…" list="log-models" />
            <datalist id="log-models">
              {props.models.map((model) => (
                <option value={model} />
              ))}
            </datalist>
          </div>
          <div class="field">
            <label for="log-provider">Provider</label>
            <select id="log-provider" name="provider">
              <option value="">any</option>
              {props.providers.map((provider) => (
                <option value={provider} selected={provider === filter.provider} safe>
                  {provider}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="log-outcome">Outcome</label>
            <select id="log-outcome" name="outcome">
              <option value="">any</option>
              <option value="ok" selected={filter.outcome === 'ok'}>
                succeeded
              </option>
              <option value="error" selected={filter.outcome === 'error'}>
                failed
              </option>
            </select>
          </div>
          <button type="submit" class="secondary">
            Filter
          </button>
        </form>
        <div class="button-row">
          <a class="button small secondary" href={`/dashboard/logs/export.json${query ? `?${query}` : ''}`} download="">
            Export JSON
          </a>
          <a class="button small secondary" href={`/dashboard/logs/export.csv${query ? `?${query}` : ''}`} download="">
            Export CSV
          </a>
          <span class="muted small-text" safe>{`${props.rows.length} most recent shown`}</span>
        </div>
        {props.bodiesLogged ? '' : <p class="muted small-text">Request and response bodies are not recorded; the log keeps models, status, tokens, timing and the attempt trace.</p>}
      </section>
      <section class="card">
        <RequestTable rows={props.rows} attempts={props.attempts} keyNames={props.keyNames} />
      </section>
    </>
  )
}
