import type { Server } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { closeServer, startRpcServer } from '../shared/jsonrpc.js'
import { logger } from '../shared/log.js'
import { Backend } from './backend.js'
import type { GroupConfig } from './config.js'
import { ConsensusPoller, expectedBlockTags, STRAGGLER_MS } from './consensus.js'
import { createMetrics } from './metrics.js'

/** A JSON-RPC server answering the poller's calls from a chain the test moves. */
interface Chain {
  latest: number
  safe: number
  finalized: number
  /** Fork marker: blocks above `forkAt` get a different hash. */
  fork?: { at: number; tag: string }
  syncing?: boolean
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer))
})

async function chainBackend(name: string, chain: Chain, metrics = createMetrics(), opts: { port?: number; listenAfterMs?: number | 'never' } = {}): Promise<Backend> {
  const hash = (n: number) => `0x${(chain.fork && n > chain.fork.at ? chain.fork.tag : 'aa').padEnd(8, '0')}${n.toString(16).padStart(56, '0')}`
  const block = (n: number) => (n > chain.latest ? null : { number: `0x${n.toString(16)}`, hash: hash(n) })
  const listen = () =>
    startRpcServer({
      host: '127.0.0.1',
      port: opts.port ?? 0,
      methods: {
        eth_chainId: () => '0x385',
        net_peerCount: () => '0x5',
      eth_syncing: () => (chain.syncing ? { currentBlock: '0x1' } : false),
        eth_getBlockByNumber: ([tag]) => block(tag === 'latest' ? chain.latest : tag === 'safe' ? chain.safe : tag === 'finalized' ? chain.finalized : Number(tag)),
      },
    }).then((server) => (servers.push(server), server))
  let port = opts.port
  if (opts.listenAfterMs === undefined) port = ((await listen()).address() as AddressInfo).port
  else if (opts.listenAfterMs !== 'never') setTimeout(() => void listen(), opts.listenAfterMs) // a node that comes up after proxyd
  const url = `http://127.0.0.1:${port}`
  return new Backend(
    { name, rpcUrl: url, maxRps: 0, maxWsConns: 0, skipPeerCount: false, skipIsSyncingCheck: false, forcedCandidate: false },
    { responseTimeoutMs: 2000, maxResponseSizeBytes: 1e9, maxRetries: 0, outOfServiceMs: 10_000, maxLatencyThresholdMs: 10_000, maxDegradedLatencyThresholdMs: 5_000, maxErrorRateThreshold: 0.5 },
    metrics,
  )
}

const group = (over: Partial<GroupConfig> = {}): GroupConfig => ({
  name: 'main', backends: [], routingStrategy: 'consensus_aware', pollerIntervalMs: 1000, banPeriodMs: 60_000,
  maxUpdateThresholdMs: 30_000, maxBlockLag: 4, minPeerCount: 3, ...over,
})

