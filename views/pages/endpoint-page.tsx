import { Badge, Card, CopyButton, Field, FieldError, Notice, formatTime, type Errors } from '../components/ui'

/** A client key as listed (never with its secret). */
export interface KeyRow {
  id: number
  name: string
  keyHint: string
  enabled: boolean
  createdAt: number
  lastUsedAt: number | null
  /** The limits that apply to it: its own entry of `settings.keyLimits` over the `*` entry. */
  limits?: KeyLimitValues
  /** Its own entry, which the limits form edits. */
  ownLimits?: KeyLimitValues
}

/** A client key's limits as `settings.keyLimits` holds them. */
export interface KeyLimitValues {
  requestsPerMinute?: number
  tokensPerDay?: number
  dollarsPerDay?: number
  dollarsPerMonth?: number
  models?: readonly string[]
}

/** The limits form of one key as posted, with its errors (shown open, on that key's row). */
export interface KeyLimitsDraft {
  id: number
  values: { requestsPerMinute: string; tokensPerDay: string; dollarsPerDay: string; dollarsPerMonth: string; models: string }
  errors: Errors
}

/** A key's limits in words: "60 requests/min · 2,000,000 tokens/day · $5/day · $50/month · models oa/*, fast". */
function limitsInWords(limits: KeyRow['limits']): string {
  const parts: string[] = []
  if (limits?.requestsPerMinute !== undefined) parts.push(`${limits.requestsPerMinute.toLocaleString('en-US')} requests/min`)
  if (limits?.tokensPerDay !== undefined) parts.push(`${limits.tokensPerDay.toLocaleString('en-US')} tokens/day`)
  if (limits?.dollarsPerDay !== undefined) parts.push(`$${limits.dollarsPerDay}/day`)
  if (limits?.dollarsPerMonth !== undefined) parts.push(`$${limits.dollarsPerMonth}/month`)
  if (limits?.models !== undefined) parts.push(`models ${limits.models.join(', ')}`)
  return parts.length > 0 ? parts.join(' · ') : 'none'
}

/** Props of the client keys section. */
export interface KeysProps {
  keys: KeyRow[]
  /** A key just created: shown once, here only. */
  created?: { name: string; key: string }
  errors?: Errors
  name?: string
  /** A limits form that was refused, to show again with its errors. */
  limitsDraft?: KeyLimitsDraft
  /** Said under the table after a change. */
  notice?: string
}

/** The limits cell: what applies, and a form for the key's own limits (open when a save was refused). */
function LimitsCell({ keyRow, draft }: { keyRow: KeyRow; draft?: KeyLimitsDraft }) {
  const own = keyRow.ownLimits ?? {}
  const values = draft?.values ?? {
    requestsPerMinute: own.requestsPerMinute === undefined ? '' : String(own.requestsPerMinute),
    tokensPerDay: own.tokensPerDay === undefined ? '' : String(own.tokensPerDay),
    dollarsPerDay: own.dollarsPerDay === undefined ? '' : String(own.dollarsPerDay),
    dollarsPerMonth: own.dollarsPerMonth === undefined ? '' : String(own.dollarsPerMonth),
    models: (own.models ?? []).join(', '),
  }
  const errors = draft?.errors ?? {}
  const id = (name: string) => `key-${keyRow.id}-${name}`
  // What a blank field leaves in force: the limit every key has (`*`).
  const inherited = (field: keyof KeyLimitValues) => {
    const value = own[field] === undefined ? keyRow.limits?.[field] : undefined
    return value === undefined ? undefined : `${Array.isArray(value) ? value.join(', ') : value} (every key's)`
  }
  return (
    <details open={draft ? true : undefined}>
      <summary safe>{limitsInWords(keyRow.limits)}</summary>
      <form class="limits-form" hx-post={`/dashboard/keys/${keyRow.id}/limits`} hx-target="#keys" hx-swap="outerHTML" method="post" action={`/dashboard/keys/${keyRow.id}/limits`}>
        <Field label="Requests per minute" name="requestsPerMinute" id={id('rpm')} value={values.requestsPerMinute} error={errors.requestsPerMinute} placeholder={inherited('requestsPerMinute')} inputmode="numeric" />
        <Field label="Tokens per day" name="tokensPerDay" id={id('tokens')} value={values.tokensPerDay} error={errors.tokensPerDay} placeholder={inherited('tokensPerDay')} inputmode="numeric" />
        <Field label="Dollars per day" name="dollarsPerDay" id={id('dollars')} value={values.dollarsPerDay} error={errors.dollarsPerDay} placeholder={inherited('dollarsPerDay')} inputmode="decimal" />
        <Field label="Dollars per month" name="dollarsPerMonth" id={id('dollars-month')} value={values.dollarsPerMonth} error={errors.dollarsPerMonth} placeholder={inherited('dollarsPerMonth')} inputmode="decimal" />
        <Field
          label="Models it may use"
          name="models"
          id={id('models')}
          value={values.models}
          error={errors.models}
          placeholder={inherited('models') ?? 'oa/*, fast'}
          hint="Names or patterns (* matches anything), comma-separated. Empty fields set no limit of the key's own."
        />
        <FieldError error={errors.form} />
        <button type="submit" class="small">
          Save limits
        </button>
      </form>
    </details>
  )
}

