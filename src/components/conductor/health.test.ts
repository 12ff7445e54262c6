import { describe, expect, it } from 'vitest'
import { createServer } from 'node:http'
import { assessPeers, assessSyncStatus, HealthMonitor, type HealthConfig } from './health.js'
import { ERR_SEQUENCER_CONNECTION_DOWN, ERR_SEQUENCER_NOT_HEALTHY } from './errors.js'
import { closeServer, rpcClient, startRpcServer } from '../shared/jsonrpc.js'
import { logger } from '../shared/log.js'

const cfg: HealthConfig = { interval: 1, unsafeInterval: 10, safeEnabled: false, safeInterval: 100, minPeerCount: 2, blockTime: 2 }
const fresh = { lastSeenUnsafeNum: 0, lastSeenUnsafeTime: 0 }
const heads = (unsafeNum: number, unsafeTime: number, safeTime = unsafeTime) => ({ unsafe: { number: unsafeNum, time: unsafeTime }, safe: { number: 0, time: safeTime } })

describe('health rules (op-conductor SequencerHealthMonitor)', () => {
  it('default: a fresh, advancing head is healthy and tracked', () => {
    const r = assessSyncStatus(cfg, heads(5, 1000), 1001, fresh)
    expect(r.error).toBeUndefined()
    expect(r.tracker).toEqual({ lastSeenUnsafeNum: 5, lastSeenUnsafeTime: 1001 })
  })
  it('behavior: an unsafe head that stopped progressing fires', () => {
    const r = assessSyncStatus(cfg, heads(5, 1000), 1008, { lastSeenUnsafeNum: 5, lastSeenUnsafeTime: 1000 })
    expect(r.error).toBe(ERR_SEQUENCER_NOT_HEALTHY)
    expect(r.reason).toBe('unsafe head is not progressing as expected')
  })
  it('behavior: one block short of the expectation within a block time is tolerated', () => {
    expect(assessSyncStatus(cfg, heads(6, 1003), 1004, { lastSeenUnsafeNum: 5, lastSeenUnsafeTime: 1000 }).error).toBeUndefined()
  })
  it('behavior: an unsafe head older than the unsafe interval fires', () => {
    const r = assessSyncStatus(cfg, heads(5, 1000), 1011, fresh)
    expect(r.reason).toBe('unsafe head is falling behind the unsafe interval')
  })
  it('behavior: an old safe head fires only with safe checks enabled', () => {
    expect(assessSyncStatus(cfg, heads(5, 1000, 800), 1001, fresh).error).toBeUndefined()
    const r = assessSyncStatus({ ...cfg, safeEnabled: true }, heads(5, 1000, 800), 1001, fresh)
    expect(r.reason).toBe('safe head is not progressing as expected')
  })
  it('behavior: fewer peers than the minimum fires', () => {
    expect(assessPeers(cfg, 1)).toEqual({ error: ERR_SEQUENCER_NOT_HEALTHY, reason: 'peer count is below minimum' })
    expect(assessPeers(cfg, 2)).toEqual({})
  })
})

describe('HealthMonitor.check against a JSON-RPC server', () => {
  const log = logger('test')
  it('error: an unreachable node is connection-down', async () => {
    const dead = createServer()
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()))
    const port = (dead.address() as { port: number }).port
    await new Promise((r) => dead.close(r))
    const m = new HealthMonitor(cfg, rpcClient(`http://127.0.0.1:${port}`), log, () => undefined)
    expect(await m.check()).toBe(ERR_SEQUENCER_CONNECTION_DOWN)
  })
  it('error: a failing opp2p_peerStats is connection-down; a good node is healthy', async () => {
    const now = Math.floor(Date.now() / 1000)
    let peers = true
    const server = await startRpcServer({
      host: '127.0.0.1',
      port: 0,
      methods: {
        optimism_syncStatus: () => ({ unsafe_l2: { number: 3, timestamp: now }, safe_l2: { number: 1, timestamp: now } }),
        opp2p_peerStats: () => {
          if (!peers) throw new Error('p2p disabled')
          return { connected: 5 }
        },
      },
    })
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
      const m = new HealthMonitor(cfg, rpcClient(url), log, () => undefined, () => now)
      expect(await m.check()).toBeUndefined()
      peers = false
      expect(await m.check()).toBe(ERR_SEQUENCER_CONNECTION_DOWN)
    } finally {
      await closeServer(server)
    }
  })
})
