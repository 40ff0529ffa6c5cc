import { describe, expect, test } from 'bun:test'
import { decodeUpstreamError } from '../../src/formats/upstream-error'

describe('upstream error bodies in words', () => {
  test('each format keeps its message and code', () => {
    expect(decodeUpstreamError(429, '{"error":{"message":"slow down","code":"rate_limit_exceeded"}}', 'oa')).toMatchObject({ message: 'oa: slow down', code: 'rate_limit_exceeded', status: 429 })
    expect(decodeUpstreamError(400, '{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}', 'an')).toMatchObject({ message: 'an: bad', code: 'invalid_request_error' })
    expect(decodeUpstreamError(500, '{"error":"model not loaded"}', 'ol').message).toBe('ol: model not loaded')
    expect(decodeUpstreamError(502, 'upstream connect error', 'x').message).toBe('x: upstream connect error')
    expect(decodeUpstreamError(503, '', 'x').message).toBe('x: upstream answered HTTP 503')
  })

  test('an HTML page (a CDN challenge, a proxy error) is told by its title, not pasted as markup', () => {
    const challenge = '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta name="robots"></head><body><div class="main-wrapper">…</div></body></html>'
    expect(decodeUpstreamError(403, challenge, 'codex').message).toBe('codex: an HTML page titled "Just a moment..." (a proxy or CDN answered, not the API)')
    expect(decodeUpstreamError(502, '<html>\n<head><title>502 Bad\n Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>', 'vllm').message).toBe(
      'vllm: an HTML page titled "502 Bad Gateway" (a proxy or CDN answered, not the API)',
    )
    expect(decodeUpstreamError(500, '<html><body>oops</body></html>', 'x').message).toBe('x: an HTML page (a proxy or CDN answered, not the API)')
    expect(decodeUpstreamError(400, 'value must be < 10 and <title> is not a tag here', 'x').message).toBe('x: value must be < 10 and <title> is not a tag here')
  })
})
