import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileStamp } from '../core/ids'

/** Where tools live: the home directory and PATH (both injectable so tests use a temp home). */
export interface CliToolEnv {
  home: string
  path?: string
  now?: () => number
}

/** What a tool's config should point at. */
export interface CliToolTarget {
  /** The modelmux origin, e.g. `http://127.0.0.1:20128` (no `/v1`). */
  origin: string
  apiKey: string
  model: string
}

/** A tool's state as the CLI Tools page shows it. */
export interface CliToolStatus {
  id: CliToolId
  name: string
  installed: boolean
  configured: boolean
  files: string[]
  /** Why the current config cannot be edited (unparseable file), if so. */
  problem?: string
}

/** The tools modelmux can configure. */
export type CliToolId = 'claude-code' | 'codex' | 'gemini-cli' | 'openclaw' | 'opencode' | 'droid'

/** Thrown when a config file exists but cannot be parsed; nothing is written then. */
export class CliToolError extends Error {
  override name = 'CliToolError'
}

type Json = Record<string, any>

const PROVIDER = 'modelmux'
const claudeEnvKeys = [
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_MODEL',
  'ANTHROPIC_DEFAULT_OPUS_MODEL',
  'ANTHROPIC_DEFAULT_SONNET_MODEL',
  'ANTHROPIC_DEFAULT_HAIKU_MODEL',
  'CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY',
]

function readJsonFile(path: string): Json | undefined {
  if (!existsSync(path)) return undefined
  const text = readFileSync(path, 'utf8')
  if (text.trim() === '') return {}
  try {
    const value = JSON.parse(text)
    if (value && typeof value === 'object' && !Array.isArray(value)) return value
  } catch {}
  throw new CliToolError(`${path} is not a JSON object; fix or move it, then try again`)
}

/** Copies an existing file to `<file>.modelmux-<timestamp>.bak` before it is changed; returns the backup path. */
function backup(path: string, now: number): string | undefined {
  if (!existsSync(path)) return undefined
  const stamp = fileStamp(now)
  let target = `${path}.modelmux-${stamp}.bak`
  for (let n = 2; existsSync(target); n++) target = `${path}.modelmux-${stamp}-${n}.bak`
  copyFileSync(path, target)
  return target
}

function writeFileSafely(path: string, text: string, now: number): string | undefined {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const saved = backup(path, now)
  const temporary = `${path}.modelmux-tmp`
  writeFileSync(temporary, text, { mode: 0o600 })
  renameSync(temporary, path)
  return saved
}

const writeJson = (path: string, value: Json, now: number) => writeFileSafely(path, `${JSON.stringify(value, null, 2)}\n`, now)

const tomlString = (value: string) => JSON.stringify(value)

