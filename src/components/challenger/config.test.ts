import { describe, expect, test } from 'vitest'
import { parseChallengerFlags } from './config.js'

const key = `0x${'11'.repeat(32)}`
const base = ['--l1-eth-rpc', 'http://127.0.0.1:8545', '--rollup-rpc', 'http://127.0.0.1:7545', '--game-factory-address', '0x00000000000000000000000000000000000000aa', '--private-key', key]

describe('parseChallengerFlags', () => {
  test("default: op-challenger's defaults", () => {
    expect(parseChallengerFlags(base)).toEqual({
      l1Rpc: 'http://127.0.0.1:8545',
      rollupRpc: 'http://127.0.0.1:7545',
      factory: '0x00000000000000000000000000000000000000AA',
      privateKey: key,
      traceTypes: ['alphabet'],
      gameWindowMs: 672 * 3_600_000,
      pollMs: 12_000,
      additionalClaimants: [],
      selectiveClaimResolution: false,
      metrics: { enabled: false, addr: '0.0.0.0', port: 7300 },
    })
  })

  test('args: lists, durations and booleans', () => {
    const cfg = parseChallengerFlags([...base, '--trace-type', 'alphabet,fast', '--game-window', '2m0s', '--http-poll-interval', '500ms', '--game-allowlist', '0x00000000000000000000000000000000000000bb', '--selective-claim-resolution', '--metrics.enabled', '--metrics.port', '7310', '--datadir', '/tmp/x'])
    expect(cfg).toMatchObject({ traceTypes: ['alphabet', 'fast'], gameWindowMs: 120_000, pollMs: 500, allowlist: ['0x00000000000000000000000000000000000000bb'], selectiveClaimResolution: true, metrics: { enabled: true, port: 7310 } })
  })

  test('error: bad input names the flag', () => {
    expect(() => parseChallengerFlags(base.slice(0, 6))).toThrow('challenger flags: missing required flag(s) --private-key')
    expect(() => parseChallengerFlags([...base, '--trace-type', 'cannon'])).toThrow('--trace-type: "cannon" is not supported by the lite challenger; expected alphabet, fast')
    expect(() => parseChallengerFlags([...base, '--game-window', '5 days'])).toThrow('--game-window: invalid duration "5 days"')
    expect(() => parseChallengerFlags([...base, '--game-allowlist', '0x12'])).toThrow('--game-allowlist: "0x12" is not an address')
    expect(() => parseChallengerFlags([...base.slice(0, 7), '0x1234'])).toThrow('--private-key: expected 32 bytes of hex')
    expect(() => parseChallengerFlags(['--l1-eth-rpc', 'ws://x', ...base.slice(2)])).toThrow('--l1-eth-rpc: expected an http(s) URL')
    expect(() => parseChallengerFlags([...base, '--bogus'])).toThrow("challenger flags: unknown option '--bogus'")
  })
})