/** Client keys: create (the secret is shown once), enable/disable, revoke. */
export function KeysSection({ keys, created, errors = {}, name, limitsDraft, notice }: KeysProps) {
  return (
    <section class="card" id="keys">
      <div class="card-head">
        <h2>Client API keys</h2>
      </div>
      {created ? (
        <div class="created-key" role="status">
          <p>
            New key <strong safe>{created.name}</strong>. Copy it now: it is not shown again.
          </p>
          <div class="copy-row">
            <code class="secret" data-testid="new-key" safe>
              {created.key}
            </code>
            <CopyButton text={created.key} />
          </div>
        </div>
      ) : (
        ''
      )}
      <form class="row-form" hx-post="/dashboard/keys" hx-target="#keys" hx-swap="outerHTML" method="post" action="/dashboard/keys">
        <div class="field grow">
          <label for="key-name">New key name</label>
          <input id="key-name" name="name" placeholder="laptop" value={name} autocomplete="off" aria-invalid={errors.name ? 'true' : undefined} />
          <FieldError error={errors.name} />
        </div>
        <button type="submit">Create key</button>
      </form>
      {keys.length === 0 ? (
        <p class="muted">No keys yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th class="hide-narrow">Last used</th>
                <th>Limits</th>
                <th>State</th>
                <th class="actions-col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr>
                  <td safe>{key.name}</td>
                  <td>
                    <code safe>{key.keyHint}</code>
                  </td>
                  <td class="muted hide-narrow" safe>
                    {key.lastUsedAt ? formatTime(key.lastUsedAt) : 'never'}
                  </td>
                  <td class="limits">
                    <LimitsCell keyRow={key} draft={limitsDraft?.id === key.id ? limitsDraft : undefined} />
                  </td>
                  <td>{key.enabled ? <Badge tone="ok">enabled</Badge> : <Badge tone="muted">disabled</Badge>}</td>
                  <td class="actions">
                    <button
                      type="button"
                      class="small secondary"
                      hx-post={`/dashboard/keys/${key.id}/${key.enabled ? 'disable' : 'enable'}`}
                      hx-target="#keys"
                      hx-swap="outerHTML"
                    >
                      {key.enabled ? 'Disable' : 'Enable'}
                    </button>
                    <button
                      type="button"
                      class="small danger"
                      hx-post={`/dashboard/keys/${key.id}/delete`}
                      hx-target="#keys"
                      hx-swap="outerHTML"
                      hx-confirm={`Revoke the key "${key.name}"? Tools using it stop working.`}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Notice tone="ok" text={notice} />
    </section>
  )
}

/** The "require API key" switch; `locked` when the REQUIRE_API_KEY environment variable decides. */
export function RequireKeySection({ required, locked, notice }: { required: boolean; locked: boolean; notice?: string }) {
  return (
    <section class="card" id="require-key">
      <div class="card-head">
        <h2>Require an API key</h2>
        {required ? <Badge tone="ok">required</Badge> : <Badge tone="warn">optional</Badge>}
      </div>
      <p class="muted">
        {required
          ? 'Clients must send one of the keys below (Authorization: Bearer … or x-api-key).'
          : 'Any client that can reach this address may use it without a key.'}
      </p>
      {locked ? (
        <p class="muted">Set by the REQUIRE_API_KEY environment variable; change it there.</p>
      ) : (
        <button
          type="button"
          class={required ? 'secondary' : ''}
          hx-post={`/dashboard/require-key/${required ? 'off' : 'on'}`}
          hx-target="#require-key"
          hx-swap="outerHTML"
          hx-confirm={required ? 'Let clients use modelmux without a key?' : undefined}
        >
          {required ? 'Stop requiring a key' : 'Require a key'}
        </button>
      )}
      <Notice tone="ok" text={notice} />
    </section>
  )
}

/** Ready-to-paste configuration per tool. */
function snippets(origin: string, model: string): [string, string, string][] {
  const base = `${origin}/v1`
  return [
    ['curl', 'curl', `curl ${base}/chat/completions \\\n  -H "Authorization: Bearer $MODELMUX_KEY" \\\n  -H "content-type: application/json" \\\n  -d '{"model": "${model}", "messages": [{"role": "user", "content": "Hello"}]}'`],
    ['claude', 'Claude Code', `export ANTHROPIC_BASE_URL=${origin}\nexport ANTHROPIC_AUTH_TOKEN=$MODELMUX_KEY\nexport ANTHROPIC_MODEL=${model}\n# /model then lists modelmux's claude… models too\nexport CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1\nclaude`],
    ['gemini', 'Gemini CLI', `export GOOGLE_GEMINI_BASE_URL=${origin}\nexport GEMINI_API_KEY=$MODELMUX_KEY\ngemini -m ${model}`],
    ['codex', 'Codex CLI', `# ~/.codex/config.toml\nmodel = "${model}"\nmodel_provider = "modelmux"\n\n[model_providers.modelmux]\nname = "modelmux"\nbase_url = "${base}"\nwire_api = "responses"\nenv_key = "MODELMUX_KEY"`],
    ['openai', 'OpenAI SDK', `from openai import OpenAI\nclient = OpenAI(base_url="${base}", api_key=os.environ["MODELMUX_KEY"])\nclient.chat.completions.create(model="${model}", messages=[{"role": "user", "content": "Hello"}])`],
    ['aider', 'Aider', `aider --openai-api-base ${base} --openai-api-key $MODELMUX_KEY --model openai/${model}`],
    ['ide', 'Cursor / Cline / Continue', `Provider: OpenAI-compatible\nBase URL: ${base}\nAPI key:  your modelmux key\nModel:    ${model}`],
    ['copilot', 'VS Code Copilot Chat', `// settings.json: modelmux answers as an Ollama server\n"github.copilot.chat.byok.ollamaEndpoint": "${origin}"\n// then Chat: Manage Language Models → Ollama, and pick models`],
  ]
}

/** A connection as the Endpoint page summarises it. */
export interface ConnectionSummary {
  name: string
  provider: string
  prefix: string
  enabled: boolean
  healthy: boolean
}

/** The Endpoint page: where to point tools, client keys, the connections behind it, and snippets. */
export function EndpointPage(props: { origin: string; keys: KeysProps; required: boolean; requiredLocked: boolean; exampleModel: string; connections: ConnectionSummary[] }) {
  const list = snippets(props.origin, props.exampleModel)
  return (
    <>
      <h1 class="page-title">Endpoint</h1>
      <Card title="Base URL">
        <p class="muted">Point OpenAI-, Anthropic-, Gemini- or Ollama-style clients at:</p>
        <div class="copy-row">
          <code class="url" safe>
            {`${props.origin}/v1`}
          </code>
          <CopyButton text={`${props.origin}/v1`} />
        </div>
        <div class="copy-row">
          <code class="url" safe>
            {props.origin}
          </code>
          <CopyButton text={props.origin} label="Copy origin" />
          <span class="muted small-text">(Claude Code and Gemini clients add the path themselves)</span>
        </div>
      </Card>
      <RequireKeySection required={props.required} locked={props.requiredLocked} />
      <KeysSection {...props.keys} />
      <Card title="Connections" actions={<a href="/dashboard/providers">Manage providers</a>}>
        {props.connections.length === 0 ? (
          <p class="muted">No connections yet: add one on the Providers page.</p>
        ) : (
          <ul class="plain-list">
            {props.connections.map((connection) => (
              <li>
                <strong safe>{connection.name}</strong> <span class="muted" safe>{`${connection.provider} · `}</span>
                <code safe>{`${connection.prefix}/…`}</code>{' '}
                {!connection.enabled ? <Badge tone="muted">disabled</Badge> : connection.healthy ? <Badge tone="ok">healthy</Badge> : <Badge tone="warn">not healthy</Badge>}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <section class="card" x-data={`{ tool: ${JSON.stringify(list[0][0])} }`}>
        <div class="card-head">
          <h2>Snippets</h2>
        </div>
        <div class="tabs" role="tablist">
          {list.map(([id, label]) => (
            <button type="button" role="tab" class="tab" x-on:click={`tool = ${JSON.stringify(id)}`} x-bind:aria-selected={`tool === ${JSON.stringify(id)}`} safe>
              {label}
            </button>
          ))}
        </div>
        {list.map(([id, , text], index) => (
          <div class="snippet" x-show={`tool === ${JSON.stringify(id)}`} style={index === 0 ? undefined : 'display: none'}>
            <pre safe>{text}</pre>
            <CopyButton text={text} />
          </div>
        ))}
      </section>
    </>
  )
}