/** Removes modelmux's keys from a Codex config.toml (and the top-level `model` when replacing it), keeping every other line. */
function stripCodexToml(text: string, replacing: boolean): string {
  const out: string[] = []
  let table: string | null = null
  let skipping = false
  const topLevelModelIsOurs = replacing || /^\s*model_provider\s*=\s*"modelmux"/m.test(text)
  for (const line of text.split('\n')) {
    const header = /^\s*\[([^\]]+)\]\s*(#.*)?$/.exec(line)
    if (header) {
      table = header[1].trim()
      skipping = table === `model_providers.${PROVIDER}`
      if (skipping) continue
    }
    if (skipping) continue
    if (table === null && /^\s*model_provider\s*=/.test(line) && (replacing || line.includes(`"${PROVIDER}"`))) continue
    if (table === null && topLevelModelIsOurs && /^\s*model\s*=/.test(line)) continue
    out.push(line)
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim()
}

const geminiEnvKeys = ['GOOGLE_GEMINI_BASE_URL', 'GEMINI_API_KEY', 'GEMINI_MODEL']

/** A dotenv file's lines without modelmux's keys (comments, blank lines and other keys kept). */
function stripDotenv(text: string, keys: readonly string[]): string[] {
  return text.split('\n').filter((line) => !keys.some((key) => new RegExp(`^\\s*(export\\s+)?${key}\\s*=`).test(line)))
}

function parseToml(path: string, text: string): void {
  try {
    Bun.TOML.parse(text)
  } catch (error) {
    throw new CliToolError(`${path} is not valid TOML (${(error as Error).message}); fix or move it, then try again`)
  }
}

interface ToolDefinition {
  id: CliToolId
  name: string
  binary: string
  files(home: string): string[]
  isConfigured(home: string): boolean
  apply(home: string, target: CliToolTarget, now: number): string[]
  reset(home: string, now: number): string[]
}

const claudeFile = (home: string) => join(home, '.claude', 'settings.json')
const codexFiles = (home: string) => [join(home, '.codex', 'config.toml'), join(home, '.codex', 'auth.json')]
const openclawFile = (home: string) => join(home, '.openclaw', 'openclaw.json')
const opencodeFile = (home: string) => join(home, '.config', 'opencode', 'opencode.json')
const droidFile = (home: string) => join(home, '.factory', 'settings.json')
const droidId = (index: number) => `custom:${PROVIDER}-${index}`
const geminiFile = (home: string) => join(home, '.gemini', '.env')
const readText = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '')

