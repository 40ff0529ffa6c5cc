/**
 * The token saver: makes long command outputs (builds, test runs, installs, logs) cheaper to send again on every
 * turn of an agent's conversation. Its cleanup keeps what a terminal would end up showing: colour and cursor
 * escapes go, a line a progress bar redrew keeps only what it showed last, and a run of identical lines becomes
 * one line and a count. With `maxLines`, a longer output also keeps only its head and tail, with a line saying how
 * many lines were left out. Line endings and spacing stay as they were. The result depends only on the text, so a
 * conversation's earlier turns read the same each time and prompt caches keep working.
 * @module
 */

/** Token saver settings (`settings.tokenSaver`). */
export interface TokenSaverOptions {
  enabled: boolean
  /** Outputs longer than this many lines keep their first 60 % and last 40 % of it; absent: never cut. */
  maxLines?: number
}

/** Shorter texts are left alone: too little to gain. */
export const MIN_SAVER_CHARS = 500
/** Longer texts are left alone: a cleanup pass over them would cost more time than it saves money. */
export const MAX_SAVER_CHARS = 10 * 1024 * 1024
/** Identical consecutive lines from this many on become one line and a count. */
const MIN_REPEATS = 3

// CSI sequences (colours, cursor moves, erase), OSC sequences (titles, hyperlinks) and other two-character escapes.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g

/** The line as a terminal ends up showing it: after a bare carriage return, what was written last (a CRLF ending stays). */
function lastDrawn(line: string): string {
  const crlf = line.endsWith('\r')
  const body = crlf ? line.slice(0, -1) : line
  if (body.indexOf('\r') === -1) return line
  const frames = body.split('\r').filter((frame) => frame.length > 0)
  return (frames.length === 0 ? '' : frames[frames.length - 1]) + (crlf ? '\r' : '')
}

/** Collapses runs of identical lines (blank ones excepted) into the line and a note of how many more there were. */
function collapseRepeats(lines: string[]): string[] {
  const out: string[] = []
  for (let at = 0; at < lines.length; ) {
    let end = at + 1
    while (end < lines.length && lines[end] === lines[at]) end++
    const run = end - at
    if (run >= MIN_REPEATS && lines[at].trim() !== '') out.push(lines[at], `[the line above repeats ${run - 1} more times]`)
    else for (let index = at; index < end; index++) out.push(lines[index])
    at = end
  }
  return out
}

/** Keeps the head and tail of an output longer than `maxLines`, with a line saying how many lines were left out. */
function keepHeadAndTail(lines: string[], maxLines: number): string[] {
  if (lines.length <= maxLines) return lines
  const head = Math.ceil(maxLines * 0.6)
  const tail = maxLines - head
  const omitted = lines.length - head - tail
  return [...lines.slice(0, head), `[modelmux token saver: ${omitted} lines left out here]`, ...lines.slice(lines.length - tail)]
}

/** Saves what it can in one command output (`cut`: may also keep only head and tail); returns it unchanged when that gains nothing or would leave nothing. */
export function saveTokens(text: string, options: TokenSaverOptions, cut = true): string {
  if (!options.enabled || text.length < MIN_SAVER_CHARS || text.length > MAX_SAVER_CHARS) return text
  let lines = collapseRepeats(text.replace(ESCAPES, '').split('\n').map(lastDrawn))
  if (cut && options.maxLines !== undefined) lines = keepHeadAndTail(lines, options.maxLines)
  const saved = lines.join('\n')
  return saved.trim() === '' || saved.length >= text.length ? text : saved
}
