import { describe, expect, it } from 'vitest'
import { parseFlags } from './flags.js'

const key = `0x${'11'.repeat(32)}`
const required = [
  '--l1-eth-rpc=http://127.0.0.1:8545', '--rollup-rpc=http://127.0.0.1:7545',
  '--game-factory-address=0x5FbDB2315678afecb367f032d93F642f64180aa3', '--proposal-interval=6s', `--private-key=${key}`,
]

describe('proposer flags (op-proposer names)', () => {
  it('default: op-proposer defaults', () => {
    const c = parseFlags(required)
    expect(c).toMatchObject({ gameType: 0, proposalIntervalMs: 6000, pollIntervalMs: 6000, allowNonFinalized: false, stopped: false })
    expect(c.rpc).toEqual({ addr: '0.0.0.0', port: 8545 })
    expect(c).toMatchObject({ rollupRpc: ['http://127.0.0.1:7545'], activeSequencerCheckMs: 120_000, metrics: { enabled: false, addr: '0.0.0.0', port: 7300 } })
  })
  it('args: a comma-separated --rollup-rpc, the active sequencer check and the metrics server', () => {
    const c = parseFlags([...required, '--rollup-rpc=http://a:1, http://b:2', '--active-sequencer-check-duration=1s', '--metrics.enabled', '--metrics.addr=127.0.0.1', '--metrics.port=7320'])
    expect(c).toMatchObject({ rollupRpc: ['http://a:1', 'http://b:2'], activeSequencerCheckMs: 1000, metrics: { enabled: true, addr: '127.0.0.1', port: 7320 } })
  })
  it('args: game type, durations, booleans and the rpc port', () => {
    const c = parseFlags([...required, '--game-type=255', '--poll-interval=500ms', '--allow-non-finalized', '--rpc.port=8560', '--rpc.addr=127.0.0.1', '--stopped=true'])
    expect(c).toMatchObject({ gameType: 255, pollIntervalMs: 500, allowNonFinalized: true, stopped: true, rpc: { addr: '127.0.0.1', port: 8560 } })
  })
  it('args: OP_PROPOSER_* environment variables', () => {
    process.env.OP_PROPOSER_GAME_TYPE = '254'
    try {
      expect(parseFlags(required).gameType).toBe(254)
    } finally {
      delete process.env.OP_PROPOSER_GAME_TYPE
    }
  })
  it('error: missing required flags are named', () => {
    expect(() => parseFlags(['--l1-eth-rpc=http://x'])).toThrow('proposer flags: missing required flag(s) --rollup-rpc, --private-key')
    expect(() => parseFlags(required.filter((f) => !f.startsWith('--game-factory')))).toThrow('missing required flag --game-factory-address')
  })
  it('error: a zero proposal interval, the legacy oracle and bad values name the flag', () => {
    expect(() => parseFlags([...required, '--proposal-interval=0s'])).toThrow('--proposal-interval: must be greater than 0')
    expect(() => parseFlags([...required, '--l2oo-address=0x5FbDB2315678afecb367f032d93F642f64180aa3'])).toThrow('--l2oo-address: the legacy L2OutputOracle is not supported')
    expect(() => parseFlags([...required, '--game-factory-address=0x12'])).toThrow('--game-factory-address: expected an address')
    expect(() => parseFlags([...required, '--private-key=0x12'])).toThrow('--private-key: expected 32 bytes')
    expect(() => parseFlags([...required, '--poll-interval=soon'])).toThrow('--poll-interval: invalid duration "soon"')
    expect(() => parseFlags([...required, '--game-type=x'])).toThrow('--game-type: expected an unsigned integer')
    expect(() => parseFlags([...required, '--rollup-rpc=http://a:1,ws://b:2'])).toThrow('--rollup-rpc: expected an http(s) URL, got "ws://b:2"')
    expect(() => parseFlags([...required, '--rollup-rpc=,'])).toThrow('--rollup-rpc: expected at least one URL')
    expect(() => parseFlags([...required, '--metrics.port=x'])).toThrow('--metrics.port: expected an unsigned integer')
  })
})
