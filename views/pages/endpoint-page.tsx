import { Badge, Card, CopyButton, FieldError, Notice, formatTime, type Errors } from '../components/ui'

/** A client key as listed (never with its secret). */
export interface KeyRow {
  id: number
  name: string
  keyHint: string
  enabled: boolean
  createdAt: number
  lastUsedAt: number | null
  /** Its limits (`settings.keyLimits`), when it has any. */
  limits?: { requestsPerMinute?: number; tokensPerDay?: number; models?: readonly string[] }
}

/** A key's limits in words: "60 requests/min · 2,000,000 tokens/day · models oa/*, fast". */
function limitsInWords(limits: KeyRow['limits']): string {
  const parts: string[] = []
  if (limits?.requestsPerMinute !== undefined) parts.push(`${limits.requestsPerMinute.toLocaleString('en-US')} requests/min`)
  if (limits?.tokensPerDay !== undefined) parts.push(`${limits.tokensPerDay.toLocaleString('en-US')} tokens/day`)
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
}

/** Client keys: create (the secret is shown once), enable/disable, revoke. */
export function KeysSection({ keys, created, errors = {}, name }: KeysProps) {
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
                <th class="hide-narrow">Limits</th>
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
                  <td class="muted hide-narrow" safe>
                    {limitsInWords(key.limits)}
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
    ['claude', 'Claude Code', `export ANTHROPIC_BASE_URL=${origin}\nexport ANTHROPIC_AUTH_TOKEN=$MODELMUX_KEY\nexport ANTHROPIC_MODEL=${model}\nclaude`],
    ['codex', 'Codex CLI', `# ~/.codex/config.toml\nmodel = "${model}"\nmodel_provider = "modelmux"\n\n[model_providers.modelmux]\nname = "modelmux"\nbase_url = "${base}"\nwire_api = "responses"\nenv_key = "MODELMUX_KEY"`],
    ['openai', 'OpenAI SDK', `from openai import OpenAI\nclient = OpenAI(base_url="${base}", api_key=os.environ["MODELMUX_KEY"])\nclient.chat.completions.create(model="${model}", messages=[{"role": "user", "content": "Hello"}])`],
    ['ide', 'Cursor / Cline / Continue', `Provider: OpenAI-compatible\nBase URL: ${base}\nAPI key:  your modelmux key\nModel:    ${model}`],
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
