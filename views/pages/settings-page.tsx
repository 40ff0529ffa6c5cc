import type { Timeouts } from '../../src/services/registry'
import { CorsSection, Import9routerSection, NotificationsSection } from '../partials/settings-integrations'
import { PricesSection, type PricesSectionProps } from '../partials/prices-section'
import { Card, Field, FieldError, Notice, type Errors } from '../components/ui'
import { RequireKeySection } from './endpoint-page'

/** The password change form. */
export function PasswordSection({ errors = {}, notice }: { errors?: Errors; notice?: string }) {
  return (
    <section class="card" id="password">
      <h2>Dashboard password</h2>
      <form hx-post="/dashboard/settings/password" hx-target="#password" hx-swap="outerHTML" method="post" action="/dashboard/settings/password">
        <div class="form-grid">
          <Field label="Current password" name="current" type="password" id="password-current" error={errors.current} autocomplete="current-password" />
          <Field label="New password" name="next" type="password" id="password-next" error={errors.next} autocomplete="new-password" hint="At least 8 characters." />
          <Field label="Repeat new password" name="confirm" type="password" id="password-confirm" error={errors.confirm} autocomplete="new-password" />
        </div>
        <button type="submit" hx-confirm="Change the password? Every other signed-in browser is signed out.">
          Change password
        </button>
      </form>
      <Notice tone="ok" text={notice} />
    </section>
  )
}

/** A provider's pool settings as the routing form shows them. */
export interface PoolRow {
  id: string
  name: string
  connections: number
  strategy: 'priority' | 'round-robin'
  affinity: boolean
}

