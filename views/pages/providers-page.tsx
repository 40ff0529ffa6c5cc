import { Badge } from '../components/ui'
import { ConnectionForm, type ConnectionFormProps } from '../partials/connection-form'
import { ConnectionList, type ConnectionView } from '../partials/connection-card'
import { OAuthAccounts, type OAuthAccountView } from '../partials/oauth-accounts'
import { ConnectButton, ImportLink, OAuthPanel, type OAuthProviderView } from '../partials/oauth-connect'

/** A catalogue tile: one provider with its connection count and state. */
export interface CatalogueEntry {
  id: string
  name: string
  group: 'subscription' | 'api-key' | 'free' | 'custom'
  connections: number
  unhealthy: number
  /** Subscription providers: connected by an OAuth login rather than a key. */
  oauth?: OAuthProviderView
  docs?: string
}

const groupTitles = {
  subscription: 'Subscriptions (OAuth)',
  'api-key': 'API key',
  free: 'Free and local',
  custom: 'Custom compatible nodes',
} as const

const flowHints = { 'authorization-code': 'browser login', 'device-code': 'device code', import: 'token import' } as const

function TileActions({ entry }: { entry: CatalogueEntry }) {
  if (entry.oauth) {
    return (
      <>
        <div class="button-row">
          <ConnectButton provider={entry.oauth} label={entry.connections > 0 ? 'Add account' : 'Connect'} />
          {entry.oauth.flows.includes('import') ? <ImportLink provider={entry.oauth} /> : ''}
          {entry.unhealthy > 0 ? <span class="muted small-text">{`${entry.unhealthy} not healthy`}</span> : ''}
        </div>
        <p class="muted small-text" safe>
          {entry.oauth.flows.map((flow) => flowHints[flow]).join(' · ')}
        </p>
      </>
    )
  }
  return (
    <div class="button-row">
      <button
        type="button"
        class="small secondary"
        hx-get={`/dashboard/providers/new?provider=${encodeURIComponent(entry.id)}`}
        hx-target="#connection-form"
        hx-swap="outerHTML show:top"
      >
        Add
      </button>
      {entry.unhealthy > 0 ? <span class="muted small-text">{`${entry.unhealthy} not healthy`}</span> : ''}
    </div>
  )
}

/** The provider catalogue by group; "Add" pre-fills the connection form, "Connect" starts a subscription login. */
export function Catalogue({ entries, oob }: { entries: CatalogueEntry[]; oob?: boolean }) {
  return (
    <section class="card" id="catalogue" hx-swap-oob={oob ? 'true' : undefined}>
      <div class="card-head">
        <h2>Catalogue</h2>
      </div>
      {(Object.keys(groupTitles) as (keyof typeof groupTitles)[]).map((group) => (
        <>
          <h3 class="group-title">{groupTitles[group]}</h3>
          <div class="grid">
            {entries
              .filter((entry) => entry.group === group)
              .map((entry) => (
                <div class="tile" data-provider={entry.id}>
                  <h3>
                    <span safe>{entry.name}</span>
                    {entry.connections > 0 ? <Badge tone={entry.unhealthy > 0 ? 'warn' : 'ok'}>{`${entry.connections} connected`}</Badge> : ''}
                  </h3>
                  <TileActions entry={entry} />
                </div>
              ))}
          </div>
        </>
      ))}
    </section>
  )
}

/** The Providers page: the running login (if any), subscription accounts, connections, the add form and the catalogue. */
export function ProvidersPage(props: {
  connections: ConnectionView[]
  accounts: OAuthAccountView[]
  now: number
  canTest: boolean
  form: ConnectionFormProps
  catalogue: CatalogueEntry[]
  /** A login panel to show open (full-page loads of the login steps). */
  panel?: JSX.Element
}) {
  return (
    <>
      <h1 class="page-title">Providers</h1>
      {props.panel ?? <OAuthPanel />}
      <OAuthAccounts accounts={props.accounts} now={props.now} />
      <ConnectionList connections={props.connections} now={props.now} canTest={props.canTest} />
      <ConnectionForm {...props.form} />
      <Catalogue entries={props.catalogue} />
    </>
  )
}
