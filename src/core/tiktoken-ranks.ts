/** One entry of a BPE rank table: the token's text, or its bytes when they are not UTF-8 that round-trips. */
export type RankEntry = string | number[]

const utf8 = new TextDecoder('utf-8', { fatal: true })
const encoder = new TextEncoder()

function tokenEntry(bytes: Uint8Array): RankEntry {
  try {
    const text = utf8.decode(bytes)
    // The decoder drops a leading BOM; such a token is kept as bytes so it still encodes exactly.
    if (encoder.encode(text).byteLength === bytes.byteLength) return text
  } catch {
    // not UTF-8: a byte-level token
  }
  return Array.from(bytes)
}

/**
 * Parses a tiktoken rank file (one `base64-token rank` pair per line) into the rank-indexed table
 * gpt-tokenizer's GptEncoding takes, the same table the package ships precompiled as JavaScript.
 * Throws on a malformed line or a rank out of order. Ranks that are skipped become empty strings.
 * @see https://github.com/openai/tiktoken/blob/main/tiktoken/load.py (load_tiktoken_bpe)
 */
export function parseTiktokenRanks(text: string): RankEntry[] {
  const ranks: RankEntry[] = []
  let start = 0
  let lineNumber = 0
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = text.length
    lineNumber++
    const line = text.slice(start, end)
    start = end + 1
    if (line.length === 0) continue
    const space = line.indexOf(' ')
    const rank = Number(line.slice(space + 1))
    if (space <= 0 || !Number.isSafeInteger(rank) || rank < ranks.length) {
      throw new Error(`tiktoken ranks, line ${lineNumber}: expected "<base64 token> <rank>" with ranks in increasing order`)
    }
    while (ranks.length < rank) ranks.push('')
    ranks.push(tokenEntry(Buffer.from(line.slice(0, space), 'base64')))
  }
  return ranks
}
