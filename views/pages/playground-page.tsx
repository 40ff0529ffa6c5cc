import type { PlaygroundInput, PlaygroundResult, PlaygroundTurn } from '../../src/services/playground'
import { DEFAULT_PLAYGROUND_MAX_TOKENS, playgroundFormats } from '../../src/services/playground'
import { Badge, Field, FieldError, formatCount, formatDollars, type Errors } from '../components/ui'
import { RequestTable } from '../partials/request-table'

/**
 * The playground form: model, client format, prompt. It posts as a plain form (the page comes back with the
 * answer); the page's script posts it to `/live` instead and shows the answer as it streams (`data-live`).
 */
export function PlaygroundForm({ choices, values, errors = {} }: { choices: string[]; values?: Partial<PlaygroundInput>; errors?: Errors }) {
  const format = values?.format ?? 'openai-chat'
  return (
    <form id="playground-form" method="post" action="/dashboard/playground" data-live="playground-result">
      <div class="form-grid">
        <div class="field">
          <label for="playground-model">Model</label>
          <input id="playground-model" name="model" list="playground-models" value={values?.model} placeholder="prefix/model, a combo or an alias" autocomplete="off" aria-invalid={errors.model ? 'true' : undefined} />
          <datalist id="playground-models">
            {choices.map((choice) => (
              <option value={choice}></option>
            ))}
          </datalist>
          <FieldError error={errors.model} />
        </div>
        <div class="field">
          <label for="playground-format">Send it as</label>
          <select id="playground-format" name="format" aria-invalid={errors.format ? 'true' : undefined}>
            {playgroundFormats.map(([id, label]) => (
              <option value={id} selected={id === format} safe>
                {label}
              </option>
            ))}
          </select>
          <FieldError error={errors.format} />
        </div>
        <Field label="Output token cap" name="maxTokens" id="playground-max-tokens" inputmode="numeric" value={values?.maxTokens ?? DEFAULT_PLAYGROUND_MAX_TOKENS} error={errors.maxTokens} />
      </div>
      <div class="field">
        <label for="playground-system">System prompt (optional)</label>
        <textarea id="playground-system" name="system" rows="2" safe>
          {values?.system ?? ''}
        </textarea>
        <FieldError error={errors.system} />
      </div>
      <Conversation turns={values?.history ?? []} />
      <FieldError error={errors.history} />
      {/* The conversation rides along in the form. "<" and "&" go as JSON escapes: the attribute escapes only quotes, and a browser would read "&quot;" in it as a quote. */}
      <input type="hidden" name="history" value={JSON.stringify(values?.history ?? []).replace(/</g, '\\u003c').replace(/&/g, '\\u0026')} />
      <div class="field">
        <label for="playground-prompt">{(values?.history?.length ?? 0) > 0 ? 'Next message' : 'Prompt'}</label>
        <textarea id="playground-prompt" name="prompt" rows="4" aria-invalid={errors.prompt ? 'true' : undefined} safe>
          {values?.prompt ?? ''}
        </textarea>
        <FieldError error={errors.prompt} />
      </div>
      <label class="check">
        <input type="checkbox" name="stream" checked={values?.stream ?? true} /> Stream, as coding tools do
      </label>
      <div class="button-row">
        <button type="submit">Send</button>
      </div>
    </form>
  )
}

/** The conversation so far, oldest first, with a way to start over. */
function Conversation({ turns }: { turns: PlaygroundTurn[] }) {
  if (turns.length === 0) return ''
  return (
    <div class="conversation" aria-label="Conversation so far">
      {turns.map((turn) => (
        <div class={`turn turn-${turn.role}`}>
          <span class="muted small-text">{turn.role === 'user' ? 'You' : 'Model'}</span>
          <pre class="answer" safe>
            {turn.text}
          </pre>
        </div>
      ))}
      <a class="small-text" href="/dashboard/playground">
        Start a new conversation
      </a>
    </div>
  )
}

const finishWords: Record<string, string> = {
  stop: 'finished',
  length: 'stopped at the token cap',
  'tool-calls': 'asked to call a tool',
  'content-filter': 'stopped by a content filter',
  error: 'ended with an error',
  other: 'ended',
}

/** What came back: the answer as the client read it, then how the router got it (model, attempts, timing, tokens, cost). */
export function PlaygroundAnswer({ result, keyNames }: { result: PlaygroundResult; keyNames: Map<number, string> }) {
  const { row, timing, usage } = result
  const facts = [
    result.servedBy ? `answered by ${result.servedBy}` : '',
    result.scenario ? `routed by the ${result.scenario} scenario` : '',
    `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`,
    `headers after ${timing.headersMs} ms`,
    timing.firstOutputMs !== undefined ? `first output after ${timing.firstOutputMs} ms` : '',
    `done after ${timing.totalMs} ms`,
    usage ? `${formatCount(usage.inputTokens ?? 0)} in / ${formatCount(usage.outputTokens ?? 0)} out tokens` : '',
    row?.actualCost != null ? `cost ${formatDollars(row.actualCost)}${row.listCost != null && row.listCost !== row.actualCost ? ` (list ${formatDollars(row.listCost)})` : ''}` : '',
  ].filter(Boolean)
  return (
    <section class="card" id="playground-answer" aria-live="polite">
      <div class="card-head">
        <h2>Answer</h2>
        <span>
          {result.status < 400 ? <Badge tone="ok">{String(result.status)}</Badge> : <Badge tone="bad">{String(result.status)}</Badge>}{' '}
          {result.finishReason ? <span class="muted small-text" safe>{finishWords[result.finishReason] ?? result.finishReason}</span> : ''}
        </span>
      </div>
      {result.error ? (
        <p class="notice notice-bad" role="alert" safe>
          {result.error}
        </p>
      ) : (
        ''
      )}
      {result.reasoning ? (
        <details>
          <summary class="muted small-text">Reasoning</summary>
          <pre class="answer" safe>
            {result.reasoning}
          </pre>
        </details>
      ) : (
        ''
      )}
      {result.text ? (
        <pre class="answer" safe>
          {result.text}
        </pre>
      ) : (
        ''
      )}
      {result.toolCalls.length > 0 ? <p class="muted small-text" safe>{`tool calls: ${result.toolCalls.join(', ')}`}</p> : ''}
      <p class="muted small-text" safe>
        {facts.join(' · ')}
      </p>
      {row ? <RequestTable rows={[row]} attempts={new Map([[result.requestId, result.trace]])} keyNames={keyNames} /> : ''}
    </section>
  )
}

/** The Playground page: try any model name through the real router, as any client format sends it. */
export function PlaygroundPage(props: { choices: string[]; values?: Partial<PlaygroundInput>; errors?: Errors; result?: JSX.Element }) {
  return (
    <>
      <h1 class="page-title">Playground</h1>
      <section class="card">
        <p class="muted small-text">
          Sends a prompt through modelmux exactly as a client would: aliases, combos, account order, budgets, cooldowns and fall-over all apply, and
          it is recorded and billed like any request. Pick the format a tool speaks to see what that tool would get. Answers build a conversation;
          each new message is sent with it.
        </p>
        <PlaygroundForm choices={props.choices} values={props.values} errors={props.errors} />
      </section>
      <div id="playground-result">{props.result ?? ''}</div>
    </>
  )
}
