import { Field, FieldError, Notice, type Errors } from '../components/ui'

/** Web origins (besides local pages) whose pages may call the client API from a browser, with a client key. */
export function CorsSection(props: { origins: string; errors?: Errors; notice?: string }) {
  const errors = props.errors ?? {}
  const error = Object.entries(errors).find(([key]) => key.startsWith('corsOrigins'))?.[1] ?? errors.form
  return (
    <section class="card" id="cors">
      <h2>Web apps</h2>
      <p class="muted">
        Pages on this machine (any port of localhost or 127.0.0.1) may call the client API from a browser. List here the other sites whose pages
        may, such as a chat UI you host; their requests still need a client key.
      </p>
      <form hx-post="/dashboard/settings/cors" hx-target="#cors" hx-swap="outerHTML" method="post" action="/dashboard/settings/cors">
        <div class="field">
          <label for="cors-origins">Allowed origins, one per line</label>
          <textarea id="cors-origins" name="origins" rows="3" placeholder="https://chat.example.com" aria-invalid={error ? 'true' : undefined} safe>
            {props.origins}
          </textarea>
          <FieldError error={error} />
        </div>
        <button type="submit">Save origins</button>
      </form>
      <Notice tone="ok" text={props.notice} />
    </section>
  )
}

/** The notification webhook: where account problems are posted; the stored address is never shown back in full. */
export function NotificationsSection(props: { configured?: string; errors?: Errors; notice?: string; failure?: string }) {
  const errors = props.errors ?? {}
  return (
    <section class="card" id="notifications">
      <h2>Notifications</h2>
      <p class="muted">
        A webhook (Slack, Discord or your own) is told when an account needs a new login or key, runs out of quota for 15 minutes or more, is paused
        after repeated failures or reaches its budget, and again when it serves requests again; and when a budget passes its warning share. Checked
        once a minute.
      </p>
      {props.configured ? <p class="small-text" safe>{`Sending to ${props.configured}`}</p> : <p class="muted small-text">No webhook set.</p>}
      <form hx-post="/dashboard/settings/notifications" hx-target="#notifications" hx-swap="outerHTML" method="post" action="/dashboard/settings/notifications">
        <Field label={props.configured ? 'Replace the webhook URL' : 'Webhook URL'} name="webhookUrl" id="notifications-url" type="url" error={errors['notifications.webhookUrl'] ?? errors.form} placeholder="https://hooks.slack.com/services/…" />
        <div class="button-row">
          <button type="submit">Save webhook</button>
          {props.configured ? (
            <button type="button" class="secondary" hx-post="/dashboard/settings/notifications/test" hx-target="#notifications" hx-swap="outerHTML">
              Send a test message
            </button>
          ) : (
            ''
          )}
        </div>
      </form>
      {props.configured ? (
        <form class="button-row" method="post" action="/dashboard/settings/notifications/remove" hx-post="/dashboard/settings/notifications/remove" hx-target="#notifications" hx-swap="outerHTML" hx-confirm="Stop sending notifications?">
          <button type="submit" class="danger">
            Remove the webhook
          </button>
        </form>
      ) : (
        ''
      )}
      <Notice tone="ok" text={props.notice} />
      <Notice tone="bad" text={props.failure} />
    </section>
  )
}

/** Import from 9router: its db.json uploaded, what came over and what did not. */
export function Import9routerSection(props: { notice?: string; notes?: string[]; error?: string }) {
  return (
    <section class="card" id="import-9router">
      <h2>Import from 9router</h2>
      <p class="muted">
        Upload 9router's <code>db.json</code> (in <code>~/.9router</code>): its API-key connections, custom nodes, combos, aliases and client keys
        come over, and your tools keep working with the keys they have. Subscription logins do not move; sign in again on the Providers page.
      </p>
      <form hx-post="/dashboard/settings/import-9router" hx-target="#import-9router" hx-swap="outerHTML" method="post" action="/dashboard/settings/import-9router" enctype="multipart/form-data">
        <div class="field">
          <label for="import-9router-file">9router db.json</label>
          <input id="import-9router-file" type="file" name="file" accept=".json,application/json" required />
        </div>
        <button type="submit" class="secondary">
          Import
        </button>
      </form>
      <Notice tone="ok" text={props.notice} />
      <Notice tone="bad" text={props.error} />
      {props.notes && props.notes.length > 0 ? (
        <ul class="small-text">
          {props.notes.map((note) => (
            <li safe>{note}</li>
          ))}
        </ul>
      ) : (
        ''
      )}
    </section>
  )
}
