import type { RouteExplanation } from '../../src/services/route-explain'
import { describeScenario, type ScenarioRule } from '../../src/services/scenarios'
import { scenarioKinds } from '../../src/services/management'
import { Badge, Card, Field, FieldError, Notice, formatTime, type Errors } from '../components/ui'

/** A combo as listed. */
export interface ComboView {
  id: number
  name: string
  models: string[]
  strategy?: 'order' | 'round-robin'
}

/** The combo editor: name and an ordered model list (drag, or ↑/↓ on touch and keyboard). */
export function ComboForm({ combo, choices, errors = {}, notice }: { combo?: Partial<ComboView>; choices: string[]; errors?: Errors; notice?: string }) {
  const editing = combo?.id !== undefined
  const action = editing ? `/dashboard/combos/${combo!.id}` : '/dashboard/combos'
  return (
    <section class="card" id="combo-form">
      <h2>{editing ? 'Edit combo' : 'New combo'}</h2>
      <Notice tone="ok" text={notice} />
      <form hx-post={action} hx-target="#combo-form" hx-swap="outerHTML" method="post" action={action} x-data={`comboEditor(${JSON.stringify(combo?.models ?? [])})`}>
        <FieldError error={errors.form} />
        <Field label="Name" name="name" id="combo-name" value={combo?.name} error={errors.name} placeholder="my-coding-stack" />
        <label>Models, tried in order</label>
        <ol class="sortable" id="combo-models" aria-label="Models in order">
          <template x-for="(model, index) in models" x-bind:key="model">
            <li draggable="true" x-on:dragstart="dragStart(index, $event)" {...{ 'x-on:dragover.prevent': '', 'x-on:drop.prevent': 'drop(index)' }} x-bind:data-model="model">
              <span class="handle" aria-hidden="true">⋮⋮</span>
              <span class="name" x-text="model"></span>
              <input type="hidden" name="models" x-bind:value="model" />
              <button type="button" class="small secondary" x-on:click="move(index, index - 1)" x-bind:disabled="index === 0" aria-label="Move up">
                ↑
              </button>
              <button type="button" class="small secondary" x-on:click="move(index, index + 1)" x-bind:disabled="index === models.length - 1" aria-label="Move down">
                ↓
              </button>
              <button type="button" class="small danger" x-on:click="remove(index)" aria-label="Remove">
                ✕
              </button>
            </li>
          </template>
        </ol>
        <p class="muted small-text" x-show="models.length === 0">
          No models yet: add them below.
        </p>
        <FieldError error={errors.models} />
        <div class="field">
          <label for="combo-strategy">Which model first</label>
          <select id="combo-strategy" name="strategy">
            <option value="order" selected={combo?.strategy !== 'round-robin'}>
              always the first; the others when it fails
            </option>
            <option value="round-robin" selected={combo?.strategy === 'round-robin'}>
              each new conversation the next one (spreads load; a conversation keeps its model)
            </option>
          </select>
          <FieldError error={errors.strategy} />
        </div>
        <div class="row-form">
          <div class="field grow">
            <label for="combo-add">Add a model</label>
            <input id="combo-add" list="model-choices" x-model="choice" {...{ 'x-on:keydown.enter.prevent': 'add()' }} placeholder="prefix/model, a combo or an alias" />
          </div>
          <button type="button" class="secondary" x-on:click="add()">
            Add
          </button>
        </div>
        <datalist id="model-choices">
          {choices.map((choice) => (
            <option value={choice}></option>
          ))}
        </datalist>
        <div class="button-row">
          <button type="submit">{editing ? 'Save combo' : 'Create combo'}</button>
          {editing ? (
            <button type="button" class="secondary" hx-get="/dashboard/combos/new" hx-target="#combo-form" hx-swap="outerHTML">
              Cancel
            </button>
          ) : (
            ''
          )}
        </div>
      </form>
    </section>
  )
}

/** The combos with their model order. */
export function ComboList({ combos, oob }: { combos: ComboView[]; oob?: boolean }) {
  return (
    <section class="card" id="combos" hx-swap-oob={oob ? 'true' : undefined}>
      <div class="card-head">
        <h2>Combos</h2>
      </div>
      {combos.length === 0 ? <p class="muted">No combos yet. A combo is a model name that tries several models in turn.</p> : ''}
      {combos.map((combo) => (
        <div class="connection" data-combo={combo.name}>
          <div class="connection-head">
            <h3>
              <code safe>{combo.name}</code>
            </h3>
            <div class="actions">
              <button type="button" class="small secondary" hx-get={`/dashboard/combos/${combo.id}/edit`} hx-target="#combo-form" hx-swap="outerHTML show:top">
                Edit
              </button>
              <button type="button" class="small danger" hx-post={`/dashboard/combos/${combo.id}/delete`} hx-target="#combos" hx-swap="outerHTML" hx-confirm={`Delete the combo "${combo.name}"?`}>
                Delete
              </button>
            </div>
          </div>
          <p class="connection-meta combo-order" safe>
            {combo.models.join(' → ')}
          </p>
          {combo.strategy === 'round-robin' ? <p class="muted small-text">round-robin: each new conversation starts at the next model</p> : ''}
        </div>
      ))}
    </section>
  )
}

