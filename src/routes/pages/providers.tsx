import { Elysia } from 'elysia'
import { z } from 'zod'
import { Badge } from '../../../views/components/ui'
import { ConnectionForm, type ProviderOption } from '../../../views/partials/connection-form'
import { ConnectionList, type ConnectionView } from '../../../views/partials/connection-card'
import { OAuthAccountCard, OAuthAccounts, type OAuthAccountView } from '../../../views/partials/oauth-accounts'
import { AuthorizePanel, ChoosePanel, ConnectedPanel, DevicePanel, DevicePoller, FailedPanel, ImportPanel, ListenPoller, OAuthPanel, safeHref } from '../../../views/partials/oauth-connect'
import type { AuthorizationView, DeviceView, OAuthProviderView } from '../../../views/partials/oauth-connect'
import { Catalogue, ProvidersPage, type CatalogueEntry } from '../../../views/pages/providers-page'
import { oauthServiceFor } from '../../oauth'
import { providerList } from '../../providers'
import { getSubscriptionProvider, isSubscriptionProvider, subscriptionProviders } from '../../providers/subscription'
import type { AppContext } from '../../services/context'
import { modelPrefixOf } from '../../services/registry'
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
import { describeQuirks } from '../../services/upstream-quirks'
import { oauthApiRoutes } from '../oauth-api'
import { htmlResponse, isPartialRequest, readForm, renderFragment, renderPage } from './render'

/** Built-in providers with a free tier or no key at all. */
const freeIds = new Set(['ollama', 'opencode', 'groq', 'cerebras', 'nvidia'])

/** Subscription providers as the login panels show them, in catalogue order. */
const oauthProviders: OAuthProviderView[] = subscriptionProviders.map(({ definition, oauth }) => ({
  id: definition.id,
  name: definition.name,
  alias: definition.aliases[0] ?? definition.id,
  flows: oauth.flows,
  exampleModel: definition.models?.[0]?.id,
}))
const oauthProviderOf = (idOrAlias: string) => oauthProviders.find((view) => view.id === getSubscriptionProvider(idOrAlias)?.definition.id)

/** Connections joined with provider names and health, for the views. */
export function connectionViews(context: AppContext): ConnectionView[] {
  return context.registry.connections.map(({ connection, provider }) => ({
    id: connection.id,
    name: connection.name,
    providerId: provider.id,
    providerName: provider.name,
    prefix: modelPrefixOf({ connection, provider }),
    baseUrl: connection.baseUrl ?? provider.baseUrl ?? null,
    models: connection.models,
    priority: connection.priority,
    enabled: connection.enabled,
    hasSecret: connection.apiKey !== null,
    custom: provider.custom === true,
    health: context.health.state(connection.id),
    learned: context.quirks.forConnection(connection.id).flatMap(({ model, quirks }) => describeQuirks(model, quirks)),
  }))
}

/** Subscription connections with their OAuth state (account, expiry, re-login reason, last quota read). */
export function accountViews(context: AppContext): OAuthAccountView[] {
  const oauth = oauthServiceFor(context)
  const views: OAuthAccountView[] = []
  for (const { connection } of context.registry.connections) {
    const provider = oauthProviderOf(connection.provider)
    const status = provider ? oauth.status(connection) : undefined
    if (!provider || !status) continue
    const health = context.health.state(connection.id)
    views.push({
      id: connection.id,
      name: connection.name,
      provider,
      enabled: connection.enabled,
      email: status.email,
      accountId: status.accountId,
      expiresAt: status.expiresAt,
      needsRelogin: status.needsRelogin ?? (health.state === 'needs-relogin' ? (health.reason ?? 'the provider refused the login').replace(/^needs re-login: /, '') : undefined),
      quota: status.quota,
      hasQuota: getSubscriptionProvider(provider.id)?.readQuota !== undefined,
      imported: oauth.tokensOf(connection)?.extra?.authMethod === 'social',
    })
  }
  return views
}

