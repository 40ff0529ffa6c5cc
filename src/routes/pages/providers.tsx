import { Elysia } from 'elysia'
import { Badge } from '../../../views/components/ui'
import { ConnectionForm, type ProviderOption } from '../../../views/partials/connection-form'
import { ConnectionList, type ConnectionView } from '../../../views/partials/connection-card'
import { Catalogue, ProvidersPage, type CatalogueEntry } from '../../../views/pages/providers-page'
import { providerList } from '../../providers'
import type { AppContext } from '../../services/context'
import {
  connectionDraftFromForm,
  createConnection,
  moveConnection,
  removeConnection,
  toggleConnection,
  updateConnection,
  type FieldErrors,
} from '../../services/management'
import { testConnection } from '../../services/provider-check'
import { htmlResponse, readForm, renderFragment, renderPage } from './render'

/** Subscription providers 9Router connects through OAuth; shown as "coming soon" until OAuth lands. */
const subscriptions = ['Claude Code', 'OpenAI Codex', 'Gemini CLI', 'GitHub Copilot', 'Qwen Code', 'iFlow', 'Kiro']
/** Built-in providers with a free tier or no key at all. */
const freeIds = new Set(['ollama', 'opencode', 'groq', 'cerebras', 'nvidia'])

/** Connections joined with provider names and health, for the views. */
export function connectionViews(context: AppContext): ConnectionView[] {
  return context.registry.connections.map(({ connection, provider }) => ({
    id: connection.id,
    name: connection.name,
    providerId: provider.id,
    providerName: provider.name,
    prefix: connection.prefix ?? provider.aliases[0] ?? provider.id,
    baseUrl: connection.baseUrl ?? provider.baseUrl ?? null,
    models: connection.models,
    priority: connection.priority,
    enabled: connection.enabled,
    hasSecret: connection.apiKey !== null,
    custom: provider.custom === true,
    health: context.health.state(connection.id),
  }))
}

function catalogue(context: AppContext): CatalogueEntry[] {
  const views = connectionViews(context)
  const entries: CatalogueEntry[] = subscriptions.map((name) => ({ id: name, name, group: 'subscription', connections: 0, unhealthy: 0, comingSoon: true }))
  for (const provider of providerList) {
    const mine = views.filter((view) => view.providerId === provider.id)
    entries.push({
      id: provider.id,
      name: provider.name,
      group: provider.custom ? 'custom' : freeIds.has(provider.id) ? 'free' : 'api-key',
      connections: mine.length,
      unhealthy: mine.filter((view) => view.health.state !== 'healthy').length,
      docs: provider.docs,
    })
  }
  return entries
}

const providerOptions: ProviderOption[] = providerList.map((provider) => ({
  id: provider.id,
  name: provider.name,
  custom: provider.custom === true,
  needsKey: !provider.custom && provider.auth.kind !== 'none' && !provider.anonymousKey,
}))

const formValues = (form: Record<string, string | string[]>): Record<string, string> =>
  Object.fromEntries(['provider', 'name', 'prefix', 'baseUrl', 'models', 'priority'].map((key) => [key, String(form[key] ?? '')]))

/** The Providers page and its fragments: connection list, add/edit form, test, enable, reorder, delete, clear cooldown. */
export function providersPages(context: AppContext) {
  const list = (oob = false) => <ConnectionList connections={connectionViews(context)} now={context.now()} canTest oob={oob} />
  const listResponse = () => renderFragment(list())
  const find = (id: string) => context.registry.connections.find(({ connection }) => String(connection.id) === id)
  return new Elysia({ name: 'pages/providers' })
    .get('/providers', ({ request }) =>
      renderPage(request, {
        title: 'Providers',
        active: 'providers',
        body: <ProvidersPage connections={connectionViews(context)} now={context.now()} canTest form={{ providers: providerOptions, values: {} }} catalogue={catalogue(context)} />,
      }),
    )
    .get('/providers/new', ({ query }) => {
      const provider = providerList.find((entry) => entry.id === query.provider)
      const values: Record<string, string> = provider ? { provider: provider.id, name: `${provider.id}-${context.registry.connections.length + 1}` } : {}
      return renderFragment(<ConnectionForm providers={providerOptions} values={values} />)
    })
    .get('/providers/connections', () => listResponse())
    .post('/providers/connections', async ({ request }) => {
      const form = await readForm(request)
      const result = createConnection(context, connectionDraftFromForm(form))
      if (!result.ok) return renderFragment(<ConnectionForm providers={providerOptions} values={formValues(form)} errors={result.errors} />)
      return renderFragment(
        <>
          <ConnectionForm providers={providerOptions} values={{}} notice={`Added "${String(form.name)}".`} />
          {list(true)}
          <Catalogue entries={catalogue(context)} oob />
        </>,
      )
    })
    .get('/providers/connections/:id/edit', ({ params }) => {
      const entry = find(params.id)
      if (!entry) return listResponse()
      const { connection } = entry
      const values = {
        provider: connection.provider,
        name: connection.name,
        prefix: connection.prefix ?? '',
        baseUrl: connection.baseUrl ?? '',
        models: connection.models.join(', '),
        priority: String(connection.priority),
      }
      return renderFragment(<ConnectionForm providers={providerOptions} values={values} id={connection.id} />)
    })
    .post('/providers/connections/:id', async ({ params, request }) => {
      const form = await readForm(request)
      const result = updateConnection(context, Number(params.id), connectionDraftFromForm(form))
      if (!result) return listResponse()
      if (!result.ok) {
        const errors: FieldErrors = result.errors
        return renderFragment(<ConnectionForm providers={providerOptions} values={formValues(form)} errors={errors} id={Number(params.id)} />, {
          headers: { 'hx-retarget': `#connection-${params.id}`, 'hx-reswap': 'outerHTML' },
        })
      }
      return listResponse()
    })
    .post('/providers/connections/:id/:action', async ({ params }) => {
      const id = Number(params.id)
      switch (params.action) {
        case 'enable':
        case 'disable':
          toggleConnection(context, id, params.action === 'enable')
          break
        case 'up':
        case 'down':
          moveConnection(context, id, params.action)
          break
        case 'delete':
          removeConnection(context, id)
          break
        case 'clear':
          context.health.clear(id)
          break
        case 'test': {
          const entry = find(params.id)
          if (!entry) return htmlResponse('<p class="muted">This connection no longer exists.</p>')
          const check = await testConnection(entry.provider, entry.connection, { fetch: context.fetch, now: context.now, env: process.env })
          return renderFragment(
            <p>
              {check.ok ? <Badge tone="ok">works</Badge> : <Badge tone="bad">failed</Badge>}{' '}
              <span safe>{`${check.reason} (${check.latencyMs} ms)`}</span>
            </p>,
          )
        }
      }
      return listResponse()
    })
}
