import { afterEach, describe, expect, it } from 'vitest'
import { p2pPrivateKeyFromSeed } from '../../protocol/p2pIdentity.js'
import { startBootnode } from '../bootnode/index.js'
import { DiscoveryService, freeUdpPort } from '../shared/discv5.js'
import { DIAL_WORKERS, discoveryMethods, FIRST_LOSS_REDIAL_MS, lookupInterval, NodeDiscovery, type DialHost, type DiscoveryConfig, type FirstJoin } from './discovery.js'
import { P2PNode } from './p2p.js'
import { freePort } from '../../runtime/ports.js'

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})
const key = (i: number) => p2pPrivateKeyFromSeed(`discovery-test-${process.pid}`, i)

async function waitFor<T>(probe: () => T | undefined | false, what: string, ms = 15_000): Promise<T> {
  for (const end = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 50))) {
    const value = probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
  }
}

async function bootnode(): Promise<DiscoveryService> {
  const s = await DiscoveryService.start({ privateKey: key(0), listenIp: '127.0.0.1', udpPort: await freeUdpPort(), chainId: 901, bootnodes: [], path: 'memory' })
  stops.push(() => s.stop())
  return s
}

/** A libp2p host without static peers plus its discovery, on `chainId`. */
async function node(i: number, boot: DiscoveryService, chainId = 901, extra: Partial<DiscoveryConfig> = {}, wrap = (h: DialHost) => h) {
  const p2p = await P2PNode.create({ privateKey: key(i), listenPort: 0, staticPeers: [], topics: [`/optimism/${chainId}/2/blocks`], chainId, validate: async () => 'accept', onMessage: () => {} })
  stops.push(() => p2p.stop())
  const tcpPort = Number(/\/tcp\/(\d+)/.exec(p2p.multiaddrs()[0])![1])
  const joins: FirstJoin[] = []
  const discovery = await NodeDiscovery.start({
    cfg: { bootnodes: [boot.enr()], udpPort: await freeUdpPort(), path: 'memory', peersLo: 20, peersHi: 30, ...extra },
    privateKey: key(i), listenHost: '127.0.0.1', tcpPort, chainId,
    host: wrap({ peerId: p2p.peerId, connectedPeers: () => p2p.connectedPeerIds(), peerConnections: () => p2p.peerConnections(), connectPeer: (a) => p2p.connectPeer(a), disconnectPeer: (id) => p2p.disconnectPeer(id) }),
    log: () => {},
    onFirstPeer: (join) => joins.push({ ...join }),
  })
  stops.push(() => discovery.stop())
  return { p2p, discovery, joins, rpc: discoveryMethods(p2p, discovery) }
}

