import { Elysia } from 'elysia'
import { EndpointPage, KeysSection, RequireKeySection, type KeyRow, type KeysProps } from '../../../views/pages/endpoint-page'
import { keyLimitsOf } from '../../services/budgets'
import { isApiKeyRequired } from '../../services/client-auth'
import type { AppContext } from '../../services/context'
import { modelPrefixOf } from '../../services/registry'
import { generateApiKey } from '../../services/crypto'
import { listModelChoices, patchSettings, revokeApiKey, setKeyLimits } from '../../services/management'
import { listApiKeys, saveApiKey, setApiKeyEnabled } from '../../store/api-keys'
import { field, publicOrigin, readForm, renderFragment, renderPage } from './render'

/** Creates a client key; the caller shows the secret once. */
export function createClientKey(context: AppContext, rawName: string): { key?: { id: number; name: string; key: string }; error?: string } {
  const name = rawName.trim()
  if (!name) return { error: 'name is required' }
  if (name.length > 100) return { error: 'at most 100 characters' }
  if (listApiKeys(context.db).some((key) => key.name === name)) return { error: `a key named "${name}" exists` }
  const key = generateApiKey()
  const id = saveApiKey(context.db, name, key, context.now())
  context.reload()
  return { key: { id, name, key } }
}

/** The client keys as listed, each with its limits (`settings.keyLimits`). */
function keyRows(context: AppContext): KeyRow[] {
  const settings = context.registry.settings
  return listApiKeys(context.db).map((key) => ({ ...key, limits: keyLimitsOf(settings, key.name), ownLimits: settings.keyLimits?.[key.name] }))
}

/** The Endpoint page (`/dashboard`) and its fragments: client keys and the require-key switch. */
export function endpointPages(context: AppContext) {
  const keysSection = (extra: Partial<KeysProps> = {}) => renderFragment(<KeysSection keys={keyRows(context)} {...extra} />)
  const requireSection = (notice?: string) =>
    renderFragment(<RequireKeySection required={isApiKeyRequired(context)} locked={context.runtime.requireApiKey !== undefined} notice={notice} />)
  return new Elysia({ name: 'pages/endpoint' })
    .get('/', ({ request }) =>
      renderPage(request, {
        title: 'Endpoint',
        active: 'endpoint',
        body: (
          <EndpointPage
            origin={publicOrigin(request, `http://${context.runtime.hostname}:${context.runtime.port}`)}
            keys={{ keys: keyRows(context) }}
            required={isApiKeyRequired(context)}
            requiredLocked={context.runtime.requireApiKey !== undefined}
            exampleModel={listModelChoices(context)[0] ?? 'prefix/model'}
            connections={context.registry.connections.map(({ connection, provider }) => ({
              name: connection.name,
              provider: provider.name,
              prefix: modelPrefixOf({ connection, provider }),
              enabled: connection.enabled,
              healthy: context.health.state(connection.id).state === 'healthy',
            }))}
          />
        ),
      }),
    )
    .post('/keys', async ({ request }) => {
      const name = field(await readForm(request), 'name')
      const result = createClientKey(context, name)
      return result.key ? keysSection({ created: result.key }) : keysSection({ errors: { name: result.error! }, name })
    })
    .post('/keys/:id/limits', async ({ params, request }) => {
      const key = listApiKeys(context.db).find((row) => row.id === Number(params.id))
      if (!key) return keysSection({ notice: 'That key no longer exists.' })
      const form = await readForm(request)
      const result = setKeyLimits(context, key.name, form)
      if (result.ok) return keysSection({ notice: `Limits of "${key.name}" saved.` })
      const values = { requestsPerMinute: field(form, 'requestsPerMinute'), tokensPerDay: field(form, 'tokensPerDay'), dollarsPerDay: field(form, 'dollarsPerDay'), dollarsPerMonth: field(form, 'dollarsPerMonth'), models: field(form, 'models') }
      return keysSection({ limitsDraft: { id: key.id, values, errors: result.errors } })
    })
    .post('/keys/:id/:action', ({ params, set }) => {
      const id = Number(params.id)
      if (params.action === 'delete') revokeApiKey(context, id)
      else if (params.action === 'enable' || params.action === 'disable') {
        setApiKeyEnabled(context.db, id, params.action === 'enable')
        context.reload()
      } else {
        set.status = 404
        return `no key action "${params.action}"`
      }
      return keysSection()
    })
    .post('/require-key/:state', ({ params }) => {
      patchSettings(context, (settings) => ({ ...settings, requireApiKey: params.state === 'on' }))
      return requireSection(params.state === 'on' ? 'Keys are now required.' : 'Keys are now optional.')
    })
}