const definitions: readonly ToolDefinition[] = [
  {
    id: 'claude-code',
    name: 'Claude Code',
    binary: 'claude',
    files: (home) => [claudeFile(home)],
    isConfigured: (home) => typeof readJsonFile(claudeFile(home))?.env?.ANTHROPIC_AUTH_TOKEN === 'string' && readJsonFile(claudeFile(home))?.env?.[claudeEnvKeys[0]] !== undefined,
    apply(home, target, now) {
      const path = claudeFile(home)
      const settings = readJsonFile(path) ?? {}
      settings.env = {
        ...settings.env,
        ANTHROPIC_BASE_URL: target.origin,
        ANTHROPIC_AUTH_TOKEN: target.apiKey,
        ANTHROPIC_MODEL: target.model,
        ANTHROPIC_DEFAULT_OPUS_MODEL: target.model,
        ANTHROPIC_DEFAULT_SONNET_MODEL: target.model,
        ANTHROPIC_DEFAULT_HAIKU_MODEL: target.model,
        // Claude Code's /model picker then lists modelmux's models (those named claude… or anthropic…).
        CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY: '1',
      }
      settings.hasCompletedOnboarding = true
      return [writeJson(path, settings, now)].filter((x): x is string => !!x)
    },
    reset(home, now) {
      const path = claudeFile(home)
      const settings = readJsonFile(path)
      if (!settings?.env) return []
      for (const key of claudeEnvKeys) delete settings.env[key]
      if (Object.keys(settings.env).length === 0) delete settings.env
      return [writeJson(path, settings, now)].filter((x): x is string => !!x)
    },
  },
  {
    id: 'gemini-cli',
    name: 'Gemini CLI',
    binary: 'gemini',
    files: (home) => [geminiFile(home)],
    // Gemini CLI reads ~/.gemini/.env when no project .env sets these; its Gemini API key sign-in then talks to modelmux.
    isConfigured: (home) => /^\s*(export\s+)?GOOGLE_GEMINI_BASE_URL\s*=/m.test(readText(geminiFile(home))),
    apply(home, target, now) {
      const path = geminiFile(home)
      const kept = stripDotenv(readText(path), geminiEnvKeys).join('\n').trim()
      const ours = [`GOOGLE_GEMINI_BASE_URL=${target.origin}`, `GEMINI_API_KEY=${target.apiKey}`, `GEMINI_MODEL=${target.model}`].join('\n')
      return [writeFileSafely(path, `${kept ? `${kept}\n` : ''}${ours}\n`, now)].filter((x): x is string => !!x)
    },
    reset(home, now) {
      const path = geminiFile(home)
      if (!existsSync(path)) return []
      const kept = stripDotenv(readText(path), geminiEnvKeys).join('\n').trim()
      return [writeFileSafely(path, kept ? `${kept}\n` : '', now)].filter((x): x is string => !!x)
    },
  },
  {
    id: 'codex',
    name: 'Codex CLI',
    binary: 'codex',
    files: codexFiles,
    isConfigured: (home) => existsSync(codexFiles(home)[0]) && readFileSync(codexFiles(home)[0], 'utf8').includes(`[model_providers.${PROVIDER}]`),
    apply(home, target, now) {
      const [configPath, authPath] = codexFiles(home)
      const existing = existsSync(configPath) ? readFileSync(configPath, 'utf8') : ''
      parseToml(configPath, existing)
      const auth = readJsonFile(authPath) ?? {}
      const kept = stripCodexToml(existing, true)
      const head = [`model = ${tomlString(target.model)}`, `model_provider = ${tomlString(PROVIDER)}`].join('\n')
      const table = [`[model_providers.${PROVIDER}]`, `name = "modelmux"`, `base_url = ${tomlString(`${target.origin}/v1`)}`, `wire_api = "responses"`].join('\n')
      // Top-level keys must come before the first table, so ours go first.
      const text = `${head}\n${kept ? `\n${kept}\n` : ''}\n${table}\n`
      parseToml(configPath, text)
      const saved = [writeFileSafely(configPath, text, now), writeJson(authPath, { ...auth, OPENAI_API_KEY: target.apiKey, auth_mode: 'apikey' }, now)]
      return saved.filter((x): x is string => !!x)
    },
    reset(home, now) {
      const [configPath, authPath] = codexFiles(home)
      const saved: (string | undefined)[] = []
      if (existsSync(configPath)) {
        const existing = readFileSync(configPath, 'utf8')
        parseToml(configPath, existing)
        saved.push(writeFileSafely(configPath, `${stripCodexToml(existing, false)}\n`, now))
      }
      const auth = readJsonFile(authPath)
      if (auth && auth.auth_mode === 'apikey') {
        delete auth.OPENAI_API_KEY
        delete auth.auth_mode
        saved.push(writeJson(authPath, auth, now))
      }
      return saved.filter((x): x is string => !!x)
    },
  },
  {
    id: 'openclaw',
    name: 'OpenClaw',
    binary: 'openclaw',
    files: (home) => [openclawFile(home)],
    isConfigured: (home) => readJsonFile(openclawFile(home))?.models?.providers?.[PROVIDER] !== undefined,
    apply(home, target, now) {
      const path = openclawFile(home)
      const config = readJsonFile(path) ?? {}
      config.models = { ...config.models, providers: { ...config.models?.providers, [PROVIDER]: { baseUrl: `${target.origin}/v1`, apiKey: target.apiKey, api: 'openai-completions', models: [{ id: target.model, name: target.model }] } } }
      const defaults = config.agents?.defaults ?? {}
      config.agents = { ...config.agents, defaults: { ...defaults, model: { ...defaults.model, primary: `${PROVIDER}/${target.model}` }, models: { ...defaults.models, [`${PROVIDER}/${target.model}`]: {} } } }
      return [writeJson(path, config, now)].filter((x): x is string => !!x)
    },
    reset(home, now) {
      const path = openclawFile(home)
      const config = readJsonFile(path)
      if (!config) return []
      if (config.models?.providers) delete config.models.providers[PROVIDER]
      const defaults = config.agents?.defaults
      if (defaults?.model?.primary?.startsWith(`${PROVIDER}/`)) delete defaults.model.primary
      if (defaults?.models) for (const key of Object.keys(defaults.models)) if (key.startsWith(`${PROVIDER}/`)) delete defaults.models[key]
      return [writeJson(path, config, now)].filter((x): x is string => !!x)
    },
  },
  {
    id: 'opencode',
    name: 'OpenCode',
    binary: 'opencode',
    files: (home) => [opencodeFile(home)],
    isConfigured: (home) => readJsonFile(opencodeFile(home))?.provider?.[PROVIDER] !== undefined,
    apply(home, target, now) {
      const path = opencodeFile(home)
      const config = readJsonFile(path) ?? { $schema: 'https://opencode.ai/config.json' }
      config.provider = {
        ...config.provider,
        [PROVIDER]: { npm: '@ai-sdk/openai-compatible', name: 'modelmux', options: { baseURL: `${target.origin}/v1`, apiKey: target.apiKey }, models: { [target.model]: { name: target.model } } },
      }
      config.model = `${PROVIDER}/${target.model}`
      return [writeJson(path, config, now)].filter((x): x is string => !!x)
    },
    reset(home, now) {
      const path = opencodeFile(home)
      const config = readJsonFile(path)
      if (!config) return []
      if (config.provider) delete config.provider[PROVIDER]
      if (typeof config.model === 'string' && config.model.startsWith(`${PROVIDER}/`)) delete config.model
      return [writeJson(path, config, now)].filter((x): x is string => !!x)
    },
  },
  {
    id: 'droid',
    name: 'Factory Droid',
    binary: 'droid',
    files: (home) => [droidFile(home)],
    isConfigured: (home) => (readJsonFile(droidFile(home))?.customModels ?? []).some((entry: Json) => String(entry?.id).startsWith(`custom:${PROVIDER}-`)),
    apply(home, target, now) {
      const path = droidFile(home)
      const settings = readJsonFile(path) ?? {}
      const others = (Array.isArray(settings.customModels) ? settings.customModels : []).filter((entry: Json) => !String(entry?.id).startsWith(`custom:${PROVIDER}-`))
      const ours = { model: target.model, id: droidId(0), index: 0, baseUrl: `${target.origin}/v1`, apiKey: target.apiKey, displayName: `${target.model} (modelmux)`, maxOutputTokens: 131072, noImageSupport: false, provider: 'generic-chat-completion-api' }
      settings.customModels = [ours, ...others]
      return [writeJson(path, settings, now)].filter((x): x is string => !!x)
    },
    reset(home, now) {
      const path = droidFile(home)
      const settings = readJsonFile(path)
      if (!settings || !Array.isArray(settings.customModels)) return []
      settings.customModels = settings.customModels.filter((entry: Json) => !String(entry?.id).startsWith(`custom:${PROVIDER}-`))
      return [writeJson(path, settings, now)].filter((x): x is string => !!x)
    },
  },
]

