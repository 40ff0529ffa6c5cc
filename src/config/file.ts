import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { getProvider } from '../providers'
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

const routingSchema = z
  .object({
    /** Per provider id: how its accounts share the load. */
    providers: z.record(z.string().trim().min(1), poolSchema).optional(),
    /** Unprefixed model names coding tools send on their own → a model, combo or alias; `*` matches anything. */
    modelMapping: z.array(z.object({ match: z.string().trim().min(1), target: z.string().trim().min(1) }).strict()).optional(),
  })
  .strict()

/** Settings a config file (or the dashboard) may set. */
export const settingsSchema = z
  .object({
    requireApiKey: z.boolean().optional(),
    maxBodyBytes: z.number().int().min(1024).max(512 * 1024 * 1024).optional(),
    timeouts: timeoutsSchema.optional(),
    routing: routingSchema.optional(),
  })
  .strict()

/** The config file: connections, combos, aliases, client keys and settings, each keyed by name. */
export const configFileSchema = z
  .object({
    connections: z.array(connectionSchema).default([]),
    combos: z.array(z.object({ name, models: z.array(z.string().trim().min(1)).min(1) }).strict()).default([]),
    aliases: z.record(z.string().trim().min(1), z.string().trim().min(1)).default({}),
    apiKeys: z.array(z.object({ name, key: z.string().min(16, 'must be at least 16 characters') }).strict()).default([]),
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
