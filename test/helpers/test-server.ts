import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readRuntimeConfig } from '../../src/config/env'
import { startServer, type RunningServer } from '../../src/server'
import type { HealthOptions } from '../../src/services/health'

/** A modelmux started in-process on port 0 with a fresh data dir, removed on dispose. */
export interface TestServer extends AsyncDisposable {
  url: string
  dataDir: string
  server: RunningServer
}

/** Starts modelmux with the given config file contents and extra env. */
export async function startTestServer(config: unknown = {}, env: Record<string, string> = {}, options: { health?: Partial<HealthOptions> } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'modelmux-test-'))
  const configFile = join(dataDir, 'config.json')
  writeFileSync(configFile, JSON.stringify(config))
  const runtime = readRuntimeConfig({
    PORT: '0',
    HOSTNAME: '127.0.0.1',
    DATA_DIR: join(dataDir, 'data'),
    INITIAL_PASSWORD: 'test-password-1',
    MODELMUX_CONFIG: configFile,
    ...env,
  })
  const server = await startServer(runtime, options)
  return {
    url: server.url,
    dataDir,
    server,
    async [Symbol.asyncDispose]() {
      await server.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
