/**
 * Moving from 9router: its `db.json` as a modelmux config file. API-key connections (built-in providers and
 * custom OpenAI-/Anthropic-compatible nodes, with their prefixes, base URLs, enabled models, priorities and
 * per-connection proxies), combos with their strategies, model aliases, client keys (tools keep working with the
 * keys they have) and the key and round-robin settings come over; model names are rewritten where a 9router
 * prefix means something else here (`claude/…` is the Claude Code subscription there, `cc/…` here). What cannot
 * come over — subscription logins, which need `modelmux login` again, and providers modelmux lacks — is listed.
 * `from9router` and `validatedImport` are pure; `import9router` applies the result to a store.
 * @see ../shared/reference/9router-behaviour.md §6 (db.json) and §2.1 (provider ids and aliases)
 * @module
 */
import type { Database } from 'bun:sqlite'
import { configFileSchema, type ConfigFile, type Settings } from '../config/file'
import { getProvider } from '../providers'
import { listConnections } from '../store/connections'
import { getSetting } from '../store/settings'
import { keepCopy } from '../store/dashboard-queries'
import { applyConfig } from './apply-config'

type Json = Record<string, any>

/** 9router provider ids that modelmux serves with an API key, under another id where the names differ. */
const apiKeyProviders: Record<string, string> = {
  ...Object.fromEntries(
    ['openai', 'openrouter', 'deepseek', 'groq', 'xai', 'mistral', 'perplexity', 'together', 'fireworks', 'cerebras', 'cohere', 'siliconflow', 'nvidia', 'glm', 'glm-cn', 'kimi', 'minimax', 'minimax-cn', 'anthropic', 'gemini', 'vertex', 'vertex-partner', 'azure', 'opencode'].map((id) => [id, id]),
  ),
  ollama: 'ollama-cloud',
  'ollama-local': 'ollama',
}

/** 9router subscription providers and the modelmux login that replaces each. */
const subscriptions: Record<string, string> = { claude: 'claude-code', codex: 'codex', 'gemini-cli': 'gemini-cli', antigravity: 'antigravity', github: 'github-copilot', qwen: 'qwen-code', iflow: 'iflow', kiro: 'kiro' }

/** Model-name prefixes that mean another provider in modelmux than in 9router. */
const prefixRewrites: Record<string, string> = { claude: 'cc', github: 'gh', qwen: 'qw', ollama: 'ollama-cloud', 'ollama-local': 'ollama' }

/** A model name with its 9router prefix written the modelmux way (`claude/x` → `cc/x`). */
export function rewriteModelName(model: string): string {
  const slash = model.indexOf('/')
  if (slash <= 0) return model
  const rewritten = prefixRewrites[model.slice(0, slash)]
  return rewritten ? `${rewritten}${model.slice(slash)}` : model
}

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined)
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter((item): item is Json => typeof item === 'object' && item !== null) : [])