function catalogue(context: AppContext): CatalogueEntry[] {
  const views = connectionViews(context)
  const count = (id: string) => {
    const mine = views.filter((view) => view.providerId === id)
    return { connections: mine.length, unhealthy: mine.filter((view) => view.health.state !== 'healthy').length }
  }
  const entries: CatalogueEntry[] = oauthProviders.map((oauth) => ({ id: oauth.id, name: oauth.name, group: 'subscription', oauth, ...count(oauth.id) }))
  for (const provider of providerList) {
    if (isSubscriptionProvider(provider.id)) continue
    entries.push({ id: provider.id, name: provider.name, group: provider.custom ? 'custom' : freeIds.has(provider.id) ? 'free' : 'api-key', docs: provider.docs, ...count(provider.id) })
  }
  return entries
}

const optionOf = (provider: (typeof providerList)[number]): ProviderOption => ({
  id: provider.id,
  name: provider.name,
  custom: provider.custom === true,
  needsKey: !provider.custom && provider.auth.kind !== 'none' && !provider.anonymousKey,
})
/** Editing lists every provider; adding only those connected by a key (subscriptions log in instead). */
const providerOptions: ProviderOption[] = providerList.map(optionOf)
const addOptions: ProviderOption[] = providerList.filter((provider) => !isSubscriptionProvider(provider.id)).map(optionOf)

const formValues = (form: Record<string, string | string[]>): Record<string, string> =>
  Object.fromEntries(['provider', 'name', 'prefix', 'baseUrl', 'models', 'priority', 'proxy', 'proxyKnown'].map((key) => [key, String(form[key] ?? '')]))
const texts = (form: Record<string, string | string[]>): Record<string, string> =>
  Object.fromEntries(Object.entries(form).map(([key, value]) => [key, Array.isArray(value) ? (value[0] ?? '') : value]))

