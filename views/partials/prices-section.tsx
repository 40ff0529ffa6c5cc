import type { PriceOverride } from '../../src/store/pricing'
import { Field, FieldError, Notice, SelectField, type Errors } from '../components/ui'

/** What the prices form shows: the user's prices, the providers to choose from, and models used without a known price. */
export interface PricesSectionProps {
  /** The user's prices, in US dollars per 1M tokens. */
  overrides: Omit<PriceOverride, 'updatedAt'>[]
  /** Provider ids (with their names) of the configured connections. */
  providers: { id: string; name: string }[]
  /** Models requests went to that had no known price, most used first. */
  unpriced: { provider: string; model: string; requests: number }[]
  /** What was typed, kept when the form is shown again with its errors. */
  values?: Record<string, string>
  errors?: Errors
  notice?: string
}

const dollars = (value: number | undefined) => (value === undefined ? '–' : `$${value}`)

/** Prices per model for what has no list price (local models, custom nodes) or a different one; they apply to requests from now on. */
export function PricesSection(props: PricesSectionProps) {
  const errors = props.errors ?? {}
  const values = props.values ?? {}
  return (
    <section class="card" id="prices">
      <h2>Prices</h2>
      <p class="muted">
        Your price for a model, in US dollars per 1M tokens, for models with no list price (local models, custom nodes) or a price of your own. It applies
        to requests from now on; past requests keep the cost they were recorded with.
      </p>
      {props.unpriced.length > 0 ? (
        <p class="small-text" safe>
          {`Used without a known price: ${props.unpriced.map((row) => `${row.model} (${row.provider}, ${row.requests} request${row.requests === 1 ? '' : 's'})`).join(', ')}.`}
        </p>
      ) : (
        ''
      )}
      {props.overrides.length > 0 ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Provider</th>
                <th>Model</th>
                <th class="num">Input</th>
                <th class="num">Output</th>
                <th class="num">Cache read</th>
                <th class="num">Cache write</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {props.overrides.map((row) => (
                <tr>
                  <td safe>{row.provider === '*' ? 'any provider' : row.provider}</td>
                  <td safe>{row.model === '*' ? 'every model' : row.model}</td>
                  <td class="num" safe>{dollars(row.input)}</td>
                  <td class="num" safe>{dollars(row.output)}</td>
                  <td class="num" safe>{dollars(row.cacheRead)}</td>
                  <td class="num" safe>{dollars(row.cacheWrite)}</td>
                  <td>
                    <form method="post" action="/dashboard/settings/prices/remove" hx-post="/dashboard/settings/prices/remove" hx-target="#prices" hx-swap="outerHTML" hx-confirm={`Remove your price for ${row.model}?`}>
                      <input type="hidden" name="provider" value={row.provider} />
                      <input type="hidden" name="model" value={row.model} />
                      <button type="submit" class="small danger">
                        Remove
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        ''
      )}
      <form hx-post="/dashboard/settings/prices" hx-target="#prices" hx-swap="outerHTML" method="post" action="/dashboard/settings/prices">
        <div class="form-grid">
          <SelectField
            label="Provider"
            name="provider"
            id="price-provider"
            options={[{ value: '*', label: 'any provider' }, ...props.providers.map((provider) => ({ value: provider.id, label: `${provider.name} (${provider.id})` }))]}
            selected={values.provider}
            error={errors.provider}
          />
          <div class="field">
            <label for="price-model">Model</label>
            <input id="price-model" name="model" list="price-models" value={values.model} placeholder="qwen3-coder" autocomplete="off" aria-invalid={errors.model ? 'true' : undefined} />
            <datalist id="price-models">
              {[...new Set(props.unpriced.map((row) => row.model))].map((model) => (
                <option value={model}></option>
              ))}
            </datalist>
            <p class="hint">Its name at the provider, without the prefix; * for every model of the provider.</p>
            <FieldError error={errors.model} />
          </div>
          <Field label="Input ($ per 1M tokens)" name="input" id="price-input" value={values.input} error={errors.input} inputmode="decimal" placeholder="0.5" />
          <Field label="Output ($ per 1M tokens)" name="output" id="price-output" value={values.output} error={errors.output} inputmode="decimal" placeholder="1.5" />
          <Field label="Cache read (optional)" name="cacheRead" id="price-cache-read" value={values.cacheRead} error={errors.cacheRead} inputmode="decimal" hint="Blank: the input price." />
          <Field label="Cache write (optional)" name="cacheWrite" id="price-cache-write" value={values.cacheWrite} error={errors.cacheWrite} inputmode="decimal" hint="Blank: the input price." />
        </div>
        <FieldError error={errors.form} />
        <button type="submit">Save price</button>
      </form>
      <Notice tone="ok" text={props.notice} />
    </section>
  )
}
