import type { CliToolStatus } from '../../src/services/cli-tools'
import { Badge, Card, FieldError, Notice } from '../components/ui'

/** The result of the last apply/reset on a tool card. */
export interface ToolNotice {
  tone: 'ok' | 'bad'
  text: string
}

/** One tool: whether it is installed and configured, and the form that writes or resets its config. */
export function ToolCard({ tool, choices, notice, error }: { tool: CliToolStatus; choices: string[]; notice?: ToolNotice; error?: string }) {
  const target = `#tool-${tool.id}`
  return (
    <div class="tile" id={`tool-${tool.id}`}>
      <h3>
        <span safe>{tool.name}</span>
        <span>
          {tool.installed ? <Badge tone="ok">installed</Badge> : <Badge tone="muted">not found</Badge>}{' '}
          {tool.configured ? <Badge tone="info">uses modelmux</Badge> : ''}
        </span>
      </h3>
      <p class="muted small-text" safe>
        {tool.files.join(', ')}
      </p>
      {tool.problem ? (
        <p class="error small-text" safe>
          {tool.problem}
        </p>
      ) : (
        ''
      )}
      <form hx-post={`/dashboard/cli-tools/${tool.id}/apply`} hx-target={target} hx-swap="outerHTML" method="post" action={`/dashboard/cli-tools/${tool.id}/apply`}>
        <div class="field">
          <label for={`tool-${tool.id}-model`}>Model</label>
          <input id={`tool-${tool.id}-model`} name="model" list="tool-models" placeholder="combo or prefix/model" aria-invalid={error ? 'true' : undefined} value={choices[0]} />
          <FieldError error={error} />
        </div>
        <div class="field">
          <label for={`tool-${tool.id}-key`}>Client key</label>
          <input id={`tool-${tool.id}-key`} name="apiKey" type="password" autocomplete="off" placeholder="leave empty to create a new key" />
        </div>
        <div class="button-row">
          <button type="submit" class="small" hx-confirm={`Write ${tool.name}'s config? A backup of the current file is made first.`}>
            Write config
          </button>
          {tool.configured ? (
            <button type="button" class="small danger" hx-post={`/dashboard/cli-tools/${tool.id}/reset`} hx-target={target} hx-swap="outerHTML" hx-confirm={`Remove modelmux from ${tool.name}'s config? A backup is made first.`}>
              Reset
            </button>
          ) : (
            ''
          )}
        </div>
      </form>
      {notice ? <Notice tone={notice.tone} text={notice.text} /> : ''}
    </div>
  )
}

const guides: [string, string[]][] = [
  ['Cursor', ['Settings → Models → OpenAI API key: paste a modelmux key.', 'Override OpenAI Base URL: the base URL above (Cursor calls it from its own servers, so it must be reachable from the internet).', 'Add the model names you want (a combo or prefix/model).']],
  ['Cline / Roo Code', ['API Provider: OpenAI Compatible.', 'Base URL: the base URL above; API key: a modelmux key.', 'Model ID: a combo or prefix/model.']],
  ['Continue', ['In config.yaml add a model with provider: openai, apiBase: the base URL above, apiKey: a modelmux key.', 'model: a combo or prefix/model.']],
]

/** The CLI Tools page: detected tools with write/reset, and guides for editors configured by hand. */
export function CliToolsPage({ tools, choices, baseUrl }: { tools: CliToolStatus[]; choices: string[]; baseUrl: string }) {
  return (
    <>
      <h1 class="page-title">CLI Tools</h1>
      <p class="muted">Writing a config keeps your other settings and saves a timestamped backup of the file next to it first.</p>
      <datalist id="tool-models">
        {choices.map((choice) => (
          <option value={choice}></option>
        ))}
      </datalist>
      <div class="grid">
        {tools.map((tool) => (
          <ToolCard tool={tool} choices={choices} />
        ))}
      </div>
      <Card title="Editors set up by hand">
        <p class="muted">
          Base URL: <code safe>{baseUrl}</code>
        </p>
        <div class="grid">
          {guides.map(([name, steps]) => (
            <div class="tile">
              <h3 safe>{name}</h3>
              <ol class="small-text">
                {steps.map((step) => (
                  <li safe>{step}</li>
                ))}
              </ol>
            </div>
          ))}
        </div>
      </Card>
    </>
  )
}