describe('NodeDiscovery', () => {
  it('behavior: nodes without static peers find and dial each other through the bootnode', async () => {
    const boot = await bootnode()
    const a = await node(1, boot)
    const b = await node(2, boot)
    // b may dial a before a's own lookup found b's record: wait for both.
    await waitFor(() => a.p2p.connectedPeerIds().includes(b.p2p.peerId) && a.discovery.accepted.has(b.p2p.peerId), 'a connected to b, b discovered')
    const self = (await a.rpc.opp2p_self!([])) as { ENR: string; peerID: string }
    expect(self.ENR).toBe(a.discovery.service.enr())
    const table = (await a.rpc.opp2p_discoveryTable!([])) as string[]
    expect(table).toContain(boot.enr())
    const peers = (await a.rpc.opp2p_peers!([true])) as { peers: Record<string, { ENR: string; chainID: number }> }
    expect(peers.peers[b.p2p.peerId]).toMatchObject({ ENR: b.discovery.service.enr(), chainID: 901 })
    expect(((await a.rpc.opp2p_peerStats!([])) as { table: number }).table).toBe(table.length)
  })

  it('behavior: the first join is reported once, its milestones in order (record, dial, peer)', async () => {
    const boot = await bootnode()
    const nodes = [await node(1, boot), await node(2, boot), await node(3, boot)]
    await waitFor(() => nodes.every((n) => n.p2p.connectedPeerIds().length >= 2), 'a full mesh')
    // Who dials whom is a race (a node dialled first by the others may never dial): at least one did.
    expect(nodes.flatMap((n) => n.joins).length).toBeGreaterThan(0)
    for (const { joins, discovery } of nodes) {
      expect(joins.length).toBeLessThanOrEqual(1)
      if (joins.length === 0) continue
      const { recordMs, dialMs, peerMs } = joins[0]
      expect(joins[0]).toEqual(discovery.firstJoin)
      expect(recordMs).toBeGreaterThanOrEqual(0)
      expect(dialMs).toBeGreaterThanOrEqual(recordMs!)
      expect(peerMs).toBeGreaterThanOrEqual(dialMs!)
    }
  })

  it('error: a node of another chain is discovered but filtered out, never dialled', async () => {
    const boot = await bootnode()
    const a = await node(1, boot)
    const b = await node(2, boot)
    const other = await node(3, boot, 902)
    await waitFor(() => a.p2p.connectedPeerIds().includes(b.p2p.peerId), 'a connected to b')
    const otherId = (await other.rpc.opp2p_self!([]) as { ENR: string }).ENR
    await waitFor(() => a.discovery.rejected.size > 0, 'the filter to reject the other chain')
    expect([...a.discovery.rejected.values()]).toEqual(['opstack chain id 902, expected 901'])
    expect(a.discovery.enrOf(other.p2p.peerId)).toBeUndefined()
    expect(otherId).not.toBe('')
    expect(a.p2p.connectedPeerIds()).not.toContain(other.p2p.peerId)
    // The other chain's node finds a and b and rejects them too: it has no peer at all.
    expect(other.p2p.connectedPeerIds().filter((id) => id !== a.p2p.peerId && id !== b.p2p.peerId)).toEqual([])
  })

  it('args: bootnodeRpcs: the bootnode ENR fetched from its RPC (opp2p_self)', async () => {
    const rpcPort = await freePort()
    const boot = await startBootnode({ chainId: 901, listenIp: '127.0.0.1', udpPort: await freeUdpPort(), privateKey: key(0), bootnodes: [], discoveryPath: 'memory', rpc: { addr: '127.0.0.1', port: rpcPort } })
    stops.push(() => boot.stop())
    const cfg = { bootnodes: [], bootnodeRpcs: [`http://127.0.0.1:${rpcPort}`] }
    const a = await node(1, boot.discovery, 901, cfg)
    const b = await node(2, boot.discovery, 901, cfg)
    await waitFor(() => a.p2p.connectedPeerIds().includes(b.p2p.peerId), 'a connected to b')
    expect(a.discovery.service.table()).toContain(boot.discovery.enr())
  })

  it('behavior: a discovered peer lost once is dialled again after a short wait; lost again soon after, only after the cooldown', async () => {
    const boot = await bootnode()
    const b = await node(2, boot)
    // a's view of its connections hides b while `lost` is set, as if the connection had gone; a dial of b
    // (counted) brings it back.
    let lost = false
    const dialsOfB: number[] = []
    const a = await node(1, boot, 901, {}, (h) => ({
      ...h,
      connectedPeers: () => h.connectedPeers().filter((id) => !(lost && id === b.p2p.peerId)),
      connectPeer: (addr) => {
        if (addr.endsWith(b.p2p.peerId)) {
          dialsOfB.push(Date.now())
          lost = false
        }
        return h.connectPeer(addr)
      },
    }))
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
    await waitFor(() => a.p2p.connectedPeerIds().includes(b.p2p.peerId) && a.discovery.accepted.has(b.p2p.peerId), 'a connected to b, b discovered')
    await sleep(400) // a tick sees b connected
    const before = dialsOfB.length
    const lostAt = Date.now()
    lost = true
    // a is below peersLo (20) and has b's record: without a wait it dials b at its next tick (200 ms).
    await sleep(1_500)
    expect(dialsOfB.length).toBe(before)
    await waitFor(() => dialsOfB.length > before, 'a dials b again after FIRST_LOSS_REDIAL_MS')
    expect(dialsOfB.at(-1)! - lostAt).toBeGreaterThanOrEqual(FIRST_LOSS_REDIAL_MS - 250)
    await sleep(400) // a tick sees b connected again
    lost = true
    // the second loss within LOSS_MEMORY_MS: the full cooldown (30 s)
    await sleep(3_000)
    expect(dialsOfB.length).toBe(before + 1)
  }, 20_000)

  it('args: lookupInterval: 1 s alone, 5 s below peersLo, 20 s at it; doubled per fruitless lookup up to 60 s', () => {
    expect(lookupInterval(0, 20, 9)).toBe(1_000)
    expect([0, 1, 2, 3, 4, 5].map((f) => lookupInterval(3, 20, f))).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000])
    expect([0, 1, 2].map((f) => lookupInterval(20, 20, f))).toEqual([20_000, 40_000, 60_000])
  })

  it('behavior: dials in flight count towards peersLo (one sweep of many records does not dial them all)', async () => {
    const boot = await bootnode()
    const others = await Promise.all([2, 3, 4, 5].map((i) => node(i, boot, 901, { peersLo: 0 })))
    const dials: string[] = []
    // Each dial takes a second, so every record is found while the first dials are still in flight.
    const a = await node(1, boot, 901, { peersLo: 2 }, (h) => ({
      ...h,
      connectPeer: async (addr) => {
        dials.push(addr)
        await new Promise((r) => setTimeout(r, 1_000))
        return h.connectPeer(addr)
      },
    }))
    await waitFor(() => others.every((o) => a.discovery.accepted.has(o.p2p.peerId)), 'a to discover the four others')
    await waitFor(() => a.p2p.connectedPeerIds().length >= 2, 'a connected to two peers')
    await new Promise((r) => setTimeout(r, 500))
    expect(dials).toHaveLength(2)
    expect(a.p2p.connectedPeerIds()).toHaveLength(2)
  })

  it('behavior: at most DIAL_WORKERS (4) discovery dials at once, as op-node; the rest follow as they finish', async () => {
    const boot = await bootnode()
    const others = await Promise.all([2, 3, 4, 5, 6, 7].map((i) => node(i, boot, 901, { peersLo: 0 })))
    let inFlight = 0
    let most = 0
    // Each dial takes 600 ms, so the six records are all known while the first dials are still in flight.
    const a = await node(1, boot, 901, {}, (h) => ({
      ...h,
      connectPeer: async (addr) => {
        most = Math.max(most, ++inFlight)
        try {
          await new Promise((r) => setTimeout(r, 600))
          return await h.connectPeer(addr)
        } finally {
          inFlight--
        }
      },
    }))
    await waitFor(() => a.p2p.connectedPeerIds().length === 6, 'a connected to all six others')
    expect(DIAL_WORKERS).toBe(4)
    expect(most).toBe(DIAL_WORKERS)
    expect(others.every((o) => a.discovery.accepted.has(o.p2p.peerId))).toBe(true)
  }, 20_000)

  it('behavior: above peersHi a node trims to peersLo, inbound peers too, sparing protected peers', async () => {
    const boot = await bootnode()
    // peersLo 0: a dials nobody itself, so it goes above peersHi only once all three have dialled it, and trims
    // then. (With peersLo 1 its own dial made a third peer before the test's last one: it trimmed at that
    // moment, the last one stayed through the silence period, and the wait below timed out, 1 run in 4.)
    const a = await node(1, boot, 901, { peersLo: 0, peersHi: 2, peersGraceMs: 0 })
    const others = await Promise.all([2, 3, 4].map((i) => node(i, boot, 901, { peersLo: 0 })))
    // The others do not dial (peersLo 0) but here, so a holds 3 peers.
    const protectedPeer = others[1]!.p2p.peerId
    await a.p2p.protectPeer(protectedPeer)
    for (const o of others) await o.p2p.connectPeer(a.p2p.multiaddrs()[0]!)
    // 3 > peersHi 2: down to peersLo 0, the protected peer kept.
    await waitFor(() => a.p2p.connectedPeerIds().length === 1, 'a trimmed to one peer')
    expect(a.p2p.connectedPeerIds()).toEqual([protectedPeer])
    // No dial back (a is at peersLo; a peer it trimmed waits out the cooldown) within the next second.
    await new Promise((r) => setTimeout(r, 1_000))
    expect(a.p2p.connectedPeerIds()).toEqual([protectedPeer])
  })

  it('behavior: peers this node trimmed wait out the cooldown when it falls below peersLo; the peer it lost otherwise is redialled after the short wait', async () => {
    const boot = await bootnode()
    const others = await Promise.all([2, 3, 4].map((i) => node(i, boot, 901, { peersLo: 0 })))
    const dials: string[] = []
    // peersHi 2 with three others: a goes above it only once all three are connected (its own dial is one of
    // them), so it trims all but one at once.
    const a = await node(1, boot, 901, { peersLo: 1, peersHi: 2, peersGraceMs: 0 }, (h) => ({
      ...h,
      connectPeer: (addr) => {
        dials.push(addr.slice(addr.lastIndexOf('/') + 1))
        return h.connectPeer(addr)
      },
    }))
    await waitFor(() => others.every((o) => a.discovery.accepted.has(o.p2p.peerId)), 'a discovered the others')
    // Its own dial done first: one still in flight when a trims came back after the trim, and a stayed at two
    // peers, within peersHi (a loaded machine, 1 run in about 10).
    await waitFor(() => a.p2p.connectedPeerIds().length === 1, 'a connected to the peer it dialled (peersLo 1)')
    await Promise.all(others.map((o) => o.p2p.connectPeer(a.p2p.multiaddrs()[0]!)))
    await waitFor(() => a.p2p.connectedPeerIds().length === 1, 'a trimmed to one peer')
    await new Promise((r) => setTimeout(r, 400)) // a tick sees the trim done
    const [kept] = a.p2p.connectedPeerIds()
    const trimmed = others.map((o) => o.p2p.peerId).filter((id) => id !== kept)
    const before = dials.length
    await a.p2p.disconnectPeer(kept!)
    await waitFor(() => dials.length > before, 'a dials again (below peersLo)', 5_000)
    await new Promise((r) => setTimeout(r, 1_000))
    expect(dials.slice(before).every((id) => id === kept), JSON.stringify({ kept, trimmed, dialled: dials.slice(before) })).toBe(true)
  }, 20_000)

  it('args: peersGraceMs: a peer connected for less than the grace period is not trimmed', async () => {
    const boot = await bootnode()
    const a = await node(1, boot, 901, { peersLo: 0, peersHi: 2, peersGraceMs: 60_000 })
    const others = await Promise.all([2, 3, 4].map((i) => node(i, boot, 901, { peersLo: 0 })))
    for (const o of others) await o.p2p.connectPeer(a.p2p.multiaddrs()[0]!)
    await waitFor(() => a.p2p.connectedPeerIds().length === 3, 'a holding three peers')
    await new Promise((r) => setTimeout(r, 1_000)) // five sweeps
    expect(a.p2p.connectedPeerIds()).toHaveLength(3)
  })

  it('args: peersLo 0 dials nobody', async () => {
    const boot = await bootnode()
    const a = await node(1, boot, 901, { peersLo: 0 })
    const b = await node(2, boot, 901, { peersLo: 0 })
    await waitFor(() => a.discovery.accepted.has(b.p2p.peerId), 'a to discover b')
    expect(a.p2p.connectedPeerIds()).toEqual([])
  })
})