const webAddress = z.string().trim().refine((value) => safeHref(value) !== '#', 'not a web address')
const loginFields = z.object({ state: z.string().min(1).max(500), authUrl: webAddress, redirectUri: z.string().max(500).default(''), listening: z.string().optional() })
const exchangeForm = z.object({
  code: z.string().trim().min(1, 'paste the address the browser ended on, or the code').max(8000, 'this is too long to be a callback address or a code'),
})
const deviceForm = z.object({
  deviceCode: z.string().min(1).max(4000),
  userCode: z.string().min(1).max(100),
  verificationUri: webAddress,
  verificationUriComplete: z.union([webAddress, z.literal('')]).optional(),
  interval: z.coerce.number().int().min(1).max(120),
  expiresAt: z.coerce.number().int().positive(),
})
const importForm = z.object({
  refreshToken: z.string().trim().min(10, 'paste the whole refresh token (it is long)').max(8000, 'too long for a refresh token'),
  name: z.string().trim().max(100, 'at most 100 characters').optional(),
})
const firstErrors = (issues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldErrors => {
  const errors: FieldErrors = {}
  for (const issue of issues) errors[String(issue.path[0] ?? 'form')] ??= issue.message
  return errors
}
const QUOTA_WAIT_MS = 3000
/** The callback listener gives up after 5 minutes; so does the page. */
const LISTEN_MS = 5 * 60_000

/** The Providers page and its fragments: connection list, add/edit form, test, enable, reorder, delete, clear cooldown, subscription logins. */
export function providersPages(context: AppContext) {
  /** The OAuth management API, called in-process with the visitor's session (pending logins live in the OAuth service). */
  const oauthApi = oauthApiRoutes(context)
  const callApi = async (request: Request, method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await oauthApi.handle(
      new Request(`http://modelmux.internal/api/oauth${path}`, {
        method,
        headers: { cookie: request.headers.get('cookie') ?? '', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    )
    const json = (await response.json().catch(() => ({}))) as Record<string, any>
    return { ok: response.ok, status: response.status, json, error: typeof json.error === 'string' ? json.error : `HTTP ${response.status}` }
  }

  const list = (oob = false) => <ConnectionList connections={connectionViews(context)} now={context.now()} canTest oob={oob} />
  const listResponse = () => renderFragment(list())
  const find = (id: string) => context.registry.connections.find(({ connection }) => String(connection.id) === id)
  const page = (request: Request, panel?: JSX.Element, init?: ResponseInit) =>
    renderPage(request, {
      title: 'Providers',
      active: 'providers',
      body: (
        <ProvidersPage
          connections={connectionViews(context)}
          accounts={accountViews(context)}
          now={context.now()}
          canTest
          form={{ providers: addOptions, values: {} }}
          catalogue={catalogue(context)}
          panel={panel}
        />
      ),
    }).then((response) => (init?.status ? new Response(response.body, { status: init.status, headers: response.headers }) : response))
  /** A login step: the fragment for htmx (`partial`, else the panel), the whole page with the panel open otherwise. */
  const respond = (request: Request, panel: JSX.Element, partial?: JSX.Element, init?: ResponseInit) =>
    isPartialRequest(request) ? renderFragment(partial ?? panel, init) : page(request, panel, init)
  /** Everything a new or changed subscription account shows up in, as out-of-band swaps. */
  const refreshed = () => (
    <>
      <OAuthAccounts accounts={accountViews(context)} now={context.now()} oob />
      {list(true)}
      <Catalogue entries={catalogue(context)} oob />
    </>
  )
  /** A finished login: a first quota read (bounded), then the connected panel and the refreshed lists. */
  const connected = async (request: Request, provider: OAuthProviderView, connection: { id: number; name: string; email?: string }, retarget = false) => {
    if (getSubscriptionProvider(provider.id)?.readQuota) {
      await Promise.race([callApi(request, 'GET', `/quota/${connection.id}?refresh=1`).catch(() => undefined), Bun.sleep(QUOTA_WAIT_MS)])
    }
    const panel = <ConnectedPanel provider={provider} connection={connection} />
    const headers = retarget ? { 'hx-retarget': '#oauth-connect', 'hx-reswap': 'outerHTML show:top' } : undefined
    const fragment = (
      <>
        {panel}
        {refreshed()}
      </>
    )
    return respond(request, panel, fragment, { headers })
  }

  return new Elysia({ name: 'pages/providers' })
    .get('/providers', ({ request }) => page(request))
    .get('/providers/new', ({ query }) => {
      const provider = providerList.find((entry) => entry.id === query.provider && !isSubscriptionProvider(entry.id))
      const values: Record<string, string> = provider ? { provider: provider.id, name: `${provider.id}-${context.registry.connections.length + 1}` } : {}
      return renderFragment(<ConnectionForm providers={addOptions} values={values} />)
    })
    .get('/providers/connections', () => listResponse())
    .post('/providers/connections', async ({ request }) => {
      const form = await readForm(request)
      const result = createConnection(context, connectionDraftFromForm(form))
      if (!result.ok) return renderFragment(<ConnectionForm providers={addOptions} values={formValues(form)} errors={result.errors} />)
      return renderFragment(
        <>
          <ConnectionForm providers={addOptions} values={{}} notice={`Added "${String(form.name)}".`} />
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
        proxy: String(connection.options.proxy ?? ''),
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
          const check = isSubscriptionProvider(entry.provider.id)
            ? await checkSubscription(context, entry.connection)
            : await testConnection(entry.provider, entry.connection, { fetch: context.fetch, now: context.now, env: process.env })
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

    // ── subscription logins (through /api/oauth) ─────────────────────────────
    .get('/providers/oauth', ({ request }) => respond(request, <OAuthPanel />))
    .get('/providers/oauth/:provider', ({ params, query, request }) => {
      const provider = oauthProviderOf(params.provider)
      if (!provider) return respond(request, <FailedPanel message={`There is no subscription provider "${params.provider}".`} />, undefined, { status: 404 })
      if (query.flow === 'import' && provider.flows.includes('import')) return respond(request, <ImportPanel provider={provider} />)
      return respond(request, <ChoosePanel provider={provider} />)
    })
    .post('/providers/oauth/:provider/start', async ({ params, request }) => {
      const provider = oauthProviderOf(params.provider)
      if (!provider) return respond(request, <FailedPanel message={`There is no subscription provider "${params.provider}".`} />, undefined, { status: 404 })
      if (provider.flows.includes('authorization-code')) {
        const started = await callApi(request, 'GET', `/${provider.id}/authorize`)
        if (!started.ok) return respond(request, <FailedPanel provider={provider} message={`The login could not start: ${started.error}`} />)
        const login: AuthorizationView = { authUrl: started.json.authUrl, state: started.json.state, redirectUri: started.json.redirectUri, listening: started.json.listening === true }
        return respond(request, <AuthorizePanel provider={provider} login={login} now={context.now()} />)
      }
      const started = await callApi(request, 'POST', `/${provider.id}/device-code`)
      if (!started.ok) return respond(request, <FailedPanel provider={provider} message={`The provider gave no device code: ${started.error}`} />)
      const device: DeviceView = {
        deviceCode: started.json.deviceCode,
        userCode: started.json.userCode,
        verificationUri: started.json.verificationUri,
        verificationUriComplete: started.json.verificationUriComplete,
        interval: Math.min(120, Math.max(1, Number(started.json.interval) || 5)),
        expiresAt: context.now() + (Number(started.json.expiresIn) || 600) * 1000,
      }
      return respond(request, <DevicePanel provider={provider} device={device} now={context.now()} />)
    })
    .post('/providers/oauth/:provider/exchange', async ({ params, request }) => {
      const provider = oauthProviderOf(params.provider)
      const form = texts(await readForm(request))
      const login = loginFields.safeParse(form)
      if (!provider || !login.success) return respond(request, <FailedPanel provider={provider} message="This login attempt is incomplete. Start it again." />)
      const view: AuthorizationView = { ...login.data, listening: login.data.listening === '1' }
      const pasted = exchangeForm.safeParse(form)
      if (!pasted.success) return respond(request, <AuthorizePanel provider={provider} login={view} now={context.now()} code={form.code} errors={firstErrors(pasted.error.issues)} />)
      const done = await callApi(request, 'POST', `/${provider.id}/exchange`, { code: pasted.data.code, state: view.state })
      if (!done.ok) {
        const reason = done.status === 400 ? done.error : `the provider did not answer: ${done.error}. Try again.`
        return respond(request, <AuthorizePanel provider={provider} login={view} now={context.now()} code={pasted.data.code} errors={{ code: reason }} />)
      }
      return connected(request, provider, done.json.connection)
    })
    .get('/providers/oauth/:provider/status', async ({ params, query, request }) => {
      const provider = oauthProviderOf(params.provider)
      const state = typeof query.state === 'string' ? query.state : ''
      const redirectUri = typeof query.redirect === 'string' ? query.redirect : ''
      const since = Number(query.since) || context.now()
      if (!provider) return respond(request, <FailedPanel message={`There is no subscription provider "${params.provider}".`} />, undefined, { status: 404 })
      const stop = (text: string) => {
        const poller = <ListenPoller provider={provider} state={state} redirectUri={redirectUri} since={since} stopped={text} />
        return respond(request, <OAuthPanel title={`Connect ${provider.name}`}>{poller}</OAuthPanel>, poller)
      }
      const status = await callApi(request, 'GET', `/${provider.id}/status?state=${encodeURIComponent(state)}`)
      if (status.json.status === 'expired' || (status.json.status === 'pending' && context.now() - since > LISTEN_MS)) return stop('No browser came back in time: paste the address below, or start again.')
      if (status.status === 404) return stop('modelmux stopped waiting for the browser (the attempt expired or modelmux restarted): paste the address below, or start again.')
      if (!status.ok) return stop(`Could not check the login: ${status.error}. Paste the address below instead.`)
      if (status.json.status === 'error') return stop(`The browser came back, but the login failed: ${String(status.json.error ?? 'unknown error')}. Start again.`)
      if (status.json.status === 'done' && status.json.connection) return connected(request, provider, status.json.connection, true)
      const poller = <ListenPoller provider={provider} state={state} redirectUri={redirectUri} since={since} />
      return respond(request, <OAuthPanel title={`Connect ${provider.name}`}>{poller}</OAuthPanel>, poller)
    })
    .post('/providers/oauth/:provider/poll', async ({ params, request }) => {
      const provider = oauthProviderOf(params.provider)
      const parsed = deviceForm.safeParse(texts(await readForm(request)))
      if (!provider || !parsed.success) return respond(request, <FailedPanel provider={provider} message="This device login is incomplete. Start it again." />)
      const device: DeviceView = { ...parsed.data, verificationUriComplete: parsed.data.verificationUriComplete || undefined }
      const now = context.now()
      const show = (props: { device?: DeviceView; note?: string; stopped?: string }) =>
        respond(request, <DevicePanel provider={provider} device={props.device ?? device} now={now} {...props} />, <DevicePoller provider={provider} device={props.device ?? device} now={now} {...props} />)
      if (now >= device.expiresAt) return show({ stopped: 'The code expired before it was approved.' })
      const poll = await callApi(request, 'POST', `/${provider.id}/poll`, { deviceCode: device.deviceCode })
      if (poll.ok && poll.json.pending) return show(poll.json.slowDown ? { device: { ...device, interval: Math.min(120, device.interval + 5) }, note: 'The provider asked to check less often.' } : {})
      if (poll.ok && poll.json.connection) return connected(request, provider, poll.json.connection, true)
      // A passing fault (502) keeps polling; a refusal (expired, denied) stops.
      if (poll.status === 502) return show({ note: `The provider did not answer (${poll.error}); trying again.` })
      return show({ stopped: `The login failed: ${poll.error}` })
    })
    .post('/providers/oauth/:provider/import', async ({ params, request }) => {
      const provider = oauthProviderOf(params.provider)
      if (!provider?.flows.includes('import')) return respond(request, <FailedPanel provider={provider} message="This provider does not take imported tokens." />)
      const form = texts(await readForm(request))
      const parsed = importForm.safeParse(form)
      if (!parsed.success) return respond(request, <ImportPanel provider={provider} values={form} errors={firstErrors(parsed.error.issues)} />)
      const done = await callApi(request, 'POST', `/${provider.id}/import`, { refreshToken: parsed.data.refreshToken, name: parsed.data.name || undefined })
      if (!done.ok) return respond(request, <ImportPanel provider={provider} values={form} errors={{ refreshToken: done.status === 400 ? done.error : `the provider did not answer: ${done.error}` }} />)
      return connected(request, provider, done.json.connection)
    })
    .post('/providers/accounts/:id/:action', async ({ params, request }) => {
      const id = Number(params.id)
      const answer =
        params.action === 'quota'
          ? await callApi(request, 'GET', `/quota/${id}?refresh=1`)
          : params.action === 'refresh'
            ? await callApi(request, 'POST', `/refresh/${id}`)
            : { ok: false, status: 404, json: {}, error: 'unknown action' }
      const notice = answer.ok
        ? { tone: 'ok' as const, text: params.action === 'quota' ? (answer.json.quota ? 'Quota read.' : 'This provider reports no quota.') : 'Token refreshed.' }
        : { tone: 'bad' as const, text: `${params.action === 'quota' ? 'Could not read the quota' : 'Could not refresh the token'}: ${answer.error}` }
      const account = accountViews(context).find((view) => view.id === id)
      const card = account ? <OAuthAccountCard account={account} now={context.now()} notice={notice} /> : <p class="muted">This account no longer exists.</p>
      const fragment = (
        <>
          {card}
          {list(true)}
        </>
      )
      return respond(request, <OAuthPanel />, fragment)
    })
}

/** "Test" for a subscription connection: tokens fresh (refreshed when due), then a quota read where the provider has one. */
async function checkSubscription(context: AppContext, connection: Parameters<ReturnType<typeof oauthServiceFor>['ensureFresh']>[0]) {
  const started = context.now()
  const oauth = oauthServiceFor(context)
  const result = (ok: boolean, reason: string) => ({ ok, reason, latencyMs: Math.max(0, context.now() - started) })
  try {
    const tokens = await oauth.ensureFresh(connection)
    if (tokens.relogin) return result(false, `needs re-login: ${tokens.relogin.reason}`)
    const quota = getSubscriptionProvider(connection.provider)?.readQuota ? await oauth.readQuota(connection) : undefined
    return result(true, quota ? `signed in; quota read (${quota.windows.length} windows)` : 'signed in; the token is valid')
  } catch (error) {
    return result(false, (error as Error).message)
  }
}