/** Account pool strategy per provider (only providers with connections), and whether broken answers are carried on. */
export function RoutingSection({ pools, carryOn, notice, errors = {} }: { pools: PoolRow[]; carryOn: boolean; notice?: string; errors?: Errors }) {
  return (
    <section class="card" id="routing">
      <h2>Routing defaults</h2>
      <p class="muted">How several accounts of one provider share requests. Priority fills the lowest number first; round-robin spreads the load.</p>
      {pools.length === 0 ? (
        <p class="muted">Add connections first.</p>
      ) : (
        <form hx-post="/dashboard/settings/routing" hx-target="#routing" hx-swap="outerHTML" method="post" action="/dashboard/settings/routing">
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Provider</th>
                  <th>Strategy</th>
                  <th>Keep conversations on one account</th>
                </tr>
              </thead>
              <tbody>
                {pools.map((pool) => (
                  <tr>
                    <td safe>{`${pool.name} (${pool.connections})`}</td>
                    <td>
                      <select name={`strategy.${pool.id}`} aria-label={`Strategy for ${pool.name}`}>
                        <option value="priority" selected={pool.strategy === 'priority'}>
                          priority
                        </option>
                        <option value="round-robin" selected={pool.strategy === 'round-robin'}>
                          round-robin
                        </option>
                      </select>
                    </td>
                    <td>
                      <label class="check">
                        <input type="checkbox" name={`affinity.${pool.id}`} value="on" checked={pool.affinity} /> affinity
                      </label>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <label class="check">
            <input type="checkbox" name="carryOn" value="on" checked={carryOn} /> Carry broken answers on: when a stream breaks after output began, the next account
            finishes the answer
          </label>
          <FieldError error={errors.form} />
          <button type="submit">Save routing</button>
        </form>
      )}
      <Notice tone="ok" text={notice} />
    </section>
  )
}

/** Upstream timeouts (seconds) and the request size limit. */
export function TimeoutsSection({ timeouts, maxBodyMb, errors = {}, notice }: { timeouts: Timeouts; maxBodyMb: number; errors?: Errors; notice?: string }) {
  const seconds = (ms: number) => String(ms / 1000)
  return (
    <section class="card" id="timeouts">
      <h2>Timeouts and limits</h2>
      <form hx-post="/dashboard/settings/timeouts" hx-target="#timeouts" hx-swap="outerHTML" method="post" action="/dashboard/settings/timeouts">
        <div class="form-grid">
          <Field label="Connect (s)" name="connectMs" value={seconds(timeouts.connectMs)} error={errors['timeouts.connectMs']} inputmode="decimal" />
          <Field label="First byte (s)" name="firstByteMs" value={seconds(timeouts.firstByteMs)} error={errors['timeouts.firstByteMs']} inputmode="decimal" hint="Until the upstream starts answering." />
          <Field label="Idle (s)" name="idleMs" value={seconds(timeouts.idleMs)} error={errors['timeouts.idleMs']} inputmode="decimal" hint="Longest silence inside a stream." />
          <Field label="Total (s)" name="totalMs" value={seconds(timeouts.totalMs)} error={errors['timeouts.totalMs']} inputmode="decimal" />
          <Field label="Max request body (MB)" name="maxBodyMb" value={String(maxBodyMb)} error={errors.maxBodyBytes} inputmode="decimal" />
        </div>
        <button type="submit">Save timeouts</button>
      </form>
      <Notice tone="ok" text={notice} />
    </section>
  )
}

/** Request logging: full bodies on or off and the size cap per body. */
export function RequestLogsSection(props: { enabled: boolean; maxBodyKb: number | string; envOverride?: boolean; errors?: Errors; notice?: string }) {
  const errors = props.errors ?? {}
  return (
    <section class="card" id="request-logs">
      <h2>Request logging</h2>
      <p class="muted">Keeps full client and upstream bodies (credentials redacted) for the Logs page. Bodies can hold private prompts; leave it off unless you are debugging.</p>
      {props.envOverride === undefined ? (
        ''
      ) : (
        <p class="muted" safe>{`ENABLE_REQUEST_LOGS=${String(props.envOverride)} is set in the environment and wins over this switch.`}</p>
      )}
      <form hx-post="/dashboard/settings/request-logs" hx-target="#request-logs" hx-swap="outerHTML" method="post" action="/dashboard/settings/request-logs">
        <label class="check">
          <input type="checkbox" name="enabled" value="on" checked={props.enabled} /> Log request and response bodies
        </label>
        <div class="form-grid">
          <Field label="Body cap (KB)" name="maxBodyKb" id="request-logs-cap" value={String(props.maxBodyKb)} error={errors['requestLogs.maxBodyBytes']} inputmode="numeric" hint="Longer bodies are cut; 1 to 65536 KB." />
        </div>
        <FieldError error={errors.form} />
        <button type="submit">Save logging</button>
      </form>
      <Notice tone="ok" text={props.notice} />
    </section>
  )
}

/** The token saver: shell-tool outputs cleaned before they go upstream, and optionally cut to their head and tail. */
export function TokenSaverSection(props: { enabled: boolean; maxLines: number | string; errors?: Errors; notice?: string }) {
  const errors = props.errors ?? {}
  return (
    <section class="card" id="token-saver">
      <h2>Token saver</h2>
      <p class="muted">
        Agents send every command's output again on each turn. This cleans the output of shell tools (Bash, shell, exec_command, execute_command…)
        before it goes upstream: colour codes go, a progress bar keeps its last state, a line repeated many times becomes one line and a count.
        File contents and other tools' results are never touched. Responses say how much it saved (x-modelmux-token-saver).
      </p>
      <form hx-post="/dashboard/settings/token-saver" hx-target="#token-saver" hx-swap="outerHTML" method="post" action="/dashboard/settings/token-saver">
        <label class="check">
          <input type="checkbox" name="enabled" value="on" checked={props.enabled} /> Clean shell-tool outputs
        </label>
        <div class="form-grid">
          <Field label="Keep at most (lines)" name="maxLines" id="token-saver-max-lines" value={String(props.maxLines)} error={errors['tokenSaver.maxLines']} inputmode="numeric" placeholder="no limit" hint="Longer outputs keep their first 60 % and last 40 % of this, with a note of what was left out (not for failed commands). Blank: never cut." />
        </div>
        <FieldError error={errors.form} />
        <button type="submit">Save token saver</button>
      </form>
      <Notice tone="ok" text={props.notice} />
    </section>
  )
}

/** How long raw usage rows and request logs are kept. */
export function RetentionSection(props: { usageDays: number | string; requestLogDays: number | string; errors?: Errors; notice?: string }) {
  const errors = props.errors ?? {}
  return (
    <section class="card" id="retention">
      <h2>Retention</h2>
      <p class="muted">Older raw rows are pruned daily; hourly usage totals are kept forever.</p>
      <form hx-post="/dashboard/settings/retention" hx-target="#retention" hx-swap="outerHTML" method="post" action="/dashboard/settings/retention">
        <div class="form-grid">
          <Field label="Usage events (days)" name="usageDays" id="retention-usage" value={String(props.usageDays)} error={errors['retention.usageDays']} inputmode="numeric" />
          <Field label="Request logs (days)" name="requestLogDays" id="retention-logs" value={String(props.requestLogDays)} error={errors['retention.requestLogDays']} inputmode="numeric" />
        </div>
        <FieldError error={errors.form} />
        <button type="submit">Save retention</button>
      </form>
      <Notice tone="ok" text={props.notice} />
    </section>
  )
}

/** How a connection is paid for, as the tiers form shows it. */
export interface TierRow {
  name: string
  provider: string
  /** The stored choice, or 'default' (the provider's own tier). */
  tier: 'subscription' | 'free' | 'paid' | 'default'
  defaultTier: 'subscription' | 'free' | 'paid'
}

/** Tier per connection: subscription and free connections cost nothing in usage totals. */
export function TiersSection({ rows, errors = {}, notice }: { rows: TierRow[]; errors?: Errors; notice?: string }) {
  return (
    <section class="card" id="tiers">
      <h2>Tiers</h2>
      <p class="muted">How each connection is paid for. Subscription and free connections count as zero cost; the list price is still shown as savings.</p>
      {rows.length === 0 ? (
        <p class="muted">Add connections first.</p>
      ) : (
        <form hx-post="/dashboard/settings/tiers" hx-target="#tiers" hx-swap="outerHTML" method="post" action="/dashboard/settings/tiers">
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Connection</th>
                  <th>Tier</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr>
                    <td safe>{`${row.name} (${row.provider})`}</td>
                    <td>
                      <select name={`tier.${row.name}`} aria-label={`Tier of ${row.name}`}>
                        <option value="default" selected={row.tier === 'default'} safe>{`default (${row.defaultTier})`}</option>
                        {(['subscription', 'free', 'paid'] as const).map((tier) => (
                          <option value={tier} selected={row.tier === tier}>
                            {tier}
                          </option>
                        ))}
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <FieldError error={errors.form} />
          <button type="submit">Save tiers</button>
        </form>
      )}
      <Notice tone="ok" text={notice} />
    </section>
  )
}

/** Backup download and restore from an uploaded backup (asks to confirm; refusals change nothing). */
export function DatabaseSection({ notice, error }: { notice?: string; error?: string }) {
  return (
    <section class="card" id="database">
      <h2>Database backup</h2>
      <p class="muted">A consistent copy of the whole database (connections with their encrypted keys, combos, usage). Keys stay encrypted with this install's encryption.key.</p>
      <a class="button secondary" href="/dashboard/settings/backup" download="">
        Download backup
      </a>
      <h3>Configuration as a file</h3>
      <p class="muted">
        Connections, combos, aliases and settings in the config-file format (<code>modelmux --config FILE</code> applies it), with no secret in it: no keys,
        tokens or webhook address. Keep it in version control or take it to another machine, then add the keys there.
      </p>
      <a class="button secondary" href="/dashboard/settings/config.json" download="">
        Download config (no secrets)
      </a>
      <h3>Restore</h3>
      <p class="muted">
        Replaces connections, combos, aliases, client keys and settings with those of a backup (usage history and your password stay). A copy of the current database is saved next to it first. The
        backup must come from an install with the same encryption.key.
      </p>
      <form
        hx-post="/dashboard/settings/restore"
        hx-target="#database"
        hx-swap="outerHTML"
        hx-confirm="Replace the current configuration with this backup? A copy of the current database is kept."
        method="post"
        action="/dashboard/settings/restore"
        enctype="multipart/form-data"
      >
        <div class="field">
          <label for="restore-file">Backup file</label>
          <input id="restore-file" type="file" name="file" accept=".db,.sqlite,.sqlite3,application/vnd.sqlite3" required />
        </div>
        <label class="check">
          <input type="checkbox" name="confirm" value="yes" required /> I understand this replaces the current configuration
        </label>
        <FieldError error={error} />
        <button type="submit" class="danger">
          Restore backup
        </button>
      </form>
      <Notice tone="ok" text={notice} />
    </section>
  )
}

/** Everything the Settings page shows. */
export interface SettingsPageProps {
  required: boolean
  requiredLocked: boolean
  pools: PoolRow[]
  carryOn: boolean
  timeouts: Timeouts
  maxBodyMb: number
  version: string
  dataDir: string
  requestLogs: boolean
  requestLogsSection: Parameters<typeof RequestLogsSection>[0]
  tokenSaver: Parameters<typeof TokenSaverSection>[0]
  cors: Parameters<typeof CorsSection>[0]
  notifications: Parameters<typeof NotificationsSection>[0]
  retention: Parameters<typeof RetentionSection>[0]
  tiers: TierRow[]
  prices: PricesSectionProps
  database?: Parameters<typeof DatabaseSection>[0]
  import9router?: Parameters<typeof Import9routerSection>[0]
}

/** The Settings page. */
export function SettingsPage(props: SettingsPageProps) {
  return (
    <>
      <h1 class="page-title">Settings</h1>
      <PasswordSection />
      <RequireKeySection required={props.required} locked={props.requiredLocked} />
      <Card title="Sign-in">
        <p class="muted">The dashboard always asks for the password; sessions last one day and end when the password changes.</p>
      </Card>
      <RoutingSection pools={props.pools} carryOn={props.carryOn} />
      <TimeoutsSection timeouts={props.timeouts} maxBodyMb={props.maxBodyMb} />
      <TokenSaverSection {...props.tokenSaver} />
      <TiersSection rows={props.tiers} />
      <PricesSection {...props.prices} />
      <CorsSection {...props.cors} />
      <NotificationsSection {...props.notifications} />
      <RequestLogsSection {...props.requestLogsSection} />
      <RetentionSection {...props.retention} />
      <DatabaseSection {...props.database} />
      <Import9routerSection {...props.import9router} />
      <Card title="About">
        <p class="muted" safe>{`modelmux ${props.version} · data in ${props.dataDir} · request logging ${props.requestLogs ? 'on' : 'off'}`}</p>
      </Card>
    </>
  )
}
