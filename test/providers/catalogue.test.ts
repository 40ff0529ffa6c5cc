import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { getProvider, providerList, providers } from '../../src/providers'

const providerFiles = readdirSync(new URL('../../src/providers/', import.meta.url)).filter(
  (file) => file.endsWith('.ts') && !['types.ts', 'index.ts', 'endpoints.ts', 'compatible.ts', 'prepare-upstream.ts', 'credentials.ts'].includes(file),
)

describe('provider catalogue', () => {
  test('the issue 5 providers are all there', () => {
    const wanted = ['openai', 'anthropic', 'gemini', 'openrouter', 'deepseek', 'groq', 'xai', 'mistral', 'together', 'fireworks', 'cerebras', 'perplexity', 'nvidia', 'cohere', 'glm', 'glm-cn', 'kimi', 'minimax', 'minimax-cn', 'alibaba', 'siliconflow', 'azure', 'vertex', 'ollama', 'ollama-cloud', 'opencode']
    expect(wanted.filter((id) => !getProvider(id))).toEqual([])
  })

  test('one file per provider, 10 to 30 lines each', () => {
    const sizes = providerFiles.map((file) => [file, readFileSync(new URL(`../../src/providers/${file}`, import.meta.url), 'utf8').trimEnd().split('\n').length] as const)
    expect(sizes.filter(([, lines]) => lines < 10 || lines > 30)).toEqual([])
  })

  test('ids and aliases are valid prefixes and never collide', () => {
    const owners = new Map<string, string[]>()
    for (const provider of providerList) {
      for (const prefix of [provider.id, ...provider.aliases]) owners.set(prefix, [...(owners.get(prefix) ?? []), provider.id])
    }
    expect([...owners].filter(([, ids]) => ids.length > 1)).toEqual([])
    expect([...owners.keys()].filter((prefix) => !/^[a-z0-9][a-z0-9._-]*$/.test(prefix))).toEqual([])
    expect(getProvider('toString')).toBeUndefined()
    expect(Object.keys(providers)).toHaveLength(providerList.length)
  })

  test('built-in providers have an https base URL (local Ollama excepted) and a docs link', () => {
    const problems = providerList.flatMap((provider) => {
      const out: string[] = []
      if (!provider.custom && provider.id !== 'azure' && !provider.baseUrl?.startsWith('https://') && provider.id !== 'ollama') out.push(`${provider.id}: base`)
      if (provider.baseUrl?.endsWith('/')) out.push(`${provider.id}: trailing slash`)
      if (!provider.custom && !provider.docs?.startsWith('https://')) out.push(`${provider.id}: docs`)
      return out
    })
    expect(problems).toEqual([])
  })

  test('prices are per 1M tokens and plausible; model ids (chat and embedding) are unique per provider', () => {
    const problems = providerList.flatMap((provider) =>
      [...(provider.models ?? []), ...(provider.embeddingModels ?? [])].flatMap((model, index, all) => {
        const out: string[] = []
        if (all.findIndex((other) => other.id === model.id) !== index) out.push(`${provider.id}/${model.id}: duplicate`)
        const price = model.pricing
        if (price) {
          const values = [price.input, price.output, price.cacheRead ?? 0, price.cacheWrite ?? 0]
          if (values.some((value) => !(value >= 0 && value <= 100))) out.push(`${provider.id}/${model.id}: price out of range`)
          if (price.cacheRead !== undefined && price.cacheRead > price.input) out.push(`${provider.id}/${model.id}: cache read above input`)
        }
        if (model.contextWindow !== undefined && !(model.contextWindow >= 4096)) out.push(`${provider.id}/${model.id}: context`)
        return out
      }),
    )
    expect(problems).toEqual([])
  })

  test('every model rule matches at least one built-in model (the conformance suite tests it with that model)', () => {
    const unmatched = providerList.flatMap((provider) =>
      (provider.modelRules ?? []).filter((rule) => !(provider.models ?? []).some((model) => rule.match.test(model.id))).map((rule) => `${provider.id} ${rule.match}`),
    )
    expect(unmatched).toEqual([])
  })

  test('catalogue summary (review diffs of this snapshot when a provider changes)', () => {
    const summary = providerList.map((p) => ({
      id: p.id,
      aliases: p.aliases.join(','),
      format: p.format,
      baseUrl: p.baseUrl ?? null,
      auth: p.auth.kind === 'header' || p.auth.kind === 'query' ? `${p.auth.kind}:${p.auth.name}` : p.auth.kind,
      listModels: p.listModels ?? null,
      headers: Object.keys(p.headers ?? {}).join(','),
      drops: (p.dropParams ?? []).join(','),
      renames: Object.entries(p.renameParams ?? {}).map(([from, to]) => `${from}>${to}`).join(','),
      models: (p.models ?? []).length,
    }))
    expect(summary).toMatchSnapshot()
  })
})
