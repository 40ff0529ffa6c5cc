import { Elysia } from 'elysia'
import { z } from 'zod'
import { getProvider } from '../providers'
import type { UpstreamConnection } from '../providers/types'
import type { AppContext } from '../services/context'
import { noteListedPrices } from '../services/pricing'
import { listConnectionModels, testConnection, type CheckDeps } from '../services/provider-check'
import { jsonError, readJson } from './json'

/** An unsaved connection to validate before it is stored (the dashboard's "test" button on the add form). */
const draftInput = z
  .object({
    provider: z.string().trim().min(1),
    baseUrl: z.string().trim().min(1).optional(),
    apiKey: z.string().min(1).optional(),
    models: z.array(z.string().trim().min(1)).optional(),
    options: z.record(z.string(), z.string()).optional(),
  })
  .strict()

/** The stored connection with this id, joined with its provider (disabled ones too: they may be tested before enabling). */
function findConnection(context: AppContext, id: string) {
  return context.registry.connections.find((entry) => String(entry.connection.id) === id)
}

/**
 * Provider checks under `/api/providers`: `POST /:id/test` ("test connection"), `GET /:id/models[?refresh=1]`
 * (built-in + live model list) and `POST /validate` (test an unsaved connection). Mount behind the dashboard session:
 * inside `apiRoutes` (prefix `/api`, after its session check) pass `prefix: '/providers'`.
 */
export function providersApiRoutes(context: AppContext, options: { prefix?: string } = {}) {
  const deps = (): CheckDeps => ({ fetch: context.fetch, now: context.now, env: context.env })
  return new Elysia({ name: 'routes/providers-api', prefix: options.prefix ?? '/api/providers' })
    .post('/validate', async ({ request }) => {
      const parsed = draftInput.safeParse(await readJson(request))
      if (!parsed.success) return jsonError(400, parsed.error.issues[0].message)
      const provider = getProvider(parsed.data.provider)
      if (!provider) return jsonError(400, `unknown provider "${parsed.data.provider}"`)
      const draft: UpstreamConnection = {
        name: `new ${provider.name} connection`,
        baseUrl: parsed.data.baseUrl ?? null,
        apiKey: parsed.data.apiKey ?? null,
        models: parsed.data.models,
        options: parsed.data.options,
      }
      return testConnection(provider, draft, deps())
    })
    .post('/:id/test', async ({ params }) => {
      const entry = findConnection(context, params.id)
      if (!entry) return jsonError(404, 'no such connection')
      return testConnection(entry.provider, entry.connection, deps())
    })
    .get('/:id/models', async ({ params, query }) => {
      const entry = findConnection(context, params.id)
      if (!entry) return jsonError(404, 'no such connection')
      const refresh = query.refresh === '1' || query.refresh === 'true'
      const list = await listConnectionModels(entry.provider, entry.connection, { ...deps(), refresh })
      // A listing that prices its models (OpenRouter) prices requests to them from now on.
      if (entry.provider.livePrices && list.live && !list.error) noteListedPrices(context.db, entry.provider.id, list.models)
      return list
    })
}
