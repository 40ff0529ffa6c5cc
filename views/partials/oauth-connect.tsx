import type { PropsWithChildren } from '@kitajs/html'
import { Countdown } from '../components/meter'
import { CopyButton, Field, FieldError, Notice, type Errors } from '../components/ui'

/** A subscription provider as the login panels show it. */
export interface OAuthProviderView {
  id: string
  name: string
  /** The short id (`cc`, `gh`…): the default model prefix of its connections. */
  alias: string
  flows: readonly ('authorization-code' | 'device-code' | 'import')[]
  /** A model to show as an example (`<alias>/<model>`). */
  exampleModel?: string
}

/** A started browser login, carried through the paste form. */
export interface AuthorizationView {
  authUrl: string
  state: string
  redirectUri: string
  /** modelmux listens on `redirectUri` itself, so a browser on this machine finishes the login alone. */
  listening: boolean
}

/** A device code waiting for the user's approval. */
export interface DeviceView {
  deviceCode: string
  userCode: string
  verificationUri: string
  verificationUriComplete?: string
  /** Seconds between polls. */
  interval: number
  /** When the code expires (epoch ms). */
  expiresAt: number
}

/** Where a provider's login actions live. */
export const oauthBase = (provider: Pick<OAuthProviderView, 'id'>) => `/dashboard/providers/oauth/${encodeURIComponent(provider.id)}`
const swapPanel = { 'hx-target': '#oauth-connect', 'hx-swap': 'outerHTML show:top' }

/** A URL safe to put in an href: http(s) only, anything else becomes "#". */
export function safeHref(url: string | undefined): string {
  try {
    const parsed = new URL(url ?? '')
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : '#'
  } catch {
    return '#'
  }
}

/** The login panel slot (`#oauth-connect`); hidden while no login is running. */
export function OAuthPanel({ title, children, oob }: PropsWithChildren<{ title?: string; oob?: boolean }>) {
  if (!title) return <section class="card oauth-panel" id="oauth-connect" hidden hx-swap-oob={oob ? 'true' : undefined}></section>
  return (
    <section class="card oauth-panel" id="oauth-connect" aria-live="polite" hx-swap-oob={oob ? 'true' : undefined}>
      <div class="card-head">
        <h2 safe>{title}</h2>
        <a class="button small secondary" href="/dashboard/providers" hx-get="/dashboard/providers/oauth" hx-target="#oauth-connect" hx-swap="outerHTML">
          Close
        </a>
      </div>
      {children}
    </section>
  )
}

/** Starts a login (a form post, so it also works without JavaScript); browser logins pre-open a tab for the provider page. */
export function ConnectButton({ provider, label = 'Connect', secondary }: { provider: OAuthProviderView; label?: string; secondary?: boolean }) {
  const action = `${oauthBase(provider)}/start`
  const browser = provider.flows.includes('authorization-code')
  return (
    <form method="post" action={action} hx-post={action} {...swapPanel} class="inline" data-login-window={browser ? 'true' : undefined}>
      <button type="submit" class={secondary ? 'small secondary' : 'small'} data-connect={provider.id}>
        <span safe>{label}</span>
      </button>
    </form>
  )
}

/** A link that opens the refresh-token import form (Kiro). */
export function ImportLink({ provider }: { provider: OAuthProviderView }) {
  const href = `${oauthBase(provider)}?flow=import`
  return (
    <a class="button small secondary" href={href} hx-get={href} {...swapPanel}>
      Import token
    </a>
  )
}

/** What connecting a provider involves, with its buttons (a full-page entry point). */
export function ChoosePanel({ provider }: { provider: OAuthProviderView }) {
  return (
    <OAuthPanel title={`Connect ${provider.name}`}>
      <p class="muted" safe>
        {provider.flows.includes('authorization-code')
          ? 'You sign in at the provider in a new tab; modelmux catches the redirect, or you paste the address it ends on.'
          : 'modelmux shows a code; you enter it on the provider’s page and this page notices when you approved.'}
      </p>
      <div class="button-row">
        <ConnectButton provider={provider} />
        {provider.flows.includes('import') ? <ImportLink provider={provider} /> : ''}
      </div>
    </OAuthPanel>
  )
}

