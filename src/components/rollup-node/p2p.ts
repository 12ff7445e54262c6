/**
 * The lite rollup node's libp2p host: gossipsub for unsafe L2 blocks, configured like op-node (StrictNoSign,
 * op-node's message IDs and mesh parameters), static peers that are redialled forever, a connection gater for
 * peer/IP/subnet blocking, and the data behind op-node's `opp2p_*` admin API.
 */
import type { PeerDump, PeerInfo, PeerScores, PeerStats, TopicScores } from './p2pTypes.js'
import '../shared/polyfills.js'
import { BlockList, isIP } from 'node:net'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { installGoYamuxWindowUpdates } from './yamuxWindow.js'
import { gossipsub, StrictNoSign, TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub'
import { createTopicScoreParams } from '@libp2p/gossipsub/score'
import { identify, type Identify } from '@libp2p/identify'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { Hex } from 'viem'
import { gossipMessageId, MAX_GOSSIP_SIZE } from '../../protocol/gossip.js'
import { respawnGossipWriters } from './gossipWriters.js'
import { ipOf, normalizeCidr, withPeerSuffix } from './p2pAddrs.js'
import { p2pNodeId, p2pPeerId, p2pPrivateKey } from '../../protocol/p2pIdentity.js'

/** Minimum gap between dial attempts to one static peer; the check runs every 100 ms. */
const REDIAL_INTERVAL_MS = 500
/**
 * How long a redial of a static peer may take: short, so a peer is found again within ~2.5 s of a partition
 * healing (a dial into a cut link hangs until it times out).
 */
const STATIC_DIAL_TIMEOUT_MS = 2_000
/**
 * Any other dial, the TCP connection and its noise and yamux upgrade: op-node's `--p2p.timeout.dial`, also
 * libp2p's per-address limit (6 s by default), so one timeout governs a dial as in op-node.
 */
const DIAL_TIMEOUT_MS = 10_000

/**
 * Inbound connections from these networks skip js-libp2p's per-host limits (5 new connections a second per
 * IP, 10 handshakes pending), as go-libp2p's resource manager exempts localhost from its connection rate
 * limits. Every node of a process devnet dials from 127.0.0.1 (through its link proxy): with the limits, 50
 * replicas joining at once had most of their dials refused right after the TCP accept, and redialled them
 * for a minute (a few hundred connections opened and closed a second).
 */
const LOOPBACK = ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128']

/**
 * How often each connection is pinged, and how long an answer may take (adaptive, between the two bounds)
 * before the connection is dropped.
 */
export interface PingLiveness {
  intervalMs: number
  minTimeoutMs: number
  maxTimeoutMs: number
}

export type { PeerDump, PeerInfo, PeerScores, PeerStats } from './p2pTypes.js'

export type ValidationResult = 'accept' | 'reject' | 'ignore'

export interface P2PNodeOptions {
  /** secp256k1 private key (32 bytes hex); determines the peer ID. */
  privateKey: Hex
  /** Default 127.0.0.1. */
  listenHost?: string
  /** 0 picks an ephemeral port. */
  listenPort: number
  /** Addresses announced to peers instead of the listen address (like op-node's `--p2p.advertise.*`). */
  announce?: string[]
  /** Multiaddrs with a `/p2p/<id>` suffix; kept connected (redialled every ~500 ms while down). */
  staticPeers: string[]
  topics: string[]
  /** Gossip validator: `reject` penalises the sender; neither `reject` nor `ignore` is delivered or forwarded. */
  validate: (topic: string, data: Uint8Array, from: string) => Promise<ValidationResult>
  /** Accepted messages; `from` is the peer that relayed the message to us. */
  onMessage: (topic: string, data: Uint8Array, from: string) => void
  chainId: number
  /** Stream protocols this host serves (req-resp), registered before any peer is dialled; `from` is the peer ID. */
  protocols?: Record<string, (stream: Stream, from: string) => void>
  /**
   * Absent: libp2p's defaults (every 10 s, 5–60 s to answer). A tight setting finds a connection that only
   * stalls (a docker network disconnect leaves its sockets open) within a few seconds, but on a saturated
   * machine pings miss it and live connections are dropped: with 1 s / 0.5–2 s, 20 replicas on this
   * machine re-handshook about one connection per node per second.
   */
  liveness?: PingLiveness
  log?: (msg: string) => void
}

/** Parts of gossipsub's implementation, beyond its public interface, that feed `PeerScores`. */
interface ScoreView {
  getScore(id: string): number
  dumpPeerScoreStats(): Record<string, { behaviourPenalty: number; topics: Record<string, TopicScores & { meshTime: number }> }>
}

/** What identify told us about a peer. */
interface KnownPeer { userAgent: string; protocolVersion: string; protocols: string[]; addrs: string[] }

/** A running libp2p host gossiping on op-node's terms. */
export class P2PNode {
  readonly peerId: string
  private readonly blockedPeers = new Set<string>()
  private readonly blockedAddrs = new Set<string>()
  private readonly blockedSubnets = new Set<string>()
  private blockList = new BlockList()
  private readonly protectedPeers = new Set<string>()
  /** Static peers by peer ID: the address dialled, and the ID parsed once (parsing decompresses a public key). */
  private readonly staticPeers = new Map<string, { ma: Multiaddr; peer: PeerId }>()
  private readonly known = new Map<string, KnownPeer>()
  private readonly dialing = new Set<string>()
  private readonly nextDial = new Map<string, number>()
  private readonly dialFailures = new Map<string, number>()
  private node!: Libp2p<{ identify: Identify; pubsub: GossipSub }>
  private redialTimer: NodeJS.Timeout | undefined
  private stopRespawning: () => void = () => {}
  private stopping: Promise<void> | undefined

  private constructor(private readonly opts: P2PNodeOptions) {
    this.peerId = p2pPeerId(opts.privateKey)
    for (const s of opts.staticPeers) {
      const ma = multiaddr(s)
      const id = ma.getComponents().find(c => c.name === 'p2p')?.value
      if (id === undefined) throw new Error(`static peer ${s} has no /p2p/<id> suffix`)
      const peer = peerIdFromString(id) // throws on a malformed peer ID
      if (id !== this.peerId) this.staticPeers.set(id, { ma, peer })
    }
  }

  /** Start the host, subscribe to `topics` and begin dialling the static peers. */
  static async create(opts: P2PNodeOptions): Promise<P2PNode> {
    const self = new P2PNode(opts)
    await self.start()
    return self
  }

  private async start(): Promise<void> {
    const { opts } = this
    const host = opts.listenHost ?? '127.0.0.1'
    const family = isIP(host) === 6 ? 'ip6' : 'ip4'
    const denyPeer = (id: PeerId) => this.blockedPeers.has(id.toString())
    installGoYamuxWindowUpdates()
    this.node = await createLibp2p({
      privateKey: p2pPrivateKey(opts.privateKey),
      nodeInfo: { userAgent: 'optimism' },
      addresses: { listen: [`/${family}/${host}/tcp/${opts.listenPort}`], ...(opts.announce?.length ? { announce: opts.announce } : {}) },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { dialTimeout: DIAL_TIMEOUT_MS, addressDialTimeout: DIAL_TIMEOUT_MS, allow: LOOPBACK },
      // A connection that stops answering pings is dropped; a static peer is redialled once none is left (as op-node).
      connectionMonitor: opts.liveness
        ? { pingInterval: opts.liveness.intervalMs, pingTimeout: { minTimeout: opts.liveness.minTimeoutMs, maxTimeout: opts.liveness.maxTimeoutMs } }
        : {},
      connectionGater: {
        denyDialPeer: denyPeer,
        denyDialMultiaddr: ma => this.isAddrBlocked(ipOf(ma)),
        denyInboundConnection: conn => this.isAddrBlocked(ipOf(conn.remoteAddr)),
        denyInboundEncryptedConnection: denyPeer,
        denyOutboundEncryptedConnection: denyPeer,
      },
      services: {
        identify: identify(),
        pubsub: gossipsub({
          // op-node: StrictNoSign, its own message IDs, D 8/6/12, Dlazy 6, 500 ms heartbeat, no PX, and no
          // flood publish (`--p2p.gossip.mesh.floodpublish` defaults to false; js-libp2p's default is true):
          // a block goes to the mesh (at least D peers), not to every peer of the topic.
          globalSignaturePolicy: StrictNoSign,
          msgIdFn: (msg: Message) => gossipMessageId(msg.topic, msg.data),
          D: 8, Dlo: 6, Dhi: 12, Dlazy: 6,
          heartbeatInterval: 500, fanoutTTL: 24_000, mcacheLength: 12, mcacheGossip: 3, seenTTL: 65_000,
          doPX: false,
          floodPublish: false,
          allowPublishToZeroTopicPeers: true,
          ignoreDuplicatePublishError: true,
          maxInboundDataLength: MAX_GOSSIP_SIZE,
          scoreParams: {
            // All local nodes share 127.0.0.1: no IP-colocation penalty. Topic scores only punish rejects.
            IPColocationFactorWeight: 0,
            topics: Object.fromEntries(opts.topics.map(t => [t, createTopicScoreParams({
              topicWeight: 1, timeInMeshWeight: 0, firstMessageDeliveriesWeight: 0, meshMessageDeliveriesWeight: 0,
              meshFailurePenaltyWeight: 0, invalidMessageDeliveriesWeight: -10, invalidMessageDeliveriesDecay: 0.9,
            })])),
          },
        }),
      },
    })
    const pubsub = this.node.services.pubsub
    this.stopRespawning = respawnGossipWriters(this.node, pubsub)
    for (const topic of opts.topics) {
      pubsub.topicValidators.set(topic, (peer, msg) => this.validate(topic, msg.data, peer.toString()))
      pubsub.subscribe(topic)
    }
    pubsub.addEventListener('gossipsub:message', ({ detail }) => {
      if (this.stopping !== undefined) return
      try {
        opts.onMessage(detail.msg.topic, detail.msg.data, detail.propagationSource.toString())
      } catch (err) {
        opts.log?.(`p2p: onMessage threw: ${String(err)}`)
      }
    })
    this.node.addEventListener('peer:identify', ({ detail }) => {
      this.known.set(detail.peerId.toString(), {
        userAgent: detail.agentVersion ?? '',
        protocolVersion: detail.protocolVersion ?? '',
        protocols: detail.protocols,
        addrs: detail.listenAddrs.map(a => a.toString()),
      })
    })
    for (const [p, handle] of Object.entries(opts.protocols ?? {})) await this.node.handle(p, (stream, conn) => handle(stream, conn.remotePeer.toString()))
    this.redialTimer = setInterval(() => this.redialStaticPeers(), 100)
    this.redialStaticPeers()
    opts.log?.(`p2p: ${this.peerId} listening on ${this.multiaddrs().join(', ')}`)
  }

  private async validate(topic: string, data: Uint8Array, from: string): Promise<TopicValidatorResult> {
    if (this.blockedPeers.has(from)) return TopicValidatorResult.Ignore
    try {
      return (await this.opts.validate(topic, data, from)) as TopicValidatorResult
    } catch (err) {
      this.opts.log?.(`p2p: validator threw on ${topic} from ${from}: ${String(err)}`)
      return TopicValidatorResult.Ignore
    }
  }

  private redialStaticPeers(): void {
    const now = Date.now()
    for (const [id, { ma, peer }] of this.staticPeers) {
      // Connected (the usual case) is one map lookup; the address checks run only before a dial.
      if (this.dialing.has(id) || (this.nextDial.get(id) ?? 0) > now || this.node.getConnections(peer).length > 0) continue
      if (this.blockedPeers.has(id) || this.isAddrBlocked(ipOf(ma))) continue
      this.dialing.add(id)
      this.node.dial(ma, { signal: AbortSignal.timeout(STATIC_DIAL_TIMEOUT_MS) })
        .then(() => {
          if (this.dialFailures.has(id)) this.opts.log?.(`p2p: static peer ${id} reconnected`)
          this.dialFailures.delete(id)
        }, (err: Error) => {
          // Log the first failure of a streak only: a partitioned peer is retried every 500 ms.
          const failures = (this.dialFailures.get(id) ?? 0) + 1
          this.dialFailures.set(id, failures)
          if (failures === 1) this.opts.log?.(`p2p: dial static peer ${id} failed (retrying): ${err.message}`)
        })
        .finally(() => {
          this.dialing.delete(id)
          this.nextDial.set(id, Date.now() + REDIAL_INTERVAL_MS)
        })
    }
  }

  /**
   * Connections, all or to one peer. Found by the remote peer's string, never by parsing `id`: parsing a
   * secp256k1 peer ID decompresses its public key (about 1 ms), and libp2p's `getPeers()` parses every
   * connected peer's ID on each call. Discovery and gap sync ask many times a second (the static-peer loop
   * keeps each static peer's parsed ID and asks libp2p by it).
   */
  private connections(id?: string): Connection[] {
    const all = this.node.getConnections()
    return id === undefined ? all : all.filter(c => c.remotePeer.toString() === id)
  }

  private isAddrBlocked(ip: string | undefined): boolean {
    return ip !== undefined && this.blockList.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')
  }

  private rebuildBlockList(): void {
    this.blockList = new BlockList()
    for (const ip of this.blockedAddrs) this.blockList.addAddress(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')
    for (const cidr of this.blockedSubnets) {
      const [net, bits] = cidr.split('/')
      this.blockList.addSubnet(net, Number(bits), isIP(net) === 6 ? 'ipv6' : 'ipv4')
    }
    for (const conn of this.connections()) {
      if (this.isAddrBlocked(ipOf(conn.remoteAddr))) void conn.close().catch(() => conn.abort(new Error('blocked')))
    }
  }

  /** Listen addresses with the `/p2p/<id>` suffix. */
  multiaddrs(): string[] {
    return this.node.getMultiaddrs().map(a => withPeerSuffix(a.toString(), this.peerId))
  }

  /** Publishes to the topic's mesh (zero peers is fine). @returns How many peers it was sent to. */
  async publish(topic: string, data: Uint8Array): Promise<number> {
    if (this.stopping !== undefined) return 0
    return (await this.node.services.pubsub.publish(topic, data)).recipients.length
  }

  /** Connected peers that announced `protocol` through identify. */
  peersServing(protocol: string): string[] {
    return this.connectedPeerIds().filter(id => this.known.get(id)?.protocols.includes(protocol) && !this.blockedPeers.has(id))
  }

  /** Opens a stream to a connected peer on `protocol`. */
  async newStream(peer: string, protocol: string, signal: AbortSignal): Promise<Stream> {
    if (this.stopping !== undefined) throw new Error('p2p host is stopping')
    return this.node.dialProtocol(peerIdFromString(peer), protocol, { signal })
  }

  // ---- opp2p_* backing methods ----

  self(): PeerInfo {
    const info = this.peerInfo(this.peerId)
    return {
      ...info, userAgent: 'optimism', protocolVersion: 'ipfs/0.1.0', addresses: this.multiaddrs(),
      protocols: this.node.getProtocols(), chainID: this.opts.chainId, gossipBlocks: true,
    }
  }

  peers(connectedOnly: boolean): PeerDump {
    const connected = this.connectedPeerIds()
    const ids = new Set(connected)
    if (!connectedOnly) for (const id of [...this.known.keys(), ...this.staticPeers.keys()]) ids.add(id)
    return {
      totalConnected: connected.length,
      peers: Object.fromEntries([...ids].map(id => [id, this.peerInfo(id)])),
      bannedPeers: this.listBlockedPeers(),
      bannedIPS: this.listBlockedAddrs(),
      bannedSubnets: this.listBlockedSubnets(),
    }
  }

  peerStats(): PeerStats {
    const pubsub = this.node.services.pubsub
    const perVersion = [0, 0, 0, 0]
    for (const topic of this.opts.topics) {
      const v = /^\/optimism\/\d+\/(\d)\/blocks$/.exec(topic)?.[1]
      if (v !== undefined && Number(v) < 4) perVersion[Number(v)] = pubsub.getSubscribers(topic).length
    }
    const connected = this.connectedPeerIds()
    const known = new Set([...this.known.keys(), ...this.staticPeers.keys(), ...connected])
    return {
      connected: connected.length, table: 0,
      blocksTopic: perVersion[0], blocksTopicV2: perVersion[1], blocksTopicV3: perVersion[2], blocksTopicV4: perVersion[3],
      banned: this.blockedPeers.size, known: known.size,
    }
  }

  private peerInfo(id: string): PeerInfo {
    const peer = peerIdFromString(id)
    const conns = id === this.peerId ? [] : this.connections(id)
    const known = this.known.get(id)
    const addrs = new Set((known?.addrs ?? []).map(a => withPeerSuffix(a, id)))
    const staticAddr = this.staticPeers.get(id)?.ma
    if (staticAddr !== undefined) addrs.add(staticAddr.toString())
    // An inbound connection's remote port is ephemeral: only use it when nothing better is known.
    for (const c of conns) if (c.direction === 'outbound' || addrs.size === 0) addrs.add(withPeerSuffix(c.remoteAddr.toString(), id))
    const rtt = conns.find(c => c.rtt !== undefined)?.rtt ?? 0
    const pubsub = this.node.services.pubsub
    return {
      peerID: id,
      nodeID: peer.type === 'secp256k1' ? p2pNodeId(peer.publicKey.raw) : '',
      userAgent: known?.userAgent ?? '',
      protocolVersion: known?.protocolVersion ?? '',
      ENR: '',
      addresses: [...addrs],
      protocols: known?.protocols ?? null,
      connectedness: conns.length > 0 ? 1 : 0,
      direction: conns.length === 0 ? 0 : conns[0].direction === 'inbound' ? 1 : 2,
      protected: this.protectedPeers.has(id),
      chainID: 0, // op-node learns a peer's chain ID from its ENR; without discv5 it stays 0
      latency: Math.round(rtt * 1e6),
      gossipBlocks: this.opts.topics.some(t => pubsub.getSubscribers(t).some(p => p.toString() === id)),
      scores: this.scores(id),
    }
  }

  private scores(id: string): PeerScores {
    const view = this.node.services.pubsub as unknown as ScoreView
    const stats = id === this.peerId ? undefined : view.dumpPeerScoreStats()[id]
    const blocks = { timeInMesh: 0, firstMessageDeliveries: 0, meshMessageDeliveries: 0, invalidMessageDeliveries: 0 }
    for (const t of Object.values(stats?.topics ?? {})) {
      blocks.timeInMesh = Math.max(blocks.timeInMesh, t.meshTime / 1000)
      blocks.firstMessageDeliveries += t.firstMessageDeliveries
      blocks.meshMessageDeliveries += t.meshMessageDeliveries
      blocks.invalidMessageDeliveries += t.invalidMessageDeliveries
    }
    return {
      gossip: {
        total: stats === undefined ? 0 : view.getScore(id), blocks,
        IPColocationFactor: 0, behavioralPenalty: stats?.behaviourPenalty ?? 0,
      },
      reqResp: { validResponses: 0, errorResponses: 0, rejectedPayloads: 0 },
    }
  }

  /** Block a peer: close its connections, deny new ones both ways and ignore its messages. */
  async blockPeer(id: string): Promise<void> {
    const peer = peerIdFromString(id)
    this.blockedPeers.add(id)
    await this.node.hangUp(peer).catch(() => undefined)
  }

  async unblockPeer(id: string): Promise<void> {
    this.blockedPeers.delete(peerIdFromString(id).toString())
    this.nextDial.delete(id)
  }
  listBlockedPeers(): string[] { return [...this.blockedPeers] }

  /** Block an IP: close its connections and deny new ones. */
  async blockAddr(ip: string): Promise<void> {
    if (isIP(ip) === 0) throw new Error(`invalid IP address: ${ip}`)
    this.blockedAddrs.add(ip)
    this.rebuildBlockList()
  }

  async unblockAddr(ip: string): Promise<void> { this.blockedAddrs.delete(ip); this.rebuildBlockList() }
  listBlockedAddrs(): string[] { return [...this.blockedAddrs] }

  /** Block a CIDR subnet, e.g. `10.0.0.0/8`: close its connections and deny new ones. */
  async blockSubnet(cidr: string): Promise<void> {
    this.blockedSubnets.add(normalizeCidr(cidr))
    this.rebuildBlockList()
  }

  async unblockSubnet(cidr: string): Promise<void> { this.blockedSubnets.delete(normalizeCidr(cidr)); this.rebuildBlockList() }
  listBlockedSubnets(): string[] { return [...this.blockedSubnets] }

  /** Protected peers are never pruned by the connection manager. */
  async protectPeer(id: string): Promise<void> {
    this.protectedPeers.add(peerIdFromString(id).toString())
    await this.node.peerStore.merge(peerIdFromString(id), { tags: { 'op-protected': { value: 100 } } })
  }

  async unprotectPeer(id: string): Promise<void> {
    this.protectedPeers.delete(id)
    await this.node.peerStore.merge(peerIdFromString(id), { tags: { 'op-protected': undefined } })
  }

  async connectPeer(addr: string): Promise<void> {
    await this.node.dial(multiaddr(addr), { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
  }

  /** Close connections to a peer; static peers are redialled. */
  async disconnectPeer(id: string): Promise<void> {
    await this.node.hangUp(peerIdFromString(id))
  }

  /** Peer IDs with a connection (libp2p's `getPeers()`, without parsing them again); discovery dials until enough. */
  connectedPeerIds(): string[] {
    return [...new Set(this.node.getConnections().map(c => c.remotePeer.toString()))]
  }

  /** Connected peers for trimming: when each one's oldest open connection opened, and whether it is protected (static or `opp2p_protectPeer`). */
  peerConnections(): { peerId: string; since: number; protected: boolean }[] {
    const since = new Map<string, number>()
    for (const c of this.node.getConnections()) {
      const id = c.remotePeer.toString()
      since.set(id, Math.min(since.get(id) ?? Infinity, c.timeline.open))
    }
    return [...since].map(([peerId, at]) => ({ peerId, since: at, protected: this.protectedPeers.has(peerId) || this.staticPeers.has(peerId) }))
  }

  /** Stop the host (idempotent). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.redialTimer)
      this.stopRespawning()
      await this.node.stop()
    })()
    return this.stopping
  }
}
