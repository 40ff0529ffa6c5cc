import { expect, test } from 'bun:test'
import { requestedAnswers } from '../../src/formats/client-request'

test('how many answers a request asks for at once: OpenAI Chat n, Gemini candidateCount, one elsewhere', () => {
  expect(requestedAnswers('openai-chat', { n: 3 })).toBe(3)
  expect(requestedAnswers('openai-chat', { n: 1 })).toBe(1)
  expect(requestedAnswers('openai-chat', {})).toBe(1)
  expect(requestedAnswers('gemini', { generationConfig: { candidateCount: 2 } })).toBe(2)
  expect(requestedAnswers('gemini', { generationConfig: {} })).toBe(1)
  // A value that is not a count asks for nothing more (the upstream judges it).
  expect(requestedAnswers('openai-chat', { n: '2' })).toBe(1)
  expect(requestedAnswers('gemini', { generationConfig: null })).toBe(1)
  // Other formats have no such field: a look-alike is not read.
  expect(requestedAnswers('anthropic-messages', { n: 2 })).toBe(1)
  expect(requestedAnswers('ollama', { n: 2 })).toBe(1)
})
