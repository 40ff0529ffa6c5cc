import { Badge } from '../components/ui'
import { ConnectionForm, type ConnectionFormProps } from '../partials/connection-form'
import { ConnectionList, type ConnectionView } from '../partials/connection-card'

/** A catalogue tile: one provider with its connection count and state. */
export interface CatalogueEntry {
  id: string
  name: string
  group: 'subscription' | 'api-key' | 'free' | 'custom'
  connections: number
  unhealthy: number
  /** Not connectable yet (subscription OAuth). */
  comingSoon?: boolean
  docs?: string
}

const groupTitles = {
  subscription: 'Subscriptions (OAuth)',
  'api-key': 'API key',
  free: 'Free and local',
  custom: 'Custom compatible nodes',
} as const

/** The provider catalogue by group; "Add" pre-fills the connection form. */
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
                <div class="tile">
                  <h3>
                    <span safe>{entry.name}</span>
                    {entry.comingSoon ? (
                      <Badge tone="muted">coming soon</Badge>
                    ) : entry.connections > 0 ? (
                      <Badge tone={entry.unhealthy > 0 ? 'warn' : 'ok'}>{`${entry.connections} connected`}</Badge>
                    ) : (
                      ''
                    )}
                  </h3>
                  {entry.comingSoon ? (
                    <p class="muted small-text">Subscription login is not available yet.</p>
                  ) : (
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
                  )}
                </div>
              ))}
          </div>
        </>
      ))}
    </section>
  )
}

/** The Providers page: connections with their state, the add form, and the catalogue. */
export function ProvidersPage(props: { connections: ConnectionView[]; now: number; canTest: boolean; form: ConnectionFormProps; catalogue: CatalogueEntry[] }) {
  return (
    <>
      <h1 class="page-title">Providers</h1>
      <ConnectionList connections={props.connections} now={props.now} canTest={props.canTest} />
      <ConnectionForm {...props.form} />
      <Catalogue entries={props.catalogue} />
    </>
  )
}
