import type { QuotaSnapshot, QuotaWindow } from '../../src/oauth'
import { Countdown, Meter } from '../components/meter'
import { Badge, formatDuration, Notice } from '../components/ui'
import { ConnectButton, ImportLink, type OAuthProviderView } from './oauth-connect'

/** A subscription connection as the accounts card shows it (never with its tokens). */
export interface OAuthAccountView {
  id: number
  name: string
  provider: OAuthProviderView
  enabled: boolean
  email?: string
  accountId?: string
  /** When the access token expires (epoch ms). */
  expiresAt?: number
  /** Why the account needs a new login, when it does. */
  needsRelogin?: string
  quota?: QuotaSnapshot
  /** The provider has a quota API. */
  hasQuota: boolean
  /** Logged in by an imported refresh token: re-login means importing a new one. */
  imported: boolean
}

/** Percent used of a quota window, from whatever the provider reported. */
export function usedPercentOf(window: QuotaWindow): number | undefined {
  if (window.usedPercent !== undefined) return window.usedPercent
  if (window.total && window.used !== undefined) return (window.used / window.total) * 100
  if (window.total && window.remaining !== undefined) return ((window.total - window.remaining) / window.total) * 100
  return undefined
}

function QuotaBar({ window, now }: { window: QuotaWindow; now: number }) {
  const percent = usedPercentOf(window)
  const amounts = window.total !== undefined ? ` · ${window.used ?? (window.remaining !== undefined ? window.total - window.remaining : '?')} of ${window.total}` : ''
  return (
    <div class="quota-window" data-window={window.name}>
      <div class="quota-line small-text">
        <span safe>{window.name}</span>
        <span class="muted" safe>
          {window.unlimited ? 'unlimited' : percent !== undefined ? `${Math.round(percent)}% used${amounts}` : `${window.remaining ?? '?'} left`}
        </span>
      </div>
      {window.unlimited ? '' : <Meter percent={percent ?? 0} label={`${window.name}: ${Math.round(percent ?? 0)}% used`} />}
      {window.resetAt && !window.unlimited ? (
        <p class="muted small-text">
          resets <Countdown at={window.resetAt} now={now} />
        </p>
      ) : (
        ''
      )}
    </div>
  )
}

/** The last quota read of an account: plan, windows as progress bars with reset countdowns. */
export function QuotaView({ quota, hasQuota, now }: { quota?: QuotaSnapshot; hasQuota: boolean; now: number }) {
  if (!quota) return <p class="muted small-text">{hasQuota ? 'No quota read yet.' : 'This provider reports no quota.'}</p>
  return (
    <div class="quota">
      <p class="muted small-text">
        {quota.plan ? <span safe>{`plan ${quota.plan} · `}</span> : ''}quota read {formatDuration(now - quota.readAt)} ago{' '}
        {quota.limitReached ? <Badge tone="bad">limit reached</Badge> : ''}
      </p>
      {quota.windows.length === 0 ? <p class="muted small-text">No quota windows reported.</p> : ''}
      {quota.windows.map((window) => (
        <QuotaBar window={window} now={now} />
      ))}
      {quota.message ? (
        <p class="muted small-text" safe>
          {quota.message}
        </p>
      ) : (
        ''
      )}
    </div>
  )
}

function TokenLine({ account, now }: { account: OAuthAccountView; now: number }) {
  if (account.expiresAt === undefined) return <p class="muted small-text">Token: no expiry reported.</p>
  return (
    <p class="muted small-text">
      {account.expiresAt > now ? 'Token expires ' : 'Token expired '}
      <Countdown at={account.expiresAt} now={now} />
      {account.needsRelogin ? '; it can no longer be refreshed.' : account.expiresAt > now ? '; refreshed automatically before then.' : '; refreshed on the next use.'}
    </p>
  )
}

/** One subscription account: who, token expiry, state (with Re-login), last quota read and its actions. */
export function OAuthAccountCard({ account, now, notice }: { account: OAuthAccountView; now: number; notice?: { tone: 'ok' | 'bad'; text: string } }) {
  const base = `/dashboard/providers/accounts/${account.id}`
  const swap = { 'hx-target': `#account-${account.id}`, 'hx-swap': 'outerHTML' }
  const who = account.email ?? account.accountId
  return (
    <article class="tile account" id={`account-${account.id}`} data-account={account.name}>
      <h3>
        <span safe>{account.name}</span>
        {!account.enabled ? <Badge tone="muted">disabled</Badge> : account.needsRelogin ? <Badge tone="bad">needs re-login</Badge> : <Badge tone="ok">signed in</Badge>}
      </h3>
      <p class="muted small-text">
        <span safe>{account.provider.name}</span>
        {who ? (
          <>
            {' · '}
            <span data-testid="account-id" safe>
              {who}
            </span>
          </>
        ) : (
          ''
        )}
      </p>
      <TokenLine account={account} now={now} />
      {account.needsRelogin ? (
        <div class="relogin">
          <p class="error small-text" safe>{`needs re-login: ${account.needsRelogin}`}</p>
          <div class="button-row">{account.imported ? <ImportLink provider={account.provider} /> : <ConnectButton provider={account.provider} label="Re-login" />}</div>
        </div>
      ) : (
        ''
      )}
      <QuotaView quota={account.quota} hasQuota={account.hasQuota} now={now} />
      <div class="button-row">
        {account.hasQuota ? (
          <button type="button" class="small secondary" hx-post={`${base}/quota`} {...swap}>
            Read quota
          </button>
        ) : (
          ''
        )}
        <button type="button" class="small secondary" hx-post={`${base}/refresh`} {...swap}>
          Refresh token
        </button>
      </div>
      {notice ? <Notice tone={notice.tone} text={notice.text} /> : ''}
    </article>
  )
}

/** The subscription accounts with their state and quota; hidden while there are none. */
export function OAuthAccounts({ accounts, now, oob }: { accounts: OAuthAccountView[]; now: number; oob?: boolean }) {
  return (
    <section class="card" id="oauth-accounts" hidden={accounts.length === 0} hx-swap-oob={oob ? 'true' : undefined}>
      <div class="card-head">
        <h2>Subscription accounts</h2>
        <span class="muted small-text">{`${accounts.length} ${accounts.length === 1 ? 'account' : 'accounts'}`}</span>
      </div>
      <div class="grid">
        {accounts.map((account) => (
          <OAuthAccountCard account={account} now={now} />
        ))}
      </div>
    </section>
  )
}
