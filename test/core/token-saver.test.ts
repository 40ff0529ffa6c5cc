import { describe, expect, test } from 'bun:test'
import { saveTokens } from '../../src/core/token-saver'

const on = { enabled: true }
const filler = (n: number) => Array.from({ length: n }, (_, i) => `src/module-${i}.ts: compiled`).join('\n')

describe('token saver', () => {
  test('keeps what the terminal finally showed: escapes gone, progress redraws reduced to their last frame, repeats counted', () => {
    const progress = Array.from({ length: 40 }, (_, i) => `\r[${'#'.repeat(i)}${' '.repeat(40 - i)}] ${i * 2.5}%`).join('') + '\r[########################################] 100%'
    const out = [
      '\x1b[1m\x1b[32m✓\x1b[39m\x1b[22m installed 312 packages',
      progress,
      ...Array(25).fill('warning: deprecated API used'),
      '\x1b]8;;https://example.com\x07link\x1b]8;;\x07 done',
    ].join('\n')
    expect(saveTokens(out, on)).toBe(
      ['✓ installed 312 packages', '[########################################] 100%', 'warning: deprecated API used', '[the line above repeats 24 more times]', 'link done'].join('\n'),
    )
  })

  test('leaves spacing, CRLF endings, blank-line runs and short or pattern-free outputs exactly as they were', () => {
    const crlf = `${filler(20).split('\n').join('  \r\n')}\r\n`
    expect(saveTokens(crlf, on)).toBe(crlf)
    const blanks = `${filler(10)}\n\n\n\n\n${filler(10)}`
    expect(saveTokens(blanks, on)).toBe(blanks)
    const short = 'a\x1b[31mb\x1b[0m\n'.repeat(10)
    expect(short.length).toBeLessThan(500)
    expect(saveTokens(short, on)).toBe(short)
    expect(saveTokens(`\x1b[31m${filler(30)}`, { enabled: false })).toBe(`\x1b[31m${filler(30)}`)
    // Only escapes: cleaning would leave nothing, so the output goes as it came.
    const onlyEscapes = '\x1b[2K'.repeat(200)
    expect(saveTokens(onlyEscapes, on)).toBe(onlyEscapes)
  })

  test('with maxLines, a long output keeps its head and tail and says how much it left out; never when told not to cut', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`)
    const cut = saveTokens(lines.join('\n'), { enabled: true, maxLines: 100 }).split('\n')
    expect(cut).toHaveLength(101)
    expect(cut.slice(0, 60)).toEqual(lines.slice(0, 60))
    expect(cut[60]).toBe('[modelmux token saver: 900 lines left out here]')
    expect(cut.slice(61)).toEqual(lines.slice(960))
    expect(saveTokens(lines.join('\n'), { enabled: true, maxLines: 100 }, false)).toBe(lines.join('\n'))
    expect(saveTokens(lines.join('\n'), { enabled: true, maxLines: 5000 })).toBe(lines.join('\n'))
  })
})
