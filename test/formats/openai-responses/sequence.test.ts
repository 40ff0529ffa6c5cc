import { expect, test } from 'bun:test'
import { nextSequenceNumber } from '../../../src/formats/openai-responses/sequence'

const bytes = (text: string) => new TextEncoder().encode(text)

test('a rebuilt Responses stream numbers on from the last sequence_number the client holds', () => {
  const events = [
    bytes('event: response.created\ndata: {"type":"response.created","sequence_number":7,"response":{}}\n\n'),
    bytes('event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number": 41,"delta":"x"}\n\n'),
  ]
  expect(nextSequenceNumber(events)).toBe(42)
  // A chunk without one (a comment, a keep-alive) is looked past.
  expect(nextSequenceNumber([...events, bytes(': keep-alive\n\n')])).toBe(42)
  // Text that spells the member inside a string is escaped, so never taken for it.
  expect(nextSequenceNumber([bytes('data: {"sequence_number":3,"delta":"say \\"sequence_number\\": 99"}\n\n')])).toBe(4)
  expect(nextSequenceNumber([bytes('data: {"type":"x"}\n\n')])).toBeUndefined()
  expect(nextSequenceNumber([bytes('data: {"sequence_number":null}\n\n')])).toBeUndefined()
  expect(nextSequenceNumber([])).toBeUndefined()
})
