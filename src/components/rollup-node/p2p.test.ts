import { afterEach, describe, expect, it } from 'vitest'
import { p2pPeerId, p2pPrivateKeyFromSeed } from '../../protocol/p2pIdentity.js'
import { gossipMessageId as opMessageId } from '../../protocol/gossip.js'
import { LinkProxy } from '../links/proxy.js'
import { P2PNode, type P2PNodeOptions, type PingLiveness, type ValidationResult } from './p2p.js'

const TOPIC = '/optimism/901/2/blocks'
const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)

interface TestNode {
  node: P2PNode
  received: string[]
  key: `0x${string}`
}

const nodes: P2PNode[] = []
let seq = 0

async function start(
  staticPeers: TestNode[] = [],
  validate: (data: string) => ValidationResult = () => 'accept',
  extra: Partial<P2PNodeOptions> = {},
): Promise<TestNode> {
  const received: string[] = []
  const key = p2pPrivateKeyFromSeed(`p2p-test-${process.pid}`, seq++)
  const node = await P2PNode.create({
    privateKey: key,
    listenPort: 0,
    staticPeers: staticPeers.flatMap(p => p.node.multiaddrs()),
    topics: [TOPIC],
    chainId: 901,
    validate: async (_topic, data) => validate(dec(data)),
    onMessage: (_topic, data) => received.push(dec(data)),
    ...extra,
  })
  nodes.push(node)
  return { node, received, key }
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

/** Publish fresh messages until `to` receives one (the first may race the subscription exchange). */
async function deliver(from: TestNode, to: TestNode, tag: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (let i = 0; ; i++) {
    const msg = `${tag}-${i}`
    await from.node.publish(TOPIC, enc(msg))
    const until = Math.min(deadline, Date.now() + 300)
    while (Date.now() < until) {
      const got = to.received.find(m => m.startsWith(`${tag}-`))
      if (got !== undefined) return got
      await new Promise(resolve => setTimeout(resolve, 10))
    }
    if (Date.now() > deadline) throw new Error(`message ${tag} never reached its peer`)
  }
}

const connected = (n: TestNode) => n.node.peers(true).totalConnected

afterEach(async () => {
  await Promise.all(nodes.splice(0).map(n => n.stop()))
})

describe('P2PNode', () => {
  it('publishes without peers and stops idempotently', async () => {
    const a = await start()
    await expect(a.node.publish(TOPIC, enc('nobody'))).resolves.toBe(0)
    expect(a.node.peerId).toBe(p2pPeerId(a.key))
    expect(a.node.multiaddrs()[0]).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${a.node.peerId}$`))
    await a.node.stop()
    await a.node.stop()
  })

  it('forms a mesh between two nodes and delivers messages', async () => {
    const a = await start()
    const b = await start([a])
    await deliver(a, b, 'ab')
    await deliver(b, a, 'ba')
    expect(a.received.every(m => m.startsWith('ba-'))).toBe(true)
  })

  it('behavior: a publish goes to the mesh, not to every peer of the topic (op-node: no flood publish)', async () => {
    // 14 peers graft the hub (each has only it); above D_high (12) its heartbeat prunes the mesh to D (8).
    // With flood publish (js-libp2p's default) every publish goes to all 14.
    const hub = await start()
    const leaves = await Promise.all(Array.from({ length: 14 }, () => start([hub])))
    await waitFor(() => hub.node.peerStats().blocksTopicV3 === leaves.length, '14 peers on the topic') // TOPIC is v3's
    const sent: number[] = []
    for (const deadline = Date.now() + 10_000; !(sent.at(-1)! >= 8 && sent.at(-1)! <= 12);) {
      if (Date.now() > deadline) throw new Error(`no publish went to the mesh alone: to ${sent.join(', ')} peers`)
      sent.push(await hub.node.publish(TOPIC, enc(`m-${sent.length}`)))
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    expect(connected(hub)).toBe(leaves.length)
  })

  it('behavior: a burst of inbound connections from loopback is accepted (js-libp2p refuses a sixth within a second from one host; go-libp2p exempts localhost)', async () => {
    // Every node of a process devnet dials from 127.0.0.1: 50 replicas joining at once were refused, redialled
    // and refused again for a minute.
    const hub = await start()
    const dialers = await Promise.all(Array.from({ length: 12 }, () => start()))
    const results = await Promise.allSettled(dialers.map(d => d.node.connectPeer(hub.node.multiaddrs()[0]!)))
    expect(results.filter(r => r.status === 'rejected').map(r => String((r as PromiseRejectedResult).reason))).toEqual([])
    await waitFor(() => connected(hub) === dialers.length, 'the hub holding all 12')
  })

  it('delivers through a three-node mesh', async () => {
    const a = await start()
    const b = await start([a])
    const c = await start([a, b])
    await waitFor(() => connected(a) === 2 && connected(b) === 2 && connected(c) === 2, 'full mesh')
    await deliver(a, c, 'x')
    await waitFor(() => b.received.some(m => m.startsWith('x-')), 'delivery to b')
  })

  it('reports opp2p shapes with op-node field names', async () => {
    const a = await start()
    const b = await start([a])
    await deliver(b, a, 'shape')
    const self = a.node.self()
    const infoKeys = ['ENR', 'addresses', 'chainID', 'connectedness', 'direction', 'gossipBlocks', 'latency', 'nodeID',
      'peerID', 'protected', 'protocolVersion', 'protocols', 'scores', 'userAgent']
    expect(Object.keys(self).sort()).toEqual(infoKeys)
    expect(self.peerID).toBe(a.node.peerId)
    expect(self.nodeID).toMatch(/^[0-9a-f]{64}$/)
    expect(self.chainID).toBe(901)
    expect(Object.keys(self.scores.gossip).sort()).toEqual(['IPColocationFactor', 'behavioralPenalty', 'blocks', 'total'])
    expect(Object.keys(self.scores.gossip.blocks).sort())
      .toEqual(['firstMessageDeliveries', 'invalidMessageDeliveries', 'meshMessageDeliveries', 'timeInMesh'])
    expect(Object.keys(self.scores.reqResp).sort()).toEqual(['errorResponses', 'rejectedPayloads', 'validResponses'])

    const dump = a.node.peers(true)
    expect(Object.keys(dump).sort()).toEqual(['bannedIPS', 'bannedPeers', 'bannedSubnets', 'peers', 'totalConnected'])
    expect(dump.totalConnected).toBe(1)
    // The remote's ID comes from the noise handshake: the pure derivation must agree with libp2p.
    expect(Object.keys(dump.peers)).toEqual([p2pPeerId(b.key)])
    const peer = dump.peers[b.node.peerId]
    expect(Object.keys(peer).sort()).toEqual(infoKeys)
    expect(peer).toMatchObject({ connectedness: 1, direction: 1, gossipBlocks: true, userAgent: 'optimism' })
    expect(peer.addresses).toContain(b.node.multiaddrs()[0])
    expect(peer.scores.gossip.blocks.firstMessageDeliveries).toBeGreaterThan(0)
    expect(b.node.peers(true).peers[a.node.peerId].direction).toBe(2)

    const stats = a.node.peerStats()
    expect(Object.keys(stats).sort()).toEqual(
      ['banned', 'blocksTopic', 'blocksTopicV2', 'blocksTopicV3', 'blocksTopicV4', 'connected', 'known', 'table'])
    expect(stats).toMatchObject({ connected: 1, table: 0, blocksTopicV3: 1, blocksTopic: 0, banned: 0 })
    expect(a.node.connectedPeerIds()).toEqual([b.node.peerId])
  })

  it('does not deliver or forward rejected messages (A -> B -> C line)', async () => {
    const a = await start()
    const b = await start([a], data => (data.startsWith('bad') ? 'reject' : 'accept'))
    const c = await start([b])
    await waitFor(() => connected(b) === 2 && connected(a) === 1 && connected(c) === 1, 'line topology')
    await deliver(a, c, 'warmup')
    await a.node.publish(TOPIC, enc('bad-1'))
    await a.node.publish(TOPIC, enc('good-1'))
    await waitFor(() => c.received.includes('good-1'), 'good message at c')
    expect(b.received).not.toContain('bad-1')
    expect(c.received).not.toContain('bad-1')
    await waitFor(() => (b.node.peers(true).peers[a.node.peerId]?.scores.gossip.blocks.invalidMessageDeliveries ?? 0) > 0,
      'reject penalty on a')
  })

  it('blockPeer cuts delivery both ways and unblockPeer restores it', async () => {
    const a = await start()
    const b = await start([a])
    await deliver(b, a, 'before')
    await a.node.blockPeer(b.node.peerId)
    expect(a.node.listBlockedPeers()).toEqual([b.node.peerId])
    await waitFor(() => connected(a) === 0 && connected(b) === 0, 'disconnect')
    await expect(a.node.connectPeer(b.node.multiaddrs()[0])).rejects.toThrow()
    await b.node.publish(TOPIC, enc('during'))
    // b keeps redialling a; a's gater refuses each attempt.
    await new Promise(resolve => setTimeout(resolve, 1_200))
    expect(connected(a)).toBe(0)
    await a.node.unblockPeer(b.node.peerId)
    expect(a.node.listBlockedPeers()).toEqual([])
    await deliver(b, a, 'after', 5_000)
    expect(a.received).not.toContain('during')
  })

  it('blocks addresses and subnets and lists them', async () => {
    const a = await start()
    const b = await start([a])
    await waitFor(() => connected(a) === 1, 'connection')
    await a.node.blockSubnet('127.0.0.0/8')
    expect(a.node.listBlockedSubnets()).toEqual(['127.0.0.0/8'])
    await waitFor(() => connected(a) === 0, 'subnet block disconnect')
    await a.node.unblockSubnet('127.0.0.0/8')
    await a.node.blockAddr('127.0.0.1')
    expect(a.node.peers(false).bannedIPS).toEqual(['127.0.0.1'])
    await expect(a.node.blockAddr('not-an-ip')).rejects.toThrow()
    await expect(a.node.blockSubnet('10.0.0.0/33')).rejects.toThrow()
    await a.node.unblockAddr('127.0.0.1')
    // b redials its static peer a (every 500 ms) and gossip flows again. Failed once in an `npm test` run
    // (2 cores shared with devnets): no message within 5 s, while every step before took 100 ms. The two
    // waits now say which part did not heal.
    await waitFor(() => connected(a) === 1 && connected(b) === 1, 'reconnection after unblocking')
    await deliver(b, a, 'healed')
  })

  it('protects, disconnects and reconnects static peers', async () => {
    const a = await start()
    const b = await start([a])
    await waitFor(() => connected(b) === 1, 'connection')
    await b.node.protectPeer(a.node.peerId)
    expect(b.node.peers(true).peers[a.node.peerId].protected).toBe(true)
    await b.node.unprotectPeer(a.node.peerId)
    expect(b.node.peers(true).peers[a.node.peerId].protected).toBe(false)
    await b.node.disconnectPeer(a.node.peerId)
    await waitFor(() => connected(a) === 1 && connected(b) === 1, 'reconnection after the disconnect')
    // a's gossipsub sometimes kept the writer of the closed connection and opened none on the new one:
    // nothing arrived for 10 s in 4 of 6 runs of this file, before gossipWriters.ts replaced stale writers.
    await deliver(a, b, 'redialled')
    expect(b.node.peers(false).peers[a.node.peerId]).toBeDefined()
  })

  it('behavior: gossip survives the close of one of two connections between the same peers', async () => {
    // Both dial each other (discovery does): two connections. Closing the one that carries a's outbound
    // gossipsub stream leaves the peers connected; as go-libp2p-pubsub does, a writer is respawned.
    const a = await start()
    const b = await start()
    await Promise.all([a.node.connectPeer(b.node.multiaddrs()[0]), b.node.connectPeer(a.node.multiaddrs()[0])])
    await deliver(a, b, 'before')
    type Conn = { close(): Promise<void>; streams: { protocol?: string; direction: string }[] }
    const conns = () => (a.node as unknown as { node: { getConnections(): Conn[] } }).node.getConnections()
    await waitFor(() => conns().length === 2, 'two connections')
    const carrying = conns().find((c) => c.streams.some((s) => s.protocol?.startsWith('/meshsub/') && s.direction === 'outbound'))
    expect(carrying).toBeDefined()
    await carrying!.close()
    expect(connected(a)).toBe(1)
    await deliver(a, b, 'after', 5_000)
    await deliver(b, a, 'back', 5_000)
  })

  describe('liveness pings', () => {
    let proxy: LinkProxy | undefined
    afterEach(async () => {
      await proxy?.close()
      proxy = undefined
    })

    /** `a` with a static peer `b` reached through a link, and the link's fault setter. */
    async function overLink(liveness?: PingLiveness) {
      const b = await start()
      proxy = new LinkProxy('p2p-liveness')
      const port = b.node.multiaddrs()[0].split('/')[4]
      const link = await proxy.add({ from: 'a', to: 'b', port: 'p2p', class: 'p2p', target: { host: '127.0.0.1', port: Number(port) } })
      const a = await start([], () => 'accept', { staticPeers: [`/ip4/127.0.0.1/tcp/${link.listenPort}/p2p/${b.node.peerId}`], ...(liveness ? { liveness } : {}) })
      await waitFor(() => connected(a) === 1, 'a connected to b')
      return a
    }

    it('behavior: with tight liveness a connection that stalls is dropped', async () => {
      const a = await overLink({ intervalMs: 200, minTimeoutMs: 100, maxTimeoutMs: 300 })
      proxy!.setFault('a', { delayMs: 5_000 })
      await waitFor(() => connected(a) === 0, 'the stalled connection to be dropped', 4_000)
    })

    it("behavior: with libp2p's defaults the same stall keeps the connection", async () => {
      const a = await overLink()
      proxy!.setFault('a', { delayMs: 5_000 })
      await new Promise(resolve => setTimeout(resolve, 2_000))
      expect(connected(a)).toBe(1)
    })
  })

  it('computes op-node message ids', () => {
    const raw = enc('not snappy')
    const id = opMessageId(TOPIC, raw)
    expect(id).toHaveLength(20)
    expect(opMessageId(TOPIC, raw)).toEqual(id)
    expect(opMessageId('/optimism/902/2/blocks', raw)).not.toEqual(id)
  })
})
