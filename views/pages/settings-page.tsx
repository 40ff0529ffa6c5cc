import type { Timeouts } from '../../src/services/registry'
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

/** Account pool strategy per provider (only providers with connections). */
export function RoutingSection({ pools, notice, errors = {} }: { pools: PoolRow[]; notice?: string; errors?: Errors }) {
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

/** The Settings page. */
export function SettingsPage(props: { required: boolean; requiredLocked: boolean; pools: PoolRow[]; timeouts: Timeouts; maxBodyMb: number; version: string; dataDir: string; requestLogs: boolean }) {
  return (
    <>
      <h1 class="page-title">Settings</h1>
      <PasswordSection />
      <RequireKeySection required={props.required} locked={props.requiredLocked} />
      <Card title="Sign-in">
        <p class="muted">The dashboard always asks for the password; sessions last one day and end when the password changes.</p>
      </Card>
      <RoutingSection pools={props.pools} />
      <TimeoutsSection timeouts={props.timeouts} maxBodyMb={props.maxBodyMb} />
      <Card title="Database backup">
        <p class="muted">A consistent copy of the whole database (connections with their encrypted keys, combos, usage). Keys stay encrypted with this install's encryption.key.</p>
        <a class="button secondary" href="/dashboard/settings/backup" download="">
          Download backup
        </a>
        <p class="muted small-text">To restore, stop modelmux and replace modelmux.db in the data directory with the backup.</p>
      </Card>
      <Card title="About">
        <p class="muted" safe>{`modelmux ${props.version} · data in ${props.dataDir} · request logging ${props.requestLogs ? 'on' : 'off'}`}</p>
      </Card>
    </>
  )
}
