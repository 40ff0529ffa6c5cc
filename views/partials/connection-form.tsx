import { Field, FieldError, Notice, type Errors } from '../components/ui'

/** A provider choice in the connection form. */
export interface ProviderOption {
  id: string
  name: string
  custom: boolean
  needsKey: boolean
}

/** Values and errors of the connection form; `id` set when editing. */
export interface ConnectionFormProps {
  providers: ProviderOption[]
  values: Record<string, string>
  errors?: Errors
  id?: number
  notice?: string
}

/** Add or edit an API-key connection or a custom compatible node; errors are shown inline next to each field. */
export function ConnectionForm({ providers, values, errors = {}, id, notice }: ConnectionFormProps) {
  const editing = id !== undefined
  const action = editing ? `/dashboard/providers/connections/${id}` : '/dashboard/providers/connections'
  const customIds = providers.filter((provider) => provider.custom).map((provider) => provider.id)
  const formId = editing ? `connection-${id}` : 'connection-form'
  // Editing with a form that was not given the stored proxy: an empty field keeps it rather than clearing it.
  const proxyKnown = !editing || values.proxy !== undefined
  return (
    <section class={editing ? 'connection' : 'card'} id={formId}>
      <h2>{editing ? 'Edit connection' : 'Add a connection'}</h2>
      <Notice tone="ok" text={notice} />
      <form
        method="post"
        action={action}
        hx-post={action}
        hx-target={editing ? '#connections' : '#connection-form'}
        hx-swap="outerHTML"
        x-data={`{ provider: ${JSON.stringify(values.provider ?? '')}, custom: ${JSON.stringify(customIds)} }`}
        novalidate
      >
        <FieldError error={errors.form} />
        <div class="form-grid">
          <div class="field">
            <label for={`${formId}-provider`}>Provider</label>
            <select id={`${formId}-provider`} name="provider" x-model="provider" aria-invalid={errors.provider ? 'true' : undefined}>
              <option value="">Choose…</option>
              <optgroup label="API key">
                {providers
                  .filter((provider) => !provider.custom)
                  .map((provider) => (
                    <option value={provider.id} selected={values.provider === provider.id} safe>
                      {provider.name}
                    </option>
                  ))}
              </optgroup>
              <optgroup label="Custom compatible node">
                {providers
                  .filter((provider) => provider.custom)
                  .map((provider) => (
                    <option value={provider.id} selected={values.provider === provider.id} safe>
                      {provider.name}
                    </option>
                  ))}
              </optgroup>
            </select>
            <FieldError error={errors.provider} />
          </div>
          <Field label="Name" name="name" id={`${formId}-name`} value={values.name} error={errors.name} placeholder="work-openai" required />
          <Field label="Prefix" name="prefix" id={`${formId}-prefix`} value={values.prefix} error={errors.prefix} placeholder="vllm" hint="Models are called <prefix>/<model>. Required for custom nodes." />
          <Field label="Base URL" name="baseUrl" id={`${formId}-baseUrl`} value={values.baseUrl} error={errors.baseUrl} placeholder="http://127.0.0.1:8000/v1" hint="Required for custom nodes; overrides the default otherwise." inputmode="url" />
          <Field
            label="API key"
            name="apiKey"
            id={`${formId}-apiKey`}
            type="password"
            value=""
            error={errors.apiKey}
            autocomplete="new-password"
            hint={editing ? 'Leave empty to keep the stored key.' : 'Stored encrypted; never shown again.'}
          />
          <Field label="Models" name="models" id={`${formId}-models`} value={values.models} error={errors.models} placeholder="qwen3-coder, llama-3.3" hint="Comma-separated; optional for built-in providers." />
          <Field label="Priority" name="priority" id={`${formId}-priority`} value={values.priority} error={errors.priority} inputmode="numeric" hint="Lower numbers are tried first." />
          <Field
            label="Outbound proxy"
            name="proxy"
            id={`${formId}-proxy`}
            value={values.proxy}
            error={errors['options.proxy'] ?? errors.options}
            placeholder="http://proxy.local:3128"
            inputmode="url"
            hint={proxyKnown ? 'An http(s) proxy URL, "direct" to bypass HTTP(S)_PROXY, or empty to use the environment.' : 'An http(s) proxy URL or "direct"; leave empty to keep the current setting.'}
          />
        </div>
        {proxyKnown ? <input type="hidden" name="proxyKnown" value="1" /> : ''}
        <p class="hint" x-show="custom.includes(provider)" x-cloak>
          Custom nodes need a prefix and a base URL.
        </p>
        <div class="button-row">
          <button type="submit">{editing ? 'Save' : 'Add connection'}</button>
          {editing ? (
            <button type="button" class="secondary" hx-get="/dashboard/providers/connections" hx-target="#connections" hx-swap="outerHTML">
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
