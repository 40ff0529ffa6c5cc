import { Elysia } from 'elysia'
import { z } from 'zod'
import type { AppContext } from '../services/context'
import { modelPrefixOf } from '../services/registry'
import { generateApiKey } from '../services/crypto'
import { createLoginLimiter } from '../services/login-limiter'
import { verifyPassword } from '../services/password'
import { listApiKeys, saveApiKey, setApiKeyEnabled } from '../store/api-keys'
import { revokeApiKey } from '../services/management'
import { manageApiRoutes } from './manage-api'
import { isSameOriginWrite, sessionCookie, sessionPlugin, sessionToken } from './session'
import { providersApiRoutes } from './providers-api'
import { oauthServiceFor } from '../oauth'
import { jsonError, readJson } from './json'

const keyInput = z.object({ name: z.string().trim().min(1, 'name is required').max(100) }).strict()
const enabledInput = z.object({ enabled: z.boolean() }).strict()

/** The client's address for login throttling. */
function clientAddress(server: { requestIP(request: Request): { address: string } | null } | null, request: Request): string {
  return server?.requestIP(request)?.address ?? 'unknown'
}

/** The management API under `/api`: JSON, every route behind the dashboard session except login. */
export function apiRoutes(context: AppContext) {
  const limiter = createLoginLimiter()
  return new Elysia({ name: 'routes/api', prefix: '/api' })
    .use(sessionPlugin(context))
    .post('/auth/login', async ({ request, cookie, signSession, server }) => {
      if (!isSameOriginWrite(request)) return jsonError(403, 'cross-site request refused')
      const address = clientAddress(server, request)
      const wait = limiter.blockedFor(address, context.now())
      if (wait > 0) return Response.json({ error: 'too many failed logins; try again later' }, { status: 429, headers: { 'retry-after': String(Math.ceil(wait / 1000)) } })
      const body = (await readJson(request)) as { password?: unknown } | undefined
      const password = typeof body?.password === 'string' ? body.password : ''
      if (!(await verifyPassword(context.db, password))) {
        limiter.fail(address, context.now())
        return jsonError(401, 'wrong password')
      }
      limiter.succeed(address)
      cookie.auth_token.set(sessionCookie(context, await signSession()))
      return { ok: true }
    })
    .onBeforeHandle(async ({ request, isSignedIn }) => {
      if (!(await isSignedIn(sessionToken(request)))) return jsonError(401, 'sign in first: POST /api/auth/login {"password":"…"}')
      if (request.method !== 'GET' && request.method !== 'HEAD' && !isSameOriginWrite(request)) {
        return jsonError(403, 'cross-site request refused')
      }
    })
    .post('/auth/logout', ({ cookie }) => {
      cookie.auth_token.set(sessionCookie(context, '', 0))
      return { ok: true }
    })
    .get('/providers', () => ({
      connections: context.registry.connections.map(({ connection, provider }) => ({
        id: connection.id,
        name: connection.name,
        provider: provider.id,
        prefix: modelPrefixOf({ connection, provider }),
        baseUrl: connection.baseUrl ?? provider.baseUrl ?? null,
        models: connection.models,
        priority: connection.priority,
        enabled: connection.enabled,
        hasSecret: connection.apiKey !== null,
        health: context.health.state(connection.id),
        oauth: oauthServiceFor(context).status(connection) ?? null,
      })),
    }))
    .delete('/providers/:id/cooldown', ({ params }) => {
      const id = Number(params.id)
      if (!context.registry.connections.some(({ connection }) => connection.id === id)) return jsonError(404, 'no such connection')
      context.health.clear(id)
      return { ok: true, health: context.health.state(id) }
    })
    .get('/keys', () => ({ keys: listApiKeys(context.db) }))
    .post('/keys', async ({ request }) => {
      const parsed = keyInput.safeParse(await readJson(request))
      if (!parsed.success) return jsonError(400, parsed.error.issues[0].message)
      if (listApiKeys(context.db).some((key) => key.name === parsed.data.name)) return jsonError(409, `a key named "${parsed.data.name}" exists`)
      const key = generateApiKey()
      const id = saveApiKey(context.db, parsed.data.name, key, context.now())
      context.reload()
      return { id, name: parsed.data.name, key }
    })
    .patch('/keys/:id', async ({ params, request }) => {
      const parsed = enabledInput.safeParse(await readJson(request))
      if (!parsed.success) return jsonError(400, parsed.error.issues[0].message)
      if (!setApiKeyEnabled(context.db, Number(params.id), parsed.data.enabled)) return jsonError(404, 'no such key')
      context.reload()
      return { ok: true }
    })
    .delete('/keys/:id', ({ params }) => {
      if (!revokeApiKey(context, Number(params.id))) return jsonError(404, 'no such key')
      return { ok: true }
    })
    .get('/health', () => ({ ok: true, version: context.version }))
    .use(manageApiRoutes(context))
    .use(providersApiRoutes(context, { prefix: '/providers' }))
}
