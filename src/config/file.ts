import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { getProvider } from '../providers'
import { isValidTimeZone } from '../services/usage-windows'
import { ConfigError } from './env'

const name = z.string().trim().min(1).max(100)
const prefix = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'letters, digits, ".", "_" or "-" only')
  .max(40)
const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' })

const connectionSchema = z
  .object({
    name,
    provider: z.string().trim().min(1),
    prefix: prefix.optional(),
    baseUrl: httpUrl.optional(),
    apiKey: z.string().min(1).optional(),
    models: z.array(z.string().trim().min(1)).optional(),
    priority: z.number().int().min(0).max(1_000_000).optional(),
    enabled: z.boolean().optional(),
    options: z
      .object({
        proxy: z.union([z.literal('direct'), z.url({ protocol: /^https?$/, message: 'must be an http(s) proxy URL or "direct"' })]).optional(),
        deployment: z.string().trim().min(1).optional(),
        apiVersion: z.string().trim().min(1).optional(),
        project: z.string().trim().min(1).optional(),
        location: z.string().trim().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((value, context) => {
    const provider = getProvider(value.provider)
    if (!provider) {
      context.addIssue({ code: 'custom', path: ['provider'], message: `unknown provider "${value.provider}"` })
      return
    }
    if (provider.custom && !value.prefix) context.addIssue({ code: 'custom', path: ['prefix'], message: `required for ${value.provider}` })
    if (!provider.baseUrl && !value.baseUrl) context.addIssue({ code: 'custom', path: ['baseUrl'], message: `required for ${value.provider}` })
  })

const timeoutsSchema = z
  .object({
    connectMs: z.number().int().min(100).max(600_000).optional(),
    firstByteMs: z.number().int().min(100).max(3_600_000).optional(),
    idleMs: z.number().int().min(100).max(3_600_000).optional(),
    totalMs: z.number().int().min(100).max(24 * 3_600_000).optional(),
  })
  .strict()

const poolSchema = z
  .object({ strategy: z.enum(['priority', 'round-robin']).optional(), affinity: z.boolean().optional() })
  .strict()

const scenarioSchema = z
  .object({
    when: z.enum(['long-context', 'thinking', 'images', 'web-search']),
    /** Where such requests go: `<prefix>/<model>`, a combo or an alias. */
    model: z.string().trim().min(1),
    /** Only requests for a model name matching this pattern (`*` for any run of characters); absent: every request. */
    match: z.string().trim().min(1).optional(),
    /** long-context only: the estimated prompt size from which the rule applies (default 60,000). */
    minTokens: z.number().int().positive().optional(),
  })
  .strict()
  .refine((rule) => rule.minTokens === undefined || rule.when === 'long-context', { message: '"minTokens" applies to "long-context" rules only', path: ['minTokens'] })

const routingSchema = z
  .object({
    /** Per provider id: how its accounts share the load. */
    providers: z.record(z.string().trim().min(1), poolSchema).optional(),
    /** Unprefixed model names coding tools send on their own → a model, combo or alias; `*` matches anything. */
    modelMapping: z.array(z.object({ match: z.string().trim().min(1), target: z.string().trim().min(1) }).strict()).optional(),
    /** Rules, first match wins, that send a request with some trait (long prompt, images…) to another model, combo or alias. */
    scenarios: z.array(scenarioSchema).optional(),
    /** Whether a stream that breaks after output began is carried on by another account (default true). */
    carryOn: z.boolean().optional(),
  })
  .strict()

const budgetSchema = z
  .object({
    /** A connection by name, or every connection of a provider by id (exactly one of them). */
    connection: name.optional(),
    provider: z.string().trim().min(1).optional(),
    window: z.enum(['5h', 'daily', 'weekly', 'monthly']),
    maxTokens: z.number().int().positive().optional(),
    /** US dollars actually spent (subscription and free tiers spend nothing). */
    maxDollars: z.number().positive().optional(),
    /** Fraction of the limit at which the dashboard warns (default 0.8). */
    warnAt: z.number().gt(0).max(1).optional(),
  })
  .strict()
  .refine((value) => (value.connection === undefined) !== (value.provider === undefined), 'set exactly one of "connection" or "provider"')
  .refine((value) => value.maxTokens !== undefined || value.maxDollars !== undefined, 'set "maxTokens" or "maxDollars"')

/** Where daily, weekly and monthly windows reset. */
const quotaSchema = z
  .object({
    timeZone: z.string().trim().refine(isValidTimeZone, 'unknown IANA time zone').optional(),
    resetHour: z.number().int().min(0).max(23).optional(),
    weekStartsOn: z.number().int().min(0).max(6).optional(),
    monthResetDay: z.number().int().min(1).max(31).optional(),
  })
  .strict()

const keyLimitSchema = z
  .object({
    requestsPerMinute: z.number().int().min(1).optional(),
    tokensPerDay: z.number().int().min(1).optional(),
    /** US dollars the key's requests may cost per day, at each connection's tier (subscriptions and free tiers cost nothing). */
    dollarsPerDay: z.number().positive().max(1_000_000).optional(),
    /** The same per month (months start where `quota` says). */
    dollarsPerMonth: z.number().positive().max(1_000_000).optional(),
    /** The model names (patterns, `*` for any run of characters) the key may ask for; absent: every model. */
    models: z.array(z.string().trim().min(1)).min(1).optional(),
  })
  .strict()

/** Whether a string is exactly a web origin (`https://host[:port]`, no path). */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value
  } catch {
    return false
  }
}

/** Settings a config file (or the dashboard) may set. */
export const settingsSchema = z
  .object({
    requireApiKey: z.boolean().optional(),
    maxBodyBytes: z.number().int().min(1024).max(512 * 1024 * 1024).optional(),
    timeouts: timeoutsSchema.optional(),
    routing: routingSchema.optional(),
    /** Per subscription provider: endpoint overrides (authorize, token, device, API base, quota…), for tests and proxies. */
    oauth: z.record(z.string().trim().min(1), z.record(z.string().trim().min(1), httpUrl)).optional(),
    /** Spending limits per connection or provider; a connection over its limit is skipped until the window resets. */
    budgets: z.array(budgetSchema).optional(),
    quota: quotaSchema.optional(),
    /** Per client key name (`*` = every key): requests per minute, tokens per day and the models it may use. */
    keyLimits: z.record(z.string().trim().min(1), keyLimitSchema).optional(),
    /** Per connection name: how it is paid for (unknown = paid); subscription and free cost nothing. */
    tiers: z.record(z.string().trim().min(1), z.enum(['subscription', 'free', 'paid'])).optional(),
    /** Days raw usage events and request logs are kept (hourly rollups are kept forever). */
    retention: z
      .object({ usageDays: z.number().int().min(1).max(36_500).optional(), requestLogDays: z.number().int().min(1).max(36_500).optional() })
      .strict()
      .optional(),
    requestLogs: z
      .object({ enabled: z.boolean().optional(), maxBodyBytes: z.number().int().min(1024).max(64 * 1024 * 1024).optional() })
      .strict()
      .optional(),
    /** Web origins (besides local ones) whose pages may call the client API from a browser, with a client key. */
    corsOrigins: z.array(z.string().trim().refine(isOrigin, 'an origin such as https://chat.example.com: scheme, host and port, no path')).optional(),
    /** Where account problems (new login needed, out of quota, paused, over budget) and their end are posted. */
    notifications: z.object({ webhookUrl: httpUrl }).strict().optional(),
    /** Cleans shell-tool outputs in requests (escapes, progress redraws, repeated lines) and, with maxLines, keeps their head and tail. */
    tokenSaver: z.object({ enabled: z.boolean(), maxLines: z.number().int().min(20).max(1_000_000).optional() }).strict().optional(),
  })
  .strict()

const price = z.number().min(0).max(100_000)
/** A user's price for a provider's model (`*` for any), in US dollars per 1M tokens: in a config file, the API and the dashboard. */
export const priceOverrideSchema = z
  .object({ provider: z.string().trim().min(1), model: z.string().trim().min(1), input: price, output: price, cacheRead: price.optional(), cacheWrite: price.optional() })
  .strict()

/** The config file: connections, combos, aliases, client keys, prices (keyed by provider and model) and settings, each keyed by name. */
export const configFileSchema = z
  .object({
    connections: z.array(connectionSchema).default([]),
    combos: z.array(z.object({ name, models: z.array(z.string().trim().min(1)).min(1), strategy: z.enum(['order', 'round-robin']).optional() }).strict()).default([]),
    aliases: z.record(z.string().trim().min(1), z.string().trim().min(1)).default({}),
    apiKeys: z.array(z.object({ name, key: z.string().min(16, 'must be at least 16 characters') }).strict()).default([]),
    prices: z.array(priceOverrideSchema).default([]),
    settings: settingsSchema.default({}),
  })
  .strict()
  .superRefine((value, context) => {
    const seen = new Set<string>()
    value.connections.forEach((connection, index) => {
      if (seen.has(connection.name)) {
        context.addIssue({ code: 'custom', path: ['connections', index, 'name'], message: `duplicate name "${connection.name}"` })
      }
      seen.add(connection.name)
    })
  })

export type ConfigFile = z.infer<typeof configFileSchema>
export type Settings = z.infer<typeof settingsSchema>

function describePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), '')
}

/** Parses and validates a config document; throws ConfigError naming the field and the problem. */
export function parseConfigFile(text: string, source: string): ConfigFile {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ConfigError(`${source}: not valid JSON (${(error as Error).message})`)
  }
  const parsed = configFileSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ConfigError(`${source}: ${describePath(issue.path) || '(root)'}: ${issue.message}`)
  }
  return parsed.data
}

/** Reads and validates a config file from disk. */
export function loadConfigFile(path: string): ConfigFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
  return parseConfigFile(text, path)
}
