import { describe, expect, test } from 'bun:test'
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base'
import { GptEncoding } from 'gpt-tokenizer/GptEncoding'
import shipped from 'gpt-tokenizer/bpeRanks/o200k_base'
import { parseTiktokenRanks } from '../../src/core/tiktoken-ranks'

const line = (bytes: number[], rank: number) => `${Buffer.from(bytes).toString('base64')} ${rank}`

describe('parseTiktokenRanks', () => {
  test('the o200k rank file parses to exactly the table gpt-tokenizer ships as JavaScript', async () => {
    const text = await Bun.file(Bun.resolveSync('gpt-tokenizer/data/o200k_base.tiktoken', import.meta.dir)).text()
    const ranks = parseTiktokenRanks(text)
    expect(ranks.length).toBe(shipped.length)
    expect(ranks).toEqual(shipped as typeof ranks)
    // Some tokens are bytes that are not UTF-8 on their own; the table keeps those as byte arrays.
    expect(ranks.filter((entry) => typeof entry !== 'string').length).toBeGreaterThan(1000)
    const counter = GptEncoding.getEncodingApi('o200k_base', () => ranks)
    for (const sample of ['', 'hello world', 'naïve café — 東京 🚀', '\u{1F9D1}\u200D\u{1F4BB} const x = [1, 2]\n\t', '<|endoftext|> is text here']) {
      expect(counter.countTokens(sample, { disallowedSpecial: new Set() })).toBe(countTokens(sample, { disallowedSpecial: new Set() }))
    }
  })

  test('text tokens, byte tokens, a leading BOM and skipped ranks', () => {
    const text = [line([0x68, 0x69], 0), line([0xe2, 0x82], 1), line([0xef, 0xbb, 0xbf, 0x41], 2), line([0x20], 5), ''].join('\n')
    expect(parseTiktokenRanks(text)).toEqual(['hi', [0xe2, 0x82], [0xef, 0xbb, 0xbf, 0x41], '', '', ' '])
  })

  test('a malformed line or ranks out of order are errors that name the line', () => {
    expect(() => parseTiktokenRanks('aGk= 0\nnot-a-pair')).toThrow('line 2')
    expect(() => parseTiktokenRanks('aGk= 0\naGk= x')).toThrow('line 2')
    expect(() => parseTiktokenRanks('aGk= 1\naGk= 0')).toThrow('line 2')
    expect(() => parseTiktokenRanks(' 0')).toThrow('line 1')
  })
})