/** Waits for the local callback listener to catch the browser (polls every 2 s; stops with a message). */
export function ListenPoller(props: { provider: OAuthProviderView; state: string; redirectUri: string; since: number; stopped?: string }) {
  const { provider, state, redirectUri, stopped } = props
  if (stopped) {
    return (
      <div id="oauth-listen" class="waiting-line">
        <p class="muted" safe>
          {stopped}
        </p>
      </div>
    )
  }
  const url = `${oauthBase(provider)}/status?state=${encodeURIComponent(state)}&redirect=${encodeURIComponent(redirectUri)}&since=${props.since}`
  return (
    <div id="oauth-listen" class="waiting-line" hx-get={url} hx-trigger="load delay:2s" hx-swap="outerHTML">
      <p>
        <span class="spinner" aria-hidden="true"></span>Waiting for the browser to come back to <code safe>{redirectUri}</code>. When the browser runs on this
        computer, this page notices by itself.
      </p>
    </div>
  )
}

/** Authorization-code login: open the provider's page, then wait for the redirect or take the pasted address / `code#state`. */
export function AuthorizePanel(props: { provider: OAuthProviderView; login: AuthorizationView; now: number; code?: string; errors?: Errors }) {
  const { provider, login, now, code = '', errors = {} } = props
  const action = `${oauthBase(provider)}/exchange`
  const href = safeHref(login.authUrl)
  return (
    <OAuthPanel title={`Connect ${provider.name}`}>
      <ol class="steps">
        <li>
          <p>Sign in at the provider and approve access. The page opens in a new tab; if it did not, open it here:</p>
          <div class="button-row">
            <a class="button" href={href} target="_blank" rel="noopener noreferrer" data-login-url x-data x-init="mmLoginReady($el)">
              Open the login page ↗
            </a>
            <CopyButton text={href} label="Copy link" />
          </div>
        </li>
        <li>
          {login.listening ? <ListenPoller provider={provider} state={login.state} redirectUri={login.redirectUri} since={now} /> : ''}
          <p class="muted small-text">
            Browser on another machine (modelmux over SSH, on a Pi…)? It ends on a page that does not load, or shows a code. Copy that whole address from
            the address bar, or the code, and paste it here.
          </p>
          <form method="post" action={action} hx-post={action} {...swapPanel} novalidate>
            <input type="hidden" name="state" value={login.state} />
            <input type="hidden" name="authUrl" value={login.authUrl} />
            <input type="hidden" name="redirectUri" value={login.redirectUri} />
            <input type="hidden" name="listening" value={login.listening ? '1' : '0'} />
            <FieldError error={errors.form} />
            <div class="field">
              <label for="oauth-code">Address the browser ended on, or the code</label>
              <input
                id="oauth-code"
                name="code"
                value={code}
                autocomplete="off"
                spellcheck="false"
                placeholder={`${login.redirectUri || 'http://localhost:…/callback'}?code=…&state=…   or   code#state`}
                aria-invalid={errors.code ? 'true' : undefined}
                aria-describedby={errors.code ? 'oauth-code-error' : undefined}
              />
              <FieldError error={errors.code} id="oauth-code-error" />
            </div>
            <button type="submit">Finish login</button>
          </form>
        </li>
      </ol>
    </OAuthPanel>
  )
}

const deviceFields = (device: DeviceView) => (
  <>
    <input type="hidden" name="deviceCode" value={device.deviceCode} />
    <input type="hidden" name="userCode" value={device.userCode} />
    <input type="hidden" name="verificationUri" value={device.verificationUri} />
    <input type="hidden" name="verificationUriComplete" value={device.verificationUriComplete ?? ''} />
    <input type="hidden" name="interval" value={String(device.interval)} />
    <input type="hidden" name="expiresAt" value={String(device.expiresAt)} />
  </>
)