const find = (id: string) => definitions.find((tool) => tool.id === id)

/** Whether a tool looks installed: its binary on PATH or its config directory present. */
function isInstalled(tool: ToolDefinition, env: CliToolEnv): boolean {
  if (Bun.which(tool.binary, env.path === undefined ? undefined : { PATH: env.path })) return true
  return tool.files(env.home).some((file) => existsSync(dirname(file)))
}

/** Every supported tool with whether it is installed and already pointed at modelmux. */
export function listCliTools(env: CliToolEnv): CliToolStatus[] {
  return definitions.map((tool) => {
    const status: CliToolStatus = { id: tool.id, name: tool.name, installed: isInstalled(tool, env), configured: false, files: tool.files(env.home) }
    try {
      status.configured = tool.isConfigured(env.home)
    } catch (error) {
      status.problem = (error as Error).message
    }
    return status
  })
}

/** True for a supported tool id. */
export function isCliToolId(id: string): id is CliToolId {
  return find(id) !== undefined
}

/** Points a tool at modelmux, keeping the user's other settings; returns the backups made. */
export function applyCliTool(env: CliToolEnv, id: CliToolId, target: CliToolTarget): string[] {
  return find(id)!.apply(env.home, target, (env.now ?? Date.now)())
}

/** Removes modelmux's entries from a tool's config; returns the backups made. */
export function resetCliTool(env: CliToolEnv, id: CliToolId): string[] {
  return find(id)!.reset(env.home, (env.now ?? Date.now)())
}