/** A URL without the user name and password it may hold, for notes people read. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}`
  } catch {
    return 'an address that is not a URL'
  }
}

/** A name no other imported record has: the wanted one, else with `-2`, `-3`… */
function uniqueName(wanted: string, taken: Set<string>): string {
  const base = wanted.replace(/[^\w.@-]+/g, '-').slice(0, 90) || 'connection'
  let name = base
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`
  taken.add(name)
  return name
}

/** A custom node's connection: `openai-compatible-chat-<id>`, `openai-compatible-responses-<id>`, `anthropic-compatible-<id>` (or the node id). */
function nodeFor(provider: string, nodes: Json[]): { node: Json; kind: 'openai-compatible' | 'responses-compatible' | 'anthropic-compatible' } | undefined {
  const node = nodes.find((candidate) => provider === candidate.id || provider.endsWith(`-${candidate.id}`))
  if (!node) return undefined
  if (node.type === 'anthropic-compatible' || provider.startsWith('anthropic-compatible')) return { node, kind: 'anthropic-compatible' }
  if (node.type !== 'openai-compatible' && !provider.startsWith('openai-compatible')) return undefined
  return { node, kind: node.apiType === 'responses' || provider.startsWith('openai-compatible-responses') ? 'responses-compatible' : 'openai-compatible' }
}

/** The per-connection options 9router kept in `providerSpecificData` that modelmux has a place for. */
function optionsOf(data: Json, provider: string): Json | undefined {
  const options: Json = {}
  if (data.connectionProxyEnabled && text(data.connectionProxyUrl)) options.proxy = text(data.connectionProxyUrl)
  if (provider === 'azure') {
    if (text(data.deployment)) options.deployment = text(data.deployment)
    if (text(data.apiVersion)) options.apiVersion = text(data.apiVersion)
  }
  if (provider === 'vertex' || provider === 'vertex-partner') {
    if (text(data.projectId)) options.project = text(data.projectId)
    if (text(data.location)) options.location = text(data.location)
  }
  return Object.keys(options).length > 0 ? options : undefined
}

/** 9router's `db.json` (parsed) as a modelmux config file, with notes on what did not come over. */
export function from9router(db: unknown): { config: Json; notes: string[] } {
  if (typeof db !== 'object' || db === null || !Array.isArray((db as Json).providerConnections)) {
    throw new Error('this is not a 9router db.json: it has no providerConnections list')
  }
  const source = db as Json
  const notes: string[] = []
  const nodes = list(source.providerNodes)
  const names = new Set<string>()
  const connections: Json[] = []
  const logins = new Map<string, string[]>()
  for (const entry of list(source.providerConnections)) {
    const provider = String(entry.provider ?? '')
    const data: Json = typeof entry.providerSpecificData === 'object' && entry.providerSpecificData !== null ? entry.providerSpecificData : {}
    const label = text(entry.name) ?? text(entry.displayName) ?? text(entry.email) ?? provider
    if (subscriptions[provider]) {
      logins.set(subscriptions[provider], [...(logins.get(subscriptions[provider]) ?? []), label])
      continue
    }
    const custom = nodeFor(provider, nodes)
    const id = custom?.kind ?? apiKeyProviders[provider]
    if (!id || !getProvider(id)) {
      notes.push(`connection "${label}" (${provider}) was left out: modelmux has no such provider; add it as an OpenAI-compatible connection if it speaks that API`)
      continue
    }
    const apiKey = text(entry.apiKey)
    if (!apiKey && getProvider(id)?.auth.kind !== 'none') notes.push(`connection "${label}" had no API key: add one on the Providers page`)
    const baseUrl = custom ? (text(data.baseUrl) ?? text(custom.node.baseUrl)) : text(data.baseUrl) ?? (id === 'azure' ? text(data.azureEndpoint) : undefined)
    const prefix = custom ? (text(data.prefix) ?? text(custom.node.prefix)) : undefined
    if (custom && (!baseUrl || !prefix)) {
      notes.push(`connection "${label}" was left out: its custom node has no ${baseUrl ? 'prefix' : 'base URL'}`)
      continue
    }
    const models = Array.isArray(data.enabledModels) ? data.enabledModels.filter((model: unknown): model is string => typeof model === 'string' && model.trim() !== '') : []
    const options = optionsOf(data, id)
    connections.push({
      name: uniqueName(label, names),
      provider: id,
      ...(prefix ? { prefix } : {}),
      ...(baseUrl ? { baseUrl } : {}),
      ...(apiKey ? { apiKey } : {}),
      ...(models.length > 0 ? { models } : {}),
      ...(typeof entry.priority === 'number' && Number.isInteger(entry.priority) && entry.priority >= 0 ? { priority: entry.priority } : {}),
      enabled: entry.isActive !== false,
      ...(options ? { options } : {}),
    })
  }
  for (const [provider, accounts] of logins) notes.push(`${accounts.length} ${provider} login${accounts.length === 1 ? '' : 's'} (${accounts.join(', ')}): subscription logins do not move; run "modelmux login ${provider}"`)

  const settings: Json = typeof source.settings === 'object' && source.settings !== null ? source.settings : {}
  const everyComboRotates = settings.comboStrategy === 'round-robin'
  const comboNames = new Set<string>()
  const combos = list(source.combos)
    .filter((combo) => (combo.kind ?? null) === null || combo.kind === 'llm')
    .flatMap((combo) => {
      const models = (Array.isArray(combo.models) ? combo.models : []).filter((model: unknown): model is string => typeof model === 'string' && model.trim() !== '').map(rewriteModelName)
      if (!text(combo.name) || models.length === 0) return []
      const rotates = everyComboRotates || settings.comboStrategies?.[combo.name]?.fallbackStrategy === 'round-robin'
      return [{ name: uniqueName(text(combo.name)!, comboNames), models, ...(rotates ? { strategy: 'round-robin' } : {}) }]
    })
  const aliases: Record<string, string> = {}
  for (const [alias, target] of Object.entries(typeof source.modelAliases === 'object' && source.modelAliases !== null ? source.modelAliases : {})) {
    if (typeof target === 'string' && target.trim() !== '' && !comboNames.has(alias)) aliases[alias] = rewriteModelName(target.trim())
  }
  const keyNames = new Set<string>()
  const apiKeys = list(source.apiKeys).flatMap((key) => {
    const value = text(key.key)
    if (!value || key.isActive === false) return []
    if (value.length < 16) {
      notes.push(`client key "${text(key.name) ?? 'unnamed'}" was left out: modelmux takes keys of 16 characters or more`)
      return []
    }
    return [{ name: uniqueName(text(key.name) ?? 'imported-key', keyNames), key: value }]
  })

  const routingProviders: Json = {}
  for (const [id, strategy] of Object.entries(typeof settings.providerStrategies === 'object' && settings.providerStrategies !== null ? settings.providerStrategies : {})) {
    const ours = apiKeyProviders[id] ?? subscriptions[id]
    if (ours && (strategy as Json)?.fallbackStrategy === 'round-robin') routingProviders[ours] = { strategy: 'round-robin' }
  }
  const imported: Json = {
    ...(typeof settings.requireApiKey === 'boolean' ? { requireApiKey: settings.requireApiKey } : {}),
    ...(Object.keys(routingProviders).length > 0 ? { routing: { providers: routingProviders } } : {}),
    ...(settings.rtkEnabled === true ? { tokenSaver: { enabled: true } } : {}),
  }
  if (settings.rtkEnabled === true) notes.push("9router's token saver was on: modelmux's token saver is on (it only cleans shell-tool outputs, it does not cut them unless you set maxLines)")
  if (settings.outboundProxyEnabled && text(settings.outboundProxyUrl)) notes.push(`9router sent everything through a proxy (${withoutCredentials(text(settings.outboundProxyUrl)!)}): set HTTPS_PROXY for modelmux, or a proxy per connection`)
  if (source.pricing && Object.keys(source.pricing).length > 0) notes.push('custom prices were not imported: set them through /api/pricing if you need them')
  notes.push('the dashboard password was not imported: modelmux keeps its own (modelmux password reset)')
  return { config: { connections, combos, aliases, apiKeys, settings: imported }, notes }
}

/**
 * The import as a valid config file: each record is checked on its own, so one bad entry (a base URL 9router
 * accepted but modelmux does not) is left out with a note instead of failing the whole import.
 */
export function validatedImport(config: Json, notes: string[]): ConfigFile {
  const keep = (kind: 'connections' | 'combos' | 'apiKeys', label: (item: Json) => string) =>
    (config[kind] as Json[]).filter((item) => {
      const checked = configFileSchema.safeParse({ [kind]: [item] })
      if (!checked.success) notes.push(`${label(item)} was left out: ${checked.error.issues.map((issue) => `${issue.path.slice(2).join('.')} ${issue.message}`).join('; ')}`)
      return checked.success
    })
  return configFileSchema.parse({
    connections: keep('connections', (item) => `connection "${item.name}"`),
    combos: keep('combos', (item) => `combo "${item.name}"`),
    aliases: config.aliases,
    apiKeys: keep('apiKeys', (item) => `client key "${item.name}"`),
    settings: config.settings,
  })
}

/** Imports a parsed db.json into a store (or, with `dryRun`, only says what it would); returns a summary line and the notes. */
export function import9router(db: Database, encryptionKey: Buffer, parsed: unknown, options: { dryRun?: boolean; now: number }): { summary: string; notes: string[] } {
  const converted = from9router(parsed)
  const notes = converted.notes
  const config = validatedImport(converted.config, notes)
  // applyConfig merges settings one level deep: what is imported under routing and tokenSaver joins what is there.
  const stored = getSetting<Settings>(db, 'settings') ?? {}
  const imported = config.settings
  if (imported.routing) imported.routing = { ...stored.routing, providers: { ...stored.routing?.providers, ...imported.routing.providers } }
  if (imported.tokenSaver) imported.tokenSaver = { ...stored.tokenSaver, ...imported.tokenSaver }
  const existing = new Set(listConnections(db, encryptionKey).map((connection) => connection.name))
  const replaced = config.connections.filter((connection) => existing.has(connection.name)).map((connection) => connection.name)
  if (replaced.length > 0) notes.push(`${options.dryRun ? 'would update' : 'updated'} connections that already existed here: ${replaced.join(', ')}`)
  if (!options.dryRun) {
    const copy = keepCopy(db, 'modelmux-before-import', options.now)
    if (copy) notes.push(`the database as it was before the import is kept at ${copy} (Settings → Restore takes it back)`)
    applyConfig(db, encryptionKey, config, options.now)
  }
  const counts = `${config.connections.length} connections, ${config.combos.length} combos, ${Object.keys(config.aliases).length} aliases, ${config.apiKeys.length} client keys`
  return { summary: `${options.dryRun ? 'Would import' : 'Imported'} ${counts}`, notes }
}
