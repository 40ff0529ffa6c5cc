import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Elysia } from 'elysia'
import { fileStamp } from '../../core/ids'
import {
  DatabaseSection,
  PasswordSection,
  RequestLogsSection,
  TokenSaverSection,
  RetentionSection,
  RoutingSection,
  SettingsPage,
  TiersSection,
  TimeoutsSection,
  type PoolRow,
  type TierRow,
} from '../../../views/pages/settings-page'
import { CorsSection, Import9routerSection, NotificationsSection } from '../../../views/partials/settings-integrations'
import { getProvider } from '../../providers'
import { isApiKeyRequired } from '../../services/client-auth'
import type { AppContext } from '../../services/context'
import { restoreDatabase } from '../../services/database-restore'
import { changePassword, patchSettings, readSettings, requestLogsFromForm, tokenSaverFromForm, retentionFromForm, tiersFromForm, timeoutsFromForm, type FieldErrors } from '../../services/management'
import { defaultMaxLoggedBodyBytes, isRequestLoggingEnabled } from '../../services/request-log'
import { sendTestNotification } from '../../services/notifier'
import { configDownload } from '../../services/config-export'
import { import9router } from '../../services/import-9router'
import { defaultRetention } from '../../services/usage-retention'
import { backupDatabase } from '../../store/dashboard-queries'
import { sessionCookie, sessionPlugin } from '../session'
import { pricesSection } from './prices'
import { field, isPartialRequest, readForm, renderFragment, renderPage } from './render'

const MB = 1024 * 1024
const timeoutLimits: Record<string, string> = {
  'timeouts.connectMs': 'a number of seconds from 0.1 to 600',
  'timeouts.firstByteMs': 'a number of seconds from 0.1 to 3600',
  'timeouts.idleMs': 'a number of seconds from 0.1 to 3600',
  'timeouts.totalMs': 'a number of seconds from 0.1 to 86400',
}

const KB = 1024

/** Settings are checked in the stored units (ms, bytes); a form field's error speaks the form's unit instead, where `inFormUnits` names one. */
const inFormUnits = (errors: FieldErrors, messageFor: (key: string) => string | undefined): FieldErrors =>
  Object.fromEntries(Object.entries(errors).map(([key, message]) => [key, messageFor(key) ?? message]))
const kbErrors = (errors: FieldErrors) => inFormUnits(errors, (key) => (key === 'requestLogs.maxBodyBytes' ? 'a whole number of KB from 1 to 65536' : undefined))
const dayErrors = (errors: FieldErrors) => inFormUnits(errors, (key) => (key.startsWith('retention.') ? 'a whole number of days from 1 to 36500' : undefined))

/** `https://Chat.Example.com/` as the origin a browser sends (`https://chat.example.com`); anything with a path stays as typed, for validation to refuse. */
function asOrigin(typed: string): string {
  try {
    const url = new URL(typed)
    return url.pathname === '/' && !url.search && !url.hash && !typed.includes('@') ? url.origin : typed
  } catch {
    return typed
  }
}

