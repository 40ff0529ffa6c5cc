import o200kRanks from 'gpt-tokenizer/data/o200k_base.tiktoken' with { type: 'file' }
import { imageTokens, readImageSize } from '../core/image-size'
import type { ChatRequest, ContentPart } from '../core/ir'
import { parseTiktokenRanks } from '../core/tiktoken-ranks'

// Per-message framing overhead (role markers), as OpenAI's chat format documents it.
const PER_MESSAGE = 3

type Counter = (text: string) => number
// A prompt may spell a special token (`<|endoftext|>`) as plain text; it is counted as the text it is
// (tiktoken's encode_ordinary), where the library's default would throw.
const ordinaryText = { disallowedSpecial: new Set<string>() }

/**
 * A counter loaded on first use and let go `keepLoadedMs` after its last use, then `onRelease` runs (a failed
 * load is tried again on the next use). `get` returns the loading or loaded counter; `loaded` tells whether one is held.
 */
export function createLazyCounter(load: () => Promise<Counter>, keepLoadedMs: number, onRelease: () => void = () => {}) {
  let counter: Promise<Counter> | undefined
  let lastUsed = 0
  let timer: ReturnType<typeof setInterval> | undefined
  const release = () => {
    counter = undefined
    clearInterval(timer)
    timer = undefined
  }
  return {
    get(): Promise<Counter> {
      lastUsed = performance.now()
      if (counter) return counter
      const loading = load()
      counter = loading
      loading.catch(() => {
        if (counter === loading) release()
      })
      timer = setInterval(() => {
        if (performance.now() - lastUsed < keepLoadedMs) return
        release()
        onRelease()
      }, Math.max(10, keepLoadedMs / 4))
      timer.unref?.()
      return loading
    },
    loaded: () => counter !== undefined,
  }
}

/**
 * Loads the o200k tokenizer (on first use, through {@link createLazyCounter}): its tables take about 190 ms to
 * build and hold about 30 MB, which most runs never need, so a router that stopped counting gives them back after
 * ten minutes. The ranks come from the package's plain rank file, embedded as a file: its precompiled JavaScript
 * form would add about 10 MB of source and bytecode to the executable, read on every start.
 */
async function loadTokenizer(): Promise<Counter> {
  const [{ GptEncoding }, text] = await Promise.all([import('gpt-tokenizer/GptEncoding'), Bun.file(o200kRanks).text()])
  const ranks = parseTiktokenRanks(text)
  const encoding = GptEncoding.getEncodingApi('o200k_base', () => ranks)
  return (text: string) => encoding.countTokens(text, ordinaryText)
}

// Released, the tables go at the next collection: a router this quiet may have no burst of requests to end (when
// the idle collection runs), so one runs a moment later, on a turn whose stack no longer points at them.
const tokenizer = createLazyCounter(loadTokenizer, 10 * 60_000, () => setTimeout(() => Bun.gc(true), 1000).unref())

function partTokens(part: ContentPart, countTokens: Counter): number {
  switch (part.type) {
    case 'text':
      return countTokens(part.text)
    case 'reasoning':
      return countTokens(part.text)
    case 'tool-call':
      return countTokens(part.name) + countTokens(part.arguments || '{}')
    case 'tool-result':
      return part.content.reduce((sum, inner) => sum + partTokens(inner, countTokens), 0) + PER_MESSAGE
    case 'image': {
      if (part.source.type !== 'base64') return imageTokens(undefined)
      const head = Buffer.from(part.source.data.slice(0, 4096), 'base64')
      return imageTokens(readImageSize(head))
    }
    case 'file':
      return part.source.type === 'text' ? countTokens(part.source.data) : Math.ceil((part.source.type === 'base64' ? part.source.data.length * 0.75 : 0) / 4)
    case 'raw':
      return countTokens(JSON.stringify(part.value))
  }
}

/**
 * Counts a request's input tokens locally with a real BPE tokenizer (o200k): system, messages, tool
 * definitions and images. Used only when the upstream has no counting API; the result is an estimate
 * for non-OpenAI models and is reported as such.
 */
export async function countRequestTokens(request: ChatRequest): Promise<number> {
  const countTokens = await tokenizer.get()
  let total = 0
  for (const part of request.system) total += countTokens(part.text)
  for (const message of request.messages) {
    total += PER_MESSAGE
    for (const part of message.content) total += partTokens(part, countTokens)
  }
  for (const tool of request.tools ?? []) {
    total += countTokens(tool.name) + countTokens(tool.description ?? '') + countTokens(JSON.stringify(tool.parameters))
  }
  return total
}
