import { describe, expect, test } from 'vitest'
import { FixedWindowLimiter, RateLimiter } from './rateLimit.js'

describe('rate limits', () => {
  test('default: a fixed window allows `limit` takes per key and resets with the next window', () => {
    let now = 0
    const l = new FixedWindowLimiter(2, 1000, () => now)
    expect([l.take('a'), l.take('a'), l.take('a'), l.take('b')]).toEqual([true, true, false, true])
    now = 1000
    expect(l.take('a')).toBe(true)
  })

  const conf = {
    baseRate: 2,
    baseIntervalMs: 1000,
    exemptOrigins: ['^https://trusted\\.example$'],
    exemptUserAgents: [],
    errorMessage: 'over rate limit',
    methodOverrides: { eth_call: { limit: 1, intervalMs: 1000, global: false }, eth_sendRawTransaction: { limit: 1, intervalMs: 1000, global: true } },
  }

  test('behavior: base rate per client, fires over the limit', () => {
    const r = new RateLimiter(conf, () => 0)
    const a = { ip: '1.1.1.1' }
    expect([r.overBase(a), r.overBase(a), r.overBase(a)]).toEqual([false, false, true])
    expect(r.overBase({ ip: '2.2.2.2' })).toBe(false)
  })

  test('behavior: method overrides per client, or shared when global; exempt origins skip non-global limits', () => {
    const r = new RateLimiter(conf, () => 0)
    expect([r.overMethod('eth_call', { ip: 'a' }), r.overMethod('eth_call', { ip: 'a' }), r.overMethod('eth_call', { ip: 'b' })]).toEqual([false, true, false])
    expect([r.overMethod('eth_sendRawTransaction', { ip: 'a' }), r.overMethod('eth_sendRawTransaction', { ip: 'b' })]).toEqual([false, true])
    const trusted = { ip: 'c', origin: 'https://trusted.example' }
    expect([r.overBase(trusted), r.overBase(trusted), r.overBase(trusted)]).toEqual([false, false, false])
    expect(r.overMethod('eth_sendRawTransaction', trusted)).toBe(true)
    expect(r.overMethod('eth_chainId', { ip: 'a' })).toBe(false)
  })
})