/** The Settings page and its forms: password, routing defaults, timeouts, tiers, logging, retention, backup and restore. */
export function settingsPages(context: AppContext) {
  const pools = (): PoolRow[] => {
    const counts = new Map<string, { name: string; connections: number }>()
    for (const { provider } of context.registry.connections) counts.set(provider.id, { name: provider.name, connections: (counts.get(provider.id)?.connections ?? 0) + 1 })
    const configured = context.registry.settings.routing?.providers ?? {}
    return [...counts].map(([id, { name, connections }]) => {
      const strategy = configured[id]?.strategy ?? 'priority'
      return { id, name, connections, strategy, affinity: configured[id]?.affinity ?? strategy === 'round-robin' }
    })
  }
  /** The request size limit in MB, to two decimals. */
  const maxBodyMb = () => Math.round((context.registry.maxBodyBytes / MB) * 100) / 100
  const timeouts = (errors = {}, notice?: string) => (
    <TimeoutsSection timeouts={context.registry.timeouts} maxBodyMb={maxBodyMb()} errors={errors} notice={notice} />
  )
  const tierRows = (): TierRow[] => {
    const stored = readSettings(context).tiers ?? {}
    return context.registry.connections.map(({ connection, provider }) => ({
      name: connection.name,
      provider: provider.name,
      tier: stored[connection.name] ?? 'default',
      defaultTier: (getProvider(connection.provider) as { tier?: TierRow['defaultTier'] } | undefined)?.tier ?? 'paid',
    }))
  }
  const requestLogs = (errors: FieldErrors = {}, notice?: string) => {
    const stored = readSettings(context).requestLogs
    return { enabled: stored?.enabled ?? false, maxBodyKb: Math.round((stored?.maxBodyBytes ?? defaultMaxLoggedBodyBytes) / KB), envOverride: context.runtime.enableRequestLogs, errors, notice }
  }
  const tokenSaver = (errors: FieldErrors = {}, notice?: string) => {
    const stored = readSettings(context).tokenSaver
    return { enabled: stored?.enabled ?? false, maxLines: stored?.maxLines ?? '', errors, notice }
  }
  // Only the webhook's origin is shown: its path is usually its secret.
  const notifications = (extra: { errors?: FieldErrors; notice?: string; failure?: string } = {}) => {
    const url = readSettings(context).notifications?.webhookUrl
    return { configured: url ? `${new URL(url).origin}/…` : undefined, ...extra }
  }
  const cors = (errors: FieldErrors = {}, notice?: string) => ({ origins: (readSettings(context).corsOrigins ?? []).join('\n'), errors, notice })
  const retention = (errors: FieldErrors = {}, notice?: string) => {
    const stored = readSettings(context).retention
    return { usageDays: stored?.usageDays ?? defaultRetention.usageDays, requestLogDays: stored?.requestLogDays ?? defaultRetention.requestLogDays, errors, notice }
  }
  const settingsPage = (request: Request, database?: { notice?: string; error?: string }, imported?: Parameters<typeof Import9routerSection>[0]) =>
    renderPage(request, {
      title: 'Settings',
      active: 'settings',
      body: (
        <SettingsPage
          required={isApiKeyRequired(context)}
          requiredLocked={context.runtime.requireApiKey !== undefined}
          pools={pools()}
          carryOn={readSettings(context).routing?.carryOn !== false}
          timeouts={context.registry.timeouts}
          maxBodyMb={maxBodyMb()}
          version={context.version}
          dataDir={context.runtime.dataDir}
          requestLogs={isRequestLoggingEnabled(context)}
          requestLogsSection={requestLogs()}
          tokenSaver={tokenSaver()}
          cors={cors()}
          notifications={notifications()}
          retention={retention()}
          tiers={tierRows()}
          prices={pricesSection(context)}
          database={database}
          import9router={imported}
        />
      ),
    })
  return new Elysia({ name: 'pages/settings' })
    .use(sessionPlugin(context))
    .get('/settings', ({ request }) => settingsPage(request))
    .post('/settings/password', async ({ request, cookie, signSession }) => {
      const form = await readForm(request)
      const result = await changePassword(context, { current: field(form, 'current'), next: field(form, 'next'), confirm: field(form, 'confirm') })
      if (!result.ok) return renderFragment(<PasswordSection errors={result.errors} />)
      // The change signs every session out; this browser gets a fresh one.
      cookie.auth_token.set(sessionCookie(context, await signSession()))
      return renderFragment(<PasswordSection notice="Password changed. Other browsers are signed out." />)
    })
    .post('/settings/routing', async ({ request }) => {
      const form = await readForm(request)
      const providers: Record<string, { strategy: 'priority' | 'round-robin'; affinity: boolean }> = {}
      for (const pool of pools()) {
        const strategy = field(form, `strategy.${pool.id}`) === 'round-robin' ? 'round-robin' : 'priority'
        providers[pool.id] = { strategy, affinity: field(form, `affinity.${pool.id}`) === 'on' }
      }
      const carryOn = field(form, 'carryOn') === 'on'
      const result = patchSettings(context, (settings) => ({
        ...settings,
        routing: { ...settings.routing, providers: { ...settings.routing?.providers, ...providers }, carryOn: carryOn ? undefined : false },
      }))
      const saved = readSettings(context).routing?.carryOn !== false
      return renderFragment(<RoutingSection pools={pools()} carryOn={saved} notice={result.ok ? 'Saved.' : undefined} errors={result.ok ? {} : { form: Object.values(result.errors)[0] }} />)
    })
    .post('/settings/timeouts', async ({ request }) => {
      const form = await readForm(request)
      const megabytes = Number(field(form, 'maxBodyMb'))
      const result = patchSettings(context, (settings) => ({
        ...settings,
        timeouts: { ...settings.timeouts, ...timeoutsFromForm(form) },
        ...(field(form, 'maxBodyMb') === '' ? {} : { maxBodyBytes: Number.isFinite(megabytes) ? Math.round(megabytes * MB) : (field(form, 'maxBodyMb') as unknown as number) }),
      }))
      if (result.ok) return renderFragment(timeouts({}, 'Saved.'))
      // Limits are checked in ms; the form speaks seconds.
      return renderFragment(timeouts(inFormUnits(result.errors, (key) => (key.startsWith('timeouts.') ? `${timeoutLimits[key]}` : undefined))))
    })
    .post('/settings/tiers', async ({ request }) => {
      const form = await readForm(request)
      const result = patchSettings(context, (settings) => ({ ...settings, tiers: tiersFromForm(form, settings.tiers, context.registry.connections.map(({ connection }) => connection.name)) }))
      return renderFragment(<TiersSection rows={tierRows()} notice={result.ok ? 'Saved.' : undefined} errors={result.ok ? {} : { form: Object.values(result.errors)[0] }} />)
    })
    .post('/settings/token-saver', async ({ request }) => {
      const form = await readForm(request)
      const result = patchSettings(context, (settings) => ({ ...settings, tokenSaver: tokenSaverFromForm(form) }))
      return renderFragment(<TokenSaverSection {...(result.ok ? tokenSaver({}, 'Saved.') : { ...tokenSaver(result.errors), enabled: field(form, 'enabled') === 'on', maxLines: field(form, 'maxLines') })} />)
    })
    .post('/settings/notifications', async ({ request }) => {
      const url = field(await readForm(request), 'webhookUrl').trim()
      // A blank field saves nothing: removing the webhook takes its own button.
      if (!url) return renderFragment(<NotificationsSection {...notifications({ errors: { form: 'Type the webhook URL to save.' } })} />)
      const result = patchSettings(context, (settings) => ({ ...settings, notifications: { webhookUrl: url } }))
      return renderFragment(<NotificationsSection {...notifications(result.ok ? { notice: 'Saved.' } : { errors: result.errors })} />)
    })
    .post('/settings/notifications/remove', () => {
      patchSettings(context, (settings) => ({ ...settings, notifications: undefined }))
      return renderFragment(<NotificationsSection {...notifications({ notice: 'Removed: no more notifications.' })} />)
    })
    .post('/settings/notifications/test', async () => {
      const url = readSettings(context).notifications?.webhookUrl
      if (!url) return renderFragment(<NotificationsSection {...notifications({ failure: 'Set a webhook first.' })} />)
      try {
        const status = await sendTestNotification(context, url)
        return renderFragment(<NotificationsSection {...notifications(status < 300 ? { notice: `Sent; the webhook answered ${status}.` } : { failure: `The webhook answered ${status}.` })} />)
      } catch (error) {
        return renderFragment(<NotificationsSection {...notifications({ failure: `The webhook could not be reached: ${(error as Error).message}` })} />)
      }
    })
    .post('/settings/cors', async ({ request }) => {
      const typed = field(await readForm(request), 'origins')
      const origins = [...new Set(typed.split(/[\s,]+/).filter(Boolean).map(asOrigin))]
      const result = patchSettings(context, (settings) => ({ ...settings, corsOrigins: origins.length > 0 ? origins : undefined }))
      return renderFragment(<CorsSection {...(result.ok ? cors({}, 'Saved.') : { ...cors(result.errors), origins: typed })} />)
    })
    .post('/settings/request-logs', async ({ request }) => {
      const form = await readForm(request)
      const result = patchSettings(context, (settings) => ({ ...settings, requestLogs: { ...settings.requestLogs, ...requestLogsFromForm(form) } }))
      return renderFragment(<RequestLogsSection {...(result.ok ? requestLogs({}, 'Saved.') : { ...requestLogs(kbErrors(result.errors)), enabled: field(form, 'enabled') === 'on', maxBodyKb: field(form, 'maxBodyKb') })} />)
    })
    .post('/settings/retention', async ({ request }) => {
      const form = await readForm(request)
      const result = patchSettings(context, (settings) => ({ ...settings, retention: { ...settings.retention, ...retentionFromForm(form) } }))
      if (result.ok) return renderFragment(<RetentionSection {...retention({}, 'Saved.')} />)
      return renderFragment(<RetentionSection {...retention(dayErrors(result.errors))} usageDays={field(form, 'usageDays')} requestLogDays={field(form, 'requestLogDays')} />)
    })
    .post('/settings/restore', async ({ request }) => {
      const partial = isPartialRequest(request)
      const respond = (outcome: { notice?: string; error?: string }) => (partial ? renderFragment(<DatabaseSection {...outcome} />) : settingsPage(request, outcome))
      const form = await request.formData().catch(() => undefined)
      if (form?.get('confirm') !== 'yes') return respond({ error: 'Tick the confirmation box to restore.' })
      const file = form.get('file')
      if (!file || typeof file === 'string' || file.size === 0) return respond({ error: 'Choose a backup file.' })
      const result = restoreDatabase(context, new Uint8Array(await file.arrayBuffer()))
      if (!result.ok) return respond({ error: `Not restored: ${result.error}. Nothing was changed.` })
      const total = Object.values(result.counts).reduce((sum, count) => sum + count, 0)
      return respond({ notice: `Restored ${total} records (${result.counts.connections} connections). The previous database was saved as ${result.backupPath}.` })
    })
    .post('/settings/import-9router', async ({ request }) => {
      const partial = isPartialRequest(request)
      const respond = (outcome: Parameters<typeof Import9routerSection>[0]) => (partial ? renderFragment(<Import9routerSection {...outcome} />) : settingsPage(request, undefined, outcome))
      const file = (await request.formData().catch(() => undefined))?.get('file')
      if (!file || typeof file === 'string' || file.size === 0) return respond({ error: 'Choose 9router\'s db.json.' })
      let parsed: unknown
      try {
        parsed = JSON.parse(await file.text())
      } catch {
        return respond({ error: 'That file is not JSON. Nothing was changed.' })
      }
      try {
        const { summary, notes } = import9router(context.db, context.encryptionKey, parsed, { now: context.now() })
        context.reload()
        return respond({ notice: `${summary}.`, notes })
      } catch (error) {
        return respond({ error: `Not imported: ${(error as Error).message}. Nothing was changed.` })
      }
    })
    .get('/settings/config.json', () => configDownload(context.db, context.encryptionKey))
    .get('/settings/backup', () => {
      const directory = mkdtempSync(join(tmpdir(), 'modelmux-backup-'))
      try {
        const path = join(directory, 'modelmux.db')
        backupDatabase(context.db, path)
        const bytes = readFileSync(path)
        const stamp = fileStamp(context.now())
        return new Response(bytes, {
          headers: { 'content-type': 'application/vnd.sqlite3', 'content-disposition': `attachment; filename="modelmux-${stamp}.db"`, 'cache-control': 'no-store' },
        })
      } finally {
        rmSync(directory, { recursive: true, force: true })
      }
    })
}
