/**
 * Every Responses stream event carries a `sequence_number`. A stream rebuilt to be carried on goes on numbering
 * after the last one the client holds (upstreams need not start at 0 or count every event they send).
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 * @module
 */

const member = Buffer.from('"sequence_number":')
const [SPACE, ZERO, NINE] = [32, 48, 57]

/** The number after the last `sequence_number` in the relayed bytes the client holds; undefined when there is none. */
export function nextSequenceNumber(sent: readonly Uint8Array[]): number | undefined {
  for (let chunk = sent.length - 1; chunk >= 0; chunk--) {
    const bytes = Buffer.from(sent[chunk].buffer, sent[chunk].byteOffset, sent[chunk].byteLength)
    const at = bytes.lastIndexOf(member)
    if (at === -1) continue
    let index = at + member.length
    while (bytes[index] === SPACE) index++
    let value = 0
    const first = index
    for (; index < bytes.length && bytes[index] >= ZERO && bytes[index] <= NINE; index++) value = value * 10 + bytes[index] - ZERO
    // A chunk ends at a line end, so a number is never split; digits missing mean the member is not a number.
    return index > first ? value + 1 : undefined
  }
  return undefined
}