describe('consensus poller', () => {
  test('default: consensus is the lowest agreeing head, safe and finalized the lowest', async () => {
    const a = await chainBackend('a', { latest: 20, safe: 12, finalized: 4 })
    const b = await chainBackend('b', { latest: 22, safe: 14, finalized: 6 })
    const p = new ConsensusPoller(group(), [a, b], createMetrics(), logger('t'))
    await p.poll()
    expect(p.consensus).toMatchObject({ latest: 20, safe: 12, finalized: 4 })
    expect(p.group.map((x) => x.name)).toEqual(['a', 'b'])
  })

  test('behavior: a backend lagging more than max_block_lag leaves the consensus group', async () => {
    const chain = { latest: 20, safe: 12, finalized: 4 }
    const a = await chainBackend('a', chain)
    const b = await chainBackend('b', { ...chain })
    const p = new ConsensusPoller(group(), [a, b], createMetrics(), logger('t'))
    await p.poll()
    chain.latest = 30
    await p.poll()
    expect(p.group.map((x) => x.name)).toEqual(['a'])
    expect(p.consensus.latest).toBe(30)
  })

  test('behavior: a syncing backend or one with too few peers is no candidate', async () => {
    const a = await chainBackend('a', { latest: 20, safe: 12, finalized: 4, syncing: true })
    const b = await chainBackend('b', { latest: 20, safe: 12, finalized: 4 })
    const p = new ConsensusPoller(group(), [a, b], createMetrics(), logger('t'))
    await p.poll()
    expect(p.group.map((x) => x.name)).toEqual(['b'])
    const strict = new ConsensusPoller(group({ minPeerCount: 10 }), [b], createMetrics(), logger('t'))
    await strict.poll()
    expect(strict.group).toEqual([])
  })

  test('behavior: disagreeing hashes walk consensus back to the common block and report a break', async () => {
    const a = await chainBackend('a', { latest: 20, safe: 12, finalized: 4 })
    const bChain: Chain = { latest: 20, safe: 12, finalized: 4 }
    const b = await chainBackend('b', bChain)
    let broken = 0
    const p = new ConsensusPoller(group(), [a, b], createMetrics(), logger('t'), () => broken++)
    await p.poll()
    expect([p.consensus.latest, broken]).toEqual([20, 0])
    bChain.fork = { at: 17, tag: 'bb' }
    await p.poll()
    expect([p.consensus.latest, broken]).toEqual([17, 1])
  })

  test('error: safe moving back bans the backend for the ban period', async () => {
    const metrics = createMetrics()
    const chain = { latest: 20, safe: 12, finalized: 4 }
    const a = await chainBackend('a', chain, metrics)
    let now = 1_000_000
    const p = new ConsensusPoller(group(), [a], metrics, logger('t'), undefined, () => now)
    await p.poll()
    expect(p.isBanned(a)).toBe(false)
    chain.safe = 10
    await p.poll()
    expect(p.isBanned(a)).toBe(true)
    expect(p.group).toEqual([])
    expect(await metrics.registry.getSingleMetricAsString('proxyd_consensus_backend_banned')).toMatch(/backend_name="a"} 1/)
    now += 60_001
    await p.poll()
    expect(p.isBanned(a)).toBe(false)
    expect(p.group.map((x) => x.name)).toEqual(['a'])
  })

  test('error: an unreachable backend keeps its last state, leaves the group after max_update_threshold, and is banned once unhealthy', async () => {
    const a = await chainBackend('a', { latest: 20, safe: 12, finalized: 4 })
    const b = await chainBackend('b', { latest: 20, safe: 12, finalized: 4 })
    let now = 1_000_000
    const p = new ConsensusPoller(group({ maxUpdateThresholdMs: 3000 }), [a, b], createMetrics(), logger('t'), undefined, () => now)
    await p.poll()
    await closeServer(servers.splice(servers.length - 2, 1)[0]!)
    await p.poll()
    expect([p.isBanned(a), p.group.map((x) => x.name)]).toEqual([false, ['a', 'b']])
    now += 3001
    await p.poll()
    expect(p.group.map((x) => x.name)).toEqual(['b'])
    // Each round its first call fails: from 10 requests on, its error rate passes 0.5 and the poller bans it.
    for (let i = 0; i < 10 && !p.isBanned(a); i++) await p.poll()
    expect(a.healthy()).toBe(false)
    // The ban's log line says why: here the error rate, at or above proxyd's default threshold.
    expect(a.healthSummary()).toMatch(/^error rate 0\.[5-9]\d \(\d+ of \d+ requests failed; threshold 0\.5\), average latency \d+ ms \(threshold \d+ ms\)$/)
    expect(p.isBanned(a)).toBe(true)
    expect(p.isBanned(b)).toBe(false)
  })

  test('behavior: a backend not updated within max_update_threshold is no candidate', async () => {
    const a = await chainBackend('a', { latest: 20, safe: 12, finalized: 4 })
    let now = 1_000_000
    const p = new ConsensusPoller(group({ maxUpdateThresholdMs: 5000 }), [a], createMetrics(), logger('t'), undefined, () => now)
    await p.poll()
    expect(p.group.map((x) => x.name)).toEqual(['a'])
    now += 5001
    await p.updateGroupConsensus()
    expect(p.group).toEqual([])
  })

  test('behavior: a backend that hangs holds up neither the others nor the group (a loop each, as proxyd)', async () => {
    const a = await chainBackend('a', { latest: 20, safe: 12, finalized: 4 })
    const hang = createNetServer((socket) => socket.on('error', () => {})) // accepts, never answers
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r))
    const b = new Backend(
      { name: 'b', rpcUrl: `http://127.0.0.1:${(hang.address() as AddressInfo).port}`, maxRps: 0, maxWsConns: 0, skipPeerCount: true, skipIsSyncingCheck: false, forcedCandidate: false },
      { responseTimeoutMs: 800, maxResponseSizeBytes: 1e9, maxRetries: 0, outOfServiceMs: 10_000, maxLatencyThresholdMs: 10_000, maxDegradedLatencyThresholdMs: 5_000, maxErrorRateThreshold: 0.5 },
      createMetrics(),
    )
    const p = new ConsensusPoller(group({ pollerIntervalMs: 100, maxUpdateThresholdMs: 300, minPeerCount: 0 }), [a, b], createMetrics(), logger('t'))
    try {
      await p.start() // the first round waits for b's timeout
      const seen: string[] = []
      for (let i = 0; i < 30; i++) {
        await new Promise((r) => setTimeout(r, 50))
        seen.push(p.group.map((x) => x.name).join(',') || '-')
      }
      expect(new Set(seen)).toEqual(new Set(['a']))
    } finally {
      await p.stop()
      b.close()
      hang.close()
    }
  })

  test('behavior: started with a wait for backends, the first round has the ones that came up in time, their failed probes not counted; one down gets a short grace', async () => {
    const chain = { latest: 20, safe: 12, finalized: 4 }
    const late = await chainBackend('late', chain, createMetrics(), { port: await freePort(), listenAfterMs: 600 })
    const never = await chainBackend('never', chain, createMetrics(), { port: await freePort(), listenAfterMs: 'never' })
    const p = new ConsensusPoller(group({ minPeerCount: 0 }), [late, never], createMetrics(), logger('t'))
    try {
      const t0 = Date.now()
      await p.start(5_000)
      // nothing answered for 600 ms, then `late` did: `never` got STRAGGLER_MS more, not the whole 5 s
      expect(Date.now() - t0).toBeGreaterThanOrEqual(600 + STRAGGLER_MS - 100)
      expect(Date.now() - t0).toBeLessThan(4_000)
      expect(p.group.map((x) => x.name)).toEqual(['late'])
      expect(late.healthy()).toBe(true)
      expect(late.errorRate()).toBe(0)
    } finally {
      await p.stop()
      for (const be of [late, never]) be.close()
    }
  })

  test('behavior: started without a wait, a backend not up yet misses the first round', async () => {
    const chain = { latest: 20, safe: 12, finalized: 4 }
    const a = await chainBackend('a', chain)
    const late = await chainBackend('late', chain, createMetrics(), { port: await freePort(), listenAfterMs: 600 })
    const p = new ConsensusPoller(group({ minPeerCount: 0 }), [a, late], createMetrics(), logger('t'))
    try {
      await p.start()
      expect(p.group.map((x) => x.name)).toEqual(['a'])
    } finally {
      await p.stop()
      a.close()
      late.close()
    }
  })

  test('args: block tag sanity', () => {
    const old = { latest: 20, latestHash: '', safe: 12, finalized: 4, peerCount: 0, inSync: true, lastUpdate: 0, bannedUntil: 0 }
    expect(expectedBlockTags(old, 21, 13, 5)).toBe(true)
    expect(expectedBlockTags(old, 21, 13, 3)).toBe(false)
    expect(expectedBlockTags(old, 21, 22, 5)).toBe(false)
    expect(expectedBlockTags(old, 21, 13, 14)).toBe(false)
  })
})

/** A port free on 127.0.0.1 now, for a server the test starts later. */
async function freePort(): Promise<number> {
  const probe = createNetServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}
