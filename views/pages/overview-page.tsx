import { Layout } from '../layout'

/** A connection as the overview shows it (never with its secret). */
export interface ConnectionRow {
  name: string
  provider: string
  prefix: string
  baseUrl: string | null
  models: string[]
  enabled: boolean
}

/** A client key as the overview shows it. */
export interface KeyRow {
  name: string
  keyHint: string
  enabled: boolean
}

/** The overview: the endpoint to point tools at, connections and client keys. */
export function OverviewPage({ endpoint, connections, keys, requireApiKey }: { endpoint: string; connections: ConnectionRow[]; keys: KeyRow[]; requireApiKey: boolean }) {
  return (
    <Layout title="Overview" signedIn={true}>
      <section class="card">
        <h1>Endpoint</h1>
        <p>
          Point your tools at <code safe>{endpoint}</code>
        </p>
        <p class="muted">{requireApiKey ? 'Client API keys are required.' : 'Client API keys are optional on this address.'}</p>
      </section>
      <section class="card">
        <h2>Connections</h2>
        {connections.length === 0 ? (
          <p class="muted">No connections yet. Add them in a config file (see README).</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Provider</th>
                <th>Prefix</th>
                <th>Models</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {connections.map((row) => (
                <tr>
                  <td safe>{row.name}</td>
                  <td safe>{row.provider}</td>
                  <td>
                    <code safe>{row.prefix}</code>
                  </td>
                  <td safe>{row.models.join(', ') || '—'}</td>
                  <td>{row.enabled ? 'enabled' : 'disabled'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="card">
        <h2>Client API keys</h2>
        {keys.length === 0 ? (
          <p class="muted">No keys yet. Create one with <code>modelmux keys create --name laptop</code>.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((row) => (
                <tr>
                  <td safe>{row.name}</td>
                  <td>
                    <code safe>{row.keyHint}</code>
                  </td>
                  <td>{row.enabled ? 'enabled' : 'disabled'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  )
}
