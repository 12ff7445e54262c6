import { describe, expect, it } from 'vitest'
import { parseDuration, parseFlags } from './flags.js'

const required = [
  '--raft.server.id=seq-0', '--raft.storage.dir=/tmp/raft', '--node.rpc=http://127.0.0.1:7545', '--execution.rpc=http://127.0.0.1:9545',
  '--healthcheck.interval=1', '--healthcheck.unsafe-interval=3', '--healthcheck.min-peer-count=1',
]

describe('conductor flags (op-conductor names)', () => {
  it('default: op-conductor defaults and the etcd mapping', () => {
    const c = parseFlags(required)
    expect(c.consensus).toEqual({ addr: '127.0.0.1', port: 50050, advertised: '127.0.0.1:50050', clientPort: 50051 })
    expect(c.raft).toMatchObject({ serverId: 'seq-0', bootstrap: false, heartbeatTimeoutMs: 1000, leaseTimeoutMs: 500, snapshotThreshold: 8192 })
    expect(c.rpc).toEqual({ addr: '0.0.0.0', port: 8545, enableProxy: true })
    expect(c.health).toEqual({ interval: 1, unsafeInterval: 3, minPeerCount: 1, safeEnabled: false, safeInterval: 1200 })
    expect(c.paused).toBe(false)
  })
  it('args: Go-style booleans, durations and the extensions', () => {
    const c = parseFlags([...required, '--raft.bootstrap', '--paused=true', '--rpc.enable-proxy=false', '--raft.heartbeat-timeout=1500ms', '--consensus.advertised=seq-0:50050', '--etcd.client-port=2379'])
    expect(c.raft.bootstrap).toBe(true)
    expect(c.paused).toBe(true)
    expect(c.rpc.enableProxy).toBe(false)
    expect(c.raft.heartbeatTimeoutMs).toBe(1500)
    expect(c.consensus).toMatchObject({ advertised: 'seq-0:50050', clientPort: 2379 })
  })
  it('args: OP_CONDUCTOR_* environment variables', () => {
    process.env.OP_CONDUCTOR_RPC_PORT = '8547'
    try {
      expect(parseFlags(required).rpc.port).toBe(8547)
    } finally {
      delete process.env.OP_CONDUCTOR_RPC_PORT
    }
  })
  it('error: missing required flags are named', () => {
    expect(() => parseFlags(['--raft.server.id=a'])).toThrow('missing required flag(s) --raft.storage.dir, --node.rpc, --execution.rpc, --healthcheck.interval')
  })
  it('error: bad values name the flag', () => {
    expect(() => parseFlags([...required, '--consensus.port=x'])).toThrow('--consensus.port: expected an unsigned integer, got "x"')
    expect(() => parseFlags([...required, '--paused=maybe'])).toThrow('--paused: expected true or false')
    expect(() => parseFlags([...required, '--raft.lease-timeout=soon'])).toThrow('--raft.lease-timeout: invalid duration "soon"')
    expect(() => parseFlags([...required.slice(0, 2), '--node.rpc=localhost:1', ...required.slice(3)])).toThrow('--node.rpc: expected an http(s) URL')
    expect(() => parseFlags([...required, '--bogus'])).toThrow("unknown option '--bogus'")
  })
  it('default: parseDuration reads Go durations', () => {
    expect(parseDuration('f', '2m0s')).toBe(120_000)
    expect(parseDuration('f', '900ms')).toBe(900)
  })
})
