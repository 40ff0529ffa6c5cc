import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Elysia } from 'elysia'
import { PasswordSection, RoutingSection, SettingsPage, TimeoutsSection, type PoolRow } from '../../../views/pages/settings-page'
import { isApiKeyRequired } from '../../services/client-auth'
import type { AppContext } from '../../services/context'
import { changePassword, patchSettings, timeoutsFromForm } from '../../services/management'
import { backupDatabase } from '../../store/dashboard-queries'
import { sessionCookie, sessionPlugin } from '../session'
import { field, readForm, renderFragment, renderPage } from './render'

const MB = 1024 * 1024
const timeoutLimits: Record<string, string> = {
  'timeouts.connectMs': 'a number of seconds from 0.1 to 600',
  'timeouts.firstByteMs': 'a number of seconds from 0.1 to 3600',
  'timeouts.idleMs': 'a number of seconds from 0.1 to 3600',
  'timeouts.totalMs': 'a number of seconds from 0.1 to 86400',
}

/** The Settings page and its forms: password, routing defaults, timeouts, backup download. */
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
  const timeouts = (errors = {}, notice?: string) => (
    <TimeoutsSection timeouts={context.registry.timeouts} maxBodyMb={Math.round((context.registry.maxBodyBytes / MB) * 100) / 100} errors={errors} notice={notice} />
  )
  return new Elysia({ name: 'pages/settings' })
    .use(sessionPlugin(context))
    .get('/settings', ({ request }) =>
      renderPage(request, {
        title: 'Settings',
        active: 'settings',
        body: (
          <SettingsPage
            required={isApiKeyRequired(context)}
            requiredLocked={context.runtime.requireApiKey !== undefined}
            pools={pools()}
            timeouts={context.registry.timeouts}
            maxBodyMb={Math.round((context.registry.maxBodyBytes / MB) * 100) / 100}
            version={context.version}
            dataDir={context.runtime.dataDir}
            requestLogs={context.runtime.enableRequestLogs === true}
          />
        ),
      }),
    )
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
      const result = patchSettings(context, (settings) => ({ ...settings, routing: { ...settings.routing, providers: { ...settings.routing?.providers, ...providers } } }))
      return renderFragment(<RoutingSection pools={pools()} notice={result.ok ? 'Saved.' : undefined} errors={result.ok ? {} : { form: Object.values(result.errors)[0] }} />)
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
      const errors = Object.fromEntries(Object.entries(result.errors).map(([key, message]) => [key, key.startsWith('timeouts.') ? `${timeoutLimits[key]}` : message]))
      return renderFragment(timeouts(errors))
    })
    .get('/settings/backup', () => {
      const directory = mkdtempSync(join(tmpdir(), 'modelmux-backup-'))
      try {
        const path = join(directory, 'modelmux.db')
        backupDatabase(context.db, path)
        const bytes = readFileSync(path)
        const stamp = new Date(context.now()).toISOString().replace(/[-:]/g, '').replace(/\..*/, '')
        return new Response(bytes, {
          headers: { 'content-type': 'application/vnd.sqlite3', 'content-disposition': `attachment; filename="modelmux-${stamp}.db"`, 'cache-control': 'no-store' },
        })
      } finally {
        rmSync(directory, { recursive: true, force: true })
      }
    })
}