/** Aliases: short names for a model, combo or another alias. */
export function AliasSection({ aliases, errors = {}, values = {} }: { aliases: Record<string, string>; errors?: Errors; values?: Record<string, string> }) {
  return (
    <section class="card" id="aliases">
      <h2>Aliases</h2>
      <form class="row-form" hx-post="/dashboard/aliases" hx-target="#aliases" hx-swap="outerHTML" method="post" action="/dashboard/aliases">
        <div class="grow">
          <Field label="Alias" name="name" id="alias-name" value={values.name} error={errors.name} placeholder="fast" />
        </div>
        <div class="grow">
          <Field label="Points at" name="target" id="alias-target" value={values.target} error={errors.target} placeholder="vllm/qwen3-coder" />
        </div>
        <button type="submit">Save alias</button>
      </form>
      {Object.keys(aliases).length === 0 ? (
        <p class="muted">No aliases.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <tbody>
              {Object.entries(aliases).map(([name, target]) => (
                <tr>
                  <td>
                    <code safe>{name}</code>
                  </td>
                  <td>
                    → <code safe>{target}</code>
                  </td>
                  <td class="actions">
                    <button type="button" class="small danger" hx-post={`/dashboard/aliases/${encodeURIComponent(name)}/delete`} hx-target="#aliases" hx-swap="outerHTML" hx-confirm={`Delete the alias "${name}"?`}>
                      Delete
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

/** Move up, move down and delete for one rule of an ordered list (`/dashboard/<list>/<index>/<action>`, swapping `#<list>`). */
function RuleActions({ list, index, count, confirm }: { list: 'mapping' | 'scenarios'; index: number; count: number; confirm?: string }) {
  const action = (name: string) => ({ 'hx-post': `/dashboard/${list}/${index}/${name}`, 'hx-target': `#${list}`, 'hx-swap': 'outerHTML' })
  return (
    <td class="actions">
      <button type="button" class="small secondary" {...action('up')} disabled={index === 0} aria-label="Move up">
        ↑
      </button>
      <button type="button" class="small secondary" {...action('down')} disabled={index === count - 1} aria-label="Move down">
        ↓
      </button>
      <button type="button" class="small danger" {...action('delete')} hx-confirm={confirm}>
        Delete
      </button>
    </td>
  )
}

/** Model mapping: names coding tools send on their own (`claude-*`) → a model, combo or alias; first match wins. */
export function MappingSection({ rules, errors = {}, values = {} }: { rules: { match: string; target: string }[]; errors?: Errors; values?: Record<string, string> }) {
  return (
    <section class="card" id="mapping">
      <h2>Model mapping</h2>
      <p class="muted">For model names tools send by themselves. Checked in order after aliases, combos and prefixes; * matches anything.</p>
      <form class="row-form" hx-post="/dashboard/mapping" hx-target="#mapping" hx-swap="outerHTML" method="post" action="/dashboard/mapping">
        <div class="grow">
          <Field label="Pattern" name="match" id="mapping-match" value={values.match} error={errors.match} placeholder="claude-haiku-*" />
        </div>
        <div class="grow">
          <Field label="Target" name="target" id="mapping-target" value={values.target} error={errors.target} placeholder="cheap" />
        </div>
        <button type="submit">Add rule</button>
      </form>
      <FieldError error={errors.form} />
      {rules.length === 0 ? (
        <p class="muted">No rules.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <tbody>
              {rules.map((rule, index) => (
                <tr>
                  <td>
                    <code safe>{rule.match}</code>
                  </td>
                  <td>
                    → <code safe>{rule.target}</code>
                  </td>
                  <RuleActions list="mapping" index={index} count={rules.length} confirm={`Delete the rule "${rule.match}"?`} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

/** A scenario rule as listed and edited. */
export interface ScenarioView {
  when: string
  model: string
  match?: string
  minTokens?: number
}

// The form's choices, in the order it lists them, named as the rule list names them.
const scenarioChoices = scenarioKinds.map((when) => [when, describeScenario({ when }).replace(/ \(.*\)$/, '')] as const)

/** Scenario rules: requests with a trait (web search, long prompt, images, thinking) → a model, combo or alias; first match wins. */
export function ScenarioSection({ rules, errors = {}, values = {} }: { rules: ScenarioView[]; errors?: Errors; values?: Record<string, string> }) {
  return (
    <section class="card" id="scenarios">
      <h2>Scenarios</h2>
      <p class="muted">Checked first, in order: a request with the trait goes to the target instead of the model it named. Long prompts are estimated (characters / 4).</p>
      <form class="row-form" hx-post="/dashboard/scenarios" hx-target="#scenarios" hx-swap="outerHTML" method="post" action="/dashboard/scenarios">
        <div class="field grow">
          <label for="scenario-when">When the request</label>
          <select id="scenario-when" name="when" aria-invalid={errors.when ? 'true' : undefined}>
            {scenarioChoices.map(([id, label]) => (
              <option value={id} selected={values.when === id} safe>
                {label}
              </option>
            ))}
          </select>
          <FieldError error={errors.when} />
        </div>
        <div class="grow">
          <Field label="Send it to" name="model" id="scenario-model" value={values.model} error={errors.model} placeholder="gc/gemini-2.5-pro" />
        </div>
        <div class="grow">
          <Field label="Only for names (optional)" name="match" id="scenario-match" value={values.match} error={errors.match} placeholder="claude-*" />
        </div>
        <div class="grow">
          <Field label="From tokens (long prompts)" name="minTokens" id="scenario-min-tokens" inputmode="numeric" value={values.minTokens} error={errors.minTokens} placeholder="60000" />
        </div>
        <button type="submit">Add rule</button>
      </form>
      <FieldError error={errors.form} />
      {rules.length === 0 ? (
        <p class="muted">No rules: every request goes to the model it names.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <tbody>
              {rules.map((rule, index) => (
                <tr data-scenario={rule.when}>
                  <td safe>{`${describeScenario(rule as ScenarioRule)}${rule.match ? `, for ${rule.match}` : ''}`}</td>
                  <td>
                    → <code safe>{rule.model}</code>
                  </td>
                  <RuleActions list="scenarios" index={index} count={rules.length} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

/** "Where does a name go?": a name typed in, and how it resolves and which accounts would serve it now. */
export function RouteSection({ choices, explanation }: { choices: string[]; explanation?: RouteExplanation }) {
  return (
    <section class="card" id="route">
      <h2>Where does a name go?</h2>
      <form class="row-form" method="get" action="/dashboard/route" hx-get="/dashboard/route" hx-target="#route" hx-swap="outerHTML">
        <div class="grow">
          <label for="route-model">Model name a client sends</label>
          <input id="route-model" name="model" list="route-choices" value={explanation?.model} placeholder="claude-sonnet-4-6, fast, my-coding-stack…" autocomplete="off" />
        </div>
        <button type="submit" class="secondary">
          Explain
        </button>
      </form>
      {explanation ? (
        <div class="route-explanation">
          <ol class="trace">
            {explanation.steps.map((step) => (
              <li safe>{step}</li>
            ))}
            {explanation.scenarios.map((line) => (
              <li safe>{`scenario: ${line}`}</li>
            ))}
          </ol>
          {explanation.candidates.length === 0 ? (
            <p class="notice notice-bad">A request for this name would get a 404: nothing serves it.</p>
          ) : (
            <ol class="plain-list">
              {explanation.candidates.map((candidate, index) => (
                <li data-candidate={candidate.connection}>
                  <span safe>{`${index + 1}. ${candidate.model} via ${candidate.connection} (${candidate.provider}) `}</span>
                  {candidate.skip ? <Badge tone="warn">passed over</Badge> : <Badge tone="ok">ready</Badge>}
                  {candidate.skip ? <span class="muted small-text" safe>{` ${candidate.skip}${candidate.until ? ` until ${formatTime(candidate.until)}` : ''}`}</span> : ''}
                </li>
              ))}
            </ol>
          )}
          <p class="muted small-text">Nothing is sent. Round-robin pools and combos rotate where a request starts; the others are fallbacks in this order.</p>
        </div>
      ) : (
        ''
      )}
      <datalist id="route-choices">
        {choices.map((choice) => (
          <option value={choice}></option>
        ))}
      </datalist>
    </section>
  )
}

/** The Combos page: combos and their editor, aliases, model mapping, scenarios. */
export function CombosPage(props: { combos: ComboView[]; choices: string[]; aliases: Record<string, string>; rules: { match: string; target: string }[]; scenarios: ScenarioView[]; route?: JSX.Element }) {
  return (
    <>
      <h1 class="page-title">Combos</h1>
      <ComboList combos={props.combos} />
      <ComboForm choices={props.choices} />
      <AliasSection aliases={props.aliases} />
      <MappingSection rules={props.rules} />
      <ScenarioSection rules={props.scenarios} />
      {props.route ?? <RouteSection choices={props.choices} />}
      <Card title="How names resolve">
        <p class="muted" safe>
          {'A matching scenario first, then an alias, a combo, <prefix>/<model>, then the model mapping.'}
        </p>
      </Card>
    </>
  )
}