/** Polls a device login (`load delay:<interval>s`, replacing itself); stopped, it shows why and offers a new code. */
export function DevicePoller({ provider, device, now, note, stopped }: { provider: OAuthProviderView; device: DeviceView; now: number; note?: string; stopped?: string }) {
  if (stopped) {
    return (
      <div id="oauth-device-poll" class="waiting-line">
        <Notice tone="bad" text={stopped} />
        <div class="button-row">
          <ConnectButton provider={provider} label="Get a new code" />
        </div>
      </div>
    )
  }
  const action = `${oauthBase(provider)}/poll`
  return (
    <form id="oauth-device-poll" class="waiting-line" method="post" action={action} hx-post={action} hx-trigger={`load delay:${device.interval}s, submit`} hx-swap="outerHTML">
      {deviceFields(device)}
      <p>
        <span class="spinner" aria-hidden="true"></span>Waiting for your approval; checking every {String(device.interval)} s. The code expires{' '}
        <Countdown at={device.expiresAt} now={now} />.
      </p>
      {note ? (
        <p class="muted small-text" safe>
          {note}
        </p>
      ) : (
        ''
      )}
      <button type="submit" class="small secondary">
        Check now
      </button>
    </form>
  )
}

/** Device-code login: the user code and verification page shown prominently, with copy buttons and live polling. */
export function DevicePanel({ provider, device, now, note, stopped }: { provider: OAuthProviderView; device: DeviceView; now: number; note?: string; stopped?: string }) {
  const page = safeHref(device.verificationUri)
  const direct = device.verificationUriComplete ? safeHref(device.verificationUriComplete) : page
  return (
    <OAuthPanel title={`Connect ${provider.name}`}>
      <p>
        Open{' '}
        <a href={page} target="_blank" rel="noopener noreferrer" safe>
          {device.verificationUri}
        </a>{' '}
        and enter this code:
      </p>
      <div class="device-code">
        <code class="user-code" data-testid="user-code" safe>
          {device.userCode}
        </code>
        <CopyButton text={device.userCode} label="Copy code" />
      </div>
      <div class="button-row">
        <a class="button" href={direct} target="_blank" rel="noopener noreferrer">
          Open the verification page ↗
        </a>
        <CopyButton text={page} label="Copy link" />
      </div>
      <DevicePoller provider={provider} device={device} now={now} note={note} stopped={stopped} />
    </OAuthPanel>
  )
}

/** Refresh-token import (Kiro social logins): paste the token, optionally name the connection. */
export function ImportPanel({ provider, values = {}, errors = {} }: { provider: OAuthProviderView; values?: Record<string, string>; errors?: Errors }) {
  const action = `${oauthBase(provider)}/import`
  return (
    <OAuthPanel title={`Import a ${provider.name} refresh token`}>
      <p class="muted small-text">
        For accounts signed in with Google or GitHub in the Kiro IDE: the refresh token (it starts with <code>aorAAAAAG</code>) is in{' '}
        <code>~/.aws/sso/cache/kiro-auth-token.json</code>. It is stored encrypted and never shown again.
      </p>
      <form method="post" action={action} hx-post={action} {...swapPanel} novalidate>
        <FieldError error={errors.form} />
        <div class="form-grid">
          <Field label="Refresh token" name="refreshToken" id="oauth-import-token" type="password" value="" error={errors.refreshToken} autocomplete="off" required />
          <Field label="Name (optional)" name="name" id="oauth-import-name" value={values.name} error={errors.name} placeholder={`${provider.alias}-work`} />
        </div>
        <button type="submit">Import</button>
      </form>
    </OAuthPanel>
  )
}

/** A finished login: which connection holds it and how its models are called. */
export function ConnectedPanel({ provider, connection }: { provider: OAuthProviderView; connection: { name: string; email?: string } }) {
  const who = connection.email ? ` (${connection.email})` : ''
  return (
    <OAuthPanel title={`${provider.name} connected`}>
      <p class="notice notice-ok" role="status" data-testid="oauth-connected" safe>
        {`Connected: saved as "${connection.name}"${who}.`}
      </p>
      <p class="muted small-text">
        Call its models as <code safe>{`${provider.alias}/${provider.exampleModel ?? '<model>'}`}</code>, or add them to a combo. Tokens are refreshed
        automatically.
      </p>
    </OAuthPanel>
  )
}

/** A login that could not start or finish, with a retry. */
export function FailedPanel({ provider, message }: { provider?: OAuthProviderView; message: string }) {
  return (
    <OAuthPanel title={provider ? `Could not connect ${provider.name}` : 'Could not connect'}>
      <Notice tone="bad" text={message} />
      <div class="button-row" x-data x-init="mmLoginDone()">
        {provider ? <ConnectButton provider={provider} label="Try again" /> : ''}
      </div>
    </OAuthPanel>
  )
}
