import { Elysia } from 'elysia'
import { z } from 'zod'
import { OAuthError, oauthServiceFor } from '../oauth'
import { subscriptionProviders } from '../providers/subscription'
import type { AppContext } from '../services/context'
import type { Connection } from '../store/connections'
import { isSameOriginWrite, sessionPlugin, sessionToken } from './session'
import { jsonError, readJson } from './json'

const exchangeInput = z.object({
  code: z.string().trim().min(1, 'code is required (the code, code#state or the whole callback URL)'),
  state: z.string().optional(),
  codeVerifier: z.string().optional(),
  redirectUri: z.string().optional(),
  name: z.string().trim().min(1).max(100).optional(),
})
const pollInput = z.object({
  deviceCode: z.string().min(1),
  codeVerifier: z.string().optional(),
  extraData: z.record(z.string(), z.unknown()).optional(),
  name: z.string().trim().min(1).max(100).optional(),
})
const importInput = z.object({ refreshToken: z.string().trim().min(10), name: z.string().trim().min(1).max(100).optional() })

/** An OAuth failure as a JSON answer: a refused grant is the caller's (400), a passing fault the provider's (502). */
function failure(error: unknown): Response {
  if (error instanceof OAuthError) return jsonError(error.permanent ? 400 : 502, error.message)
  console.error('modelmux: oauth', error)
  return jsonError(500, 'internal error')
}

const describe = (connection: Connection, email?: string) => ({ id: connection.id, name: connection.name, provider: connection.provider, email })

/**
 * OAuth logins for the dashboard under `/api/oauth` (9Router's paths): `GET /:provider/authorize`,
 * `POST /:provider/exchange`, `POST /:provider/device-code`, `POST /:provider/poll`, `POST /:provider/import`,
 * `GET /:provider/status?state=` (`pending`, `done`, `error`, or `expired` once the listener gave up); and `GET /quota/:id`, `POST /refresh/:id`. Session-protected itself.
 */
export function oauthApiRoutes(context: AppContext) {
  // Logins in progress live in the app's one OAuth service: every instance of these routes sees them.
  const service = () => oauthServiceFor(context)
  const startDevice = async (provider: string) => {
    try {
      return await service().beginDeviceLogin(provider)
    } catch (error) {
      return failure(error)
    }
  }
  return new Elysia({ name: 'routes/oauth-api', prefix: '/api/oauth' })
    .use(sessionPlugin(context))
    .onBeforeHandle(async ({ request, isSignedIn }) => {
      if (!(await isSignedIn(sessionToken(request)))) return jsonError(401, 'sign in first: POST /api/auth/login {"password":"…"}')
      if (request.method !== 'GET' && request.method !== 'HEAD' && !isSameOriginWrite(request)) return jsonError(403, 'cross-site request refused')
    })
    .get('/providers', () => ({
      providers: subscriptionProviders.map(({ definition, oauth }) => ({ id: definition.id, name: definition.name, aliases: definition.aliases, flows: oauth.flows })),
    }))
    .get('/quota/:id', async ({ params, query }) => {
      const connection = service().connectionById(Number(params.id))
      if (!connection || !service().handles(connection.provider)) return jsonError(404, 'no such subscription connection')
      try {
        const quota = query.refresh === '1' ? await service().readQuota(connection) : service().getQuota(connection.id)
        return { quota: quota ?? null, status: service().status(service().connectionById(connection.id) ?? connection) }
      } catch (error) {
        return failure(error)
      }
    })
    .post('/refresh/:id', async ({ params }) => {
      const connection = service().connectionById(Number(params.id))
      if (!connection || !service().handles(connection.provider)) return jsonError(404, 'no such subscription connection')
      try {
        await service().refresh(connection)
        return { ok: true, status: service().status(service().connectionById(connection.id) ?? connection) }
      } catch (error) {
        return failure(error)
      }
    })
    .get('/:provider/authorize', ({ params, query }) => {
      try {
        const provider = service().provider(params.provider)
        if (!provider.oauth.flows.includes('authorization-code')) return jsonError(400, `${provider.definition.name} logs in with a device code: POST /api/oauth/${params.provider}/device-code`)
        if (typeof query.redirect_uri === 'string' && query.redirect_uri) {
          return { ...service().beginAuthorization(params.provider, { redirectUri: query.redirect_uri }), listening: false }
        }
        // No redirect of the dashboard's own: catch the redirect on a local port and finish the login there.
        // Without a listener (port busy) the user pastes the callback URL into POST /exchange.
        return service().listenForAuthorization(params.provider)
      } catch (error) {
        return failure(error)
      }
    })
    .get('/:provider/status', ({ query }) => {
      const entry = typeof query.state === 'string' ? service().loginStatus(query.state) : undefined
      if (!entry) return jsonError(404, 'no login with this state is waiting here')
      return entry
    })
    .post('/:provider/exchange', async ({ params, request }) => {
      const parsed = exchangeInput.safeParse(await readJson(request))
      if (!parsed.success) return jsonError(400, parsed.error.issues[0].message)
      try {
        const connection = await service().completeAuthorization(params.provider, parsed.data)
        return { ok: true, connection: describe(connection, service().tokensOf(connection)?.email) }
      } catch (error) {
        return failure(error)
      }
    })
    // 9Router's dashboard asks with GET; POST is accepted too.
    .get('/:provider/device-code', ({ params }) => startDevice(params.provider))
    .post('/:provider/device-code', ({ params }) => startDevice(params.provider))
    .post('/:provider/poll', async ({ params, request }) => {
      const parsed = pollInput.safeParse(await readJson(request))
      if (!parsed.success) return jsonError(400, parsed.error.issues[0].message)
      try {
        const result = await service().pollDeviceLogin(params.provider, { ...parsed.data, extra: parsed.data.extraData })
        if (result.pending) return { pending: true, slowDown: result.slowDown ?? false }
        return { ok: true, connection: describe(result.connection, service().tokensOf(result.connection)?.email) }
      } catch (error) {
        return failure(error)
      }
    })
    .post('/:provider/import', async ({ params, request }) => {
      const parsed = importInput.safeParse(await readJson(request))
      if (!parsed.success) return jsonError(400, parsed.error.issues[0].message)
      try {
        const connection = await service().importRefreshToken(params.provider, parsed.data)
        return { ok: true, connection: describe(connection, service().tokensOf(connection)?.email) }
      } catch (error) {
        return failure(error)
      }
    })
}
