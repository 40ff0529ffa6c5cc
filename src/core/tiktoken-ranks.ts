/** One entry of a BPE rank table: the token's text, or its bytes when they are not UTF-8 that round-trips. */
export type RankEntry = string | number[]

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A token's entry: its text when its bytes are valid UTF-8 (which then decode and encode back exactly), else its bytes. */
function tokenEntry(bytes: Uint8Array): RankEntry {
  // The decoder drops a leading byte-order mark; such a token is kept as bytes so it still encodes exactly.
  if (bytes[0] !== 0xef || bytes[1] !== 0xbb || bytes[2] !== 0xbf) {
    try {
      return utf8.decode(bytes)
    } catch {
      // not UTF-8: a byte-level token
    }
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
  // Each token is decoded into one reused buffer: 200,000 lines would otherwise leave 200,000 small buffers behind.
  let scratch = Buffer.alloc(256)
  let lineNumber = 0
  for (let start = 0, end = 0; start < text.length; start = end + 1) {
    end = text.indexOf('\n', start)
    if (end === -1) end = text.length
    lineNumber++
    if (end === start) continue
    const space = text.indexOf(' ', start)
    const rank = space === -1 || space >= end ? NaN : Number(text.slice(space + 1, end))
    if (space <= start || !Number.isSafeInteger(rank) || rank < ranks.length) {
      throw new Error(`tiktoken ranks, line ${lineNumber}: expected "<base64 token> <rank>" with ranks in increasing order`)
    }
    const token = text.slice(start, space)
    if (token.length > scratch.length) scratch = Buffer.alloc(token.length)
    const size = scratch.write(token, 'base64')
    while (ranks.length < rank) ranks.push('')
    ranks.push(tokenEntry(scratch.subarray(0, size)))
  }
  return ranks
}
