/**
 * The rollup node's peer discovery, as op-node runs it: discv5 with the node's p2p key and an ENR carrying
 * `opstack` (chain ID, version 0) and the libp2p TCP port; random lookups every 5 s while below
 * `--p2p.peers.lo` (20 s once there, 1 s while no peer is connected at all, so a devnet node joins fast);
 * each lookup in a row that finds no record the node had not seen doubles the wait, up to 60 s (a node that
 * contacts this one enters its table without a lookup, and the table is swept for dials every 200 ms);
 * every record found is filtered on its `opstack` entry and, while the node is below its peer target,
 * dialled over libp2p, at most four at once as op-node's connection workers (dials in flight count towards
 * the target). Above `--p2p.peers.hi` the node trims as op-node's connection manager does: down to
 * `--p2p.peers.lo`, sparing protected and static peers and peers connected for less than `--p2p.peers.grace`,
 * at most once a minute.
 *
 * The address dialled: `dialAddrs[peerId]` when the runtime gave one (its link to that node, so partitions
 * and link faults apply to discovered peers too), else the ENR's `/ip4/<ip>/tcp/<tcp>`.
 */
import type { ENR } from '@chainsafe/enr'
import type { Hex } from 'viem'
import { DiscoveryService, enrMismatch, peerOf, resolveIPv4 } from '../shared/discv5.js'
import type { RpcHandler } from '../shared/jsonrpc.js'
import type { PeerDump, PeerInfo, PeerStats } from './p2pTypes.js'

/** What discovery needs from the libp2p host. */
export interface DialHost {
  readonly peerId: string
  /** Peer IDs with an open connection. */
  connectedPeers(): string[]
  /** Connected peers: when their oldest open connection opened (ms since the epoch), and whether they are
   * protected from trimming (static peers, `opp2p_protectPeer`). */
  peerConnections(): { peerId: string; since: number; protected: boolean }[]
  /** Dials a `/…/p2p/<id>` multiaddr; rejects on failure. */
  connectPeer(addr: string): Promise<void>
  disconnectPeer(id: string): Promise<void>
}

/** Discovery settings (op-node's flags in brackets). */
export interface DiscoveryConfig {
  /** `--p2p.bootnodes`: `enr:…` records; never a public network's. */
  bootnodes: string[]
  /** RPC URLs of bootnodes whose ENR is fetched with `opp2p_self` (see `DiscoveryOptions.bootnodeRpcs`). */
  bootnodeRpcs?: string[]
  /** `--p2p.listen.udp` (op-node: 0 = the TCP port). */
  udpPort: number
  /** `--p2p.advertise.ip`: IP or hostname (resolved at start) put in the ENR; default the listen host. */
  advertiseIp?: string
  /** `--p2p.discovery.path`: file of known records, or `memory`. */
  path: string
  /** `--p2p.peers.lo`: dial discovered peers until this many are connected. */
  peersLo: number
  /** `--p2p.peers.hi`: above this many connected peers, trim down to `peersLo`. */
  peersHi: number
  /** `--p2p.peers.grace`: a peer connected for less than this is not trimmed, ms (default 30 s). */
  peersGraceMs?: number
  /** Peer ID -> multiaddr (with `/p2p/<id>`) the runtime routes that peer through. */
  dialAddrs?: Record<string, string>
}

const INTERVAL_MS = 5_000
const INTERVAL_ENOUGH_MS = 20_000
const INTERVAL_ALONE_MS = 1_000
/** The longest wait between lookups once they stop finding new records. */
const INTERVAL_MAX_MS = 60_000
/**
 * At most this many discovery dials at once, as op-node's four connection workers. Dialling every record up
 * to `peersLo` at once (20 per node) put a thousand handshakes in flight when 50 replicas joined together on two
 * cores: most hit the 10 s dial timeout and were redialled, and the devnet spent a minute doing handshakes.
 */
export const DIAL_WORKERS = 4
/** A peer whose dial failed is not tried again before this. */
const DIAL_BACKOFF_MS = 2_000
/**
 * A discovered peer whose connection went away again within `LOSS_MEMORY_MS` of the last time (either side
 * hung up, or it died) is not dialled again before this. Without it a node above `peersHi` hangs up on a peer
 * that is below `peersLo`, which dials it straight back, and with 50 nodes the handshakes and identify
 * exchanges kept every node busy. Inbound connections are always accepted, and static peers are redialled by
 * the host on their own schedule.
 */
export const REDIAL_COOLDOWN_MS = 30_000
/**
 * The wait before redialling a discovered peer lost once (no loss of it in the last `LOSS_MEMORY_MS`): a
 * connection a missed ping dropped on a busy machine comes back in seconds, not after the cooldown. With the
 * full cooldown from the first loss, two docker nodes that found each other only by discovery and lost their
 * one connection to a ping timeout gossiped nothing for 30 s (bootnode-down failed on CI so).
 */
export const FIRST_LOSS_REDIAL_MS = 2_000
/** How long a lost connection counts towards the next loss of the same peer. */
export const LOSS_MEMORY_MS = 120_000

/** op-node's `--p2p.peers.grace` default. */
export const PEERS_GRACE_MS = 30_000
/**
 * The least time between two trims (op-node's connection manager silence period, a minute). Trimming to
 * `peersHi` at once, as this node did before, sent its excess peers below `peersLo`; they dialled nodes at
 * `peersHi`, which trimmed in turn, and at 50 replicas the connections never settled.
 */
export const TRIM_SILENCE_MS = 60_000

/**
 * Milestones of a node's first join, ms since its discovery started: the first record of a peer to dial
 * (passing the filter, with a TCP address), the first dial, the first peer connected by a dial. Logged
 * once at info (`discovery: first peer`).
 */
export interface FirstJoin {
  recordMs?: number
  dialMs?: number
  peerMs?: number
}

/**
 * The wait before the next lookup, given the peers connected and how many lookups in a row found no new record.
 * Each lookup verifies the signature of every record it gets back (a bootnode returns its whole table), a
 * few milliseconds apiece: in a devnet of 50 nodes that all stay below `peersLo`, fixed 5 s rounds kept every
 * node busy.
 */
export function lookupInterval(connected: number, peersLo: number, fruitless: number): number {
  if (connected === 0) return INTERVAL_ALONE_MS
  const base = connected < peersLo ? INTERVAL_MS : INTERVAL_ENOUGH_MS
  return Math.min(base * 2 ** Math.min(fruitless, 4), Math.max(base, INTERVAL_MAX_MS))
}

/** A running discovery: discv5 plus the dialling loop. */
export class NodeDiscovery {
  /** Filled as the first join goes. */
  readonly firstJoin: FirstJoin = {}
  /** Records seen that failed the `opstack` filter (by node ID), with the reason. */
  readonly rejected = new Map<string, string>()
  /** Records that passed, by peer ID. */
  readonly accepted = new Map<string, ENR>()
  /** Dials in flight: they count towards `peersLo`, or one sweep of 50 records dials all 50. */
  private dialing = 0
  private lastTrim = Number.NEGATIVE_INFINITY
  private readonly retryAt = new Map<string, number>()
  private timer: NodeJS.Timeout | undefined
  private lastLookup = 0
  private looking = false
  /** Node IDs of every record seen, and how many lookups in a row found none new. */
  private readonly seen = new Set<string>()
  private fruitless = 0
  /** Peers connected at the previous tick. */
  private lastConnected = new Set<string>()
  /** When each discovered peer was last lost (its connection went away). */
  private readonly lostAt = new Map<string, number>()
  private stopped = false

  private constructor(
    readonly service: DiscoveryService,
    private readonly cfg: DiscoveryConfig,
    readonly chainId: number,
    private readonly host: DialHost,
    private readonly log: (msg: string) => void,
    private readonly onFirstPeer: (join: FirstJoin) => void,
    private readonly startedAt: number,
  ) {}

  /** Starts discv5 (UDP on `listenHost`) and the loop; the first lookup runs at once. */
  static async start(opts: {
    cfg: DiscoveryConfig; privateKey: Hex; listenHost: string; tcpPort: number; chainId: number; host: DialHost
    log: (msg: string) => void
    /** Called once, when the first dial by discovery succeeds. */
    onFirstPeer?: (join: FirstJoin) => void
  }): Promise<NodeDiscovery> {
    const { cfg } = opts
    const startedAt = performance.now()
    const advertiseIp = await resolveIPv4(cfg.advertiseIp ?? opts.listenHost)
    const service = await DiscoveryService.start({
      privateKey: opts.privateKey, listenIp: opts.listenHost, advertiseIp, udpPort: cfg.udpPort, tcpPort: opts.tcpPort,
      chainId: opts.chainId, bootnodes: cfg.bootnodes, bootnodeRpcs: cfg.bootnodeRpcs ?? [], path: cfg.path, log: opts.log,
    })
    const self = new NodeDiscovery(service, cfg, opts.chainId, opts.host, opts.log, opts.onFirstPeer ?? (() => {}), startedAt)
    service.onRecord((enr) => self.consider(enr))
    self.timer = setInterval(() => self.tick(), 200)
    self.tick()
    return self
  }

  private tick(): void {
    if (this.stopped) return
    const connected = this.connectedNow()
    // Records are filtered as they arrive (`onRecord`); the sweep only retries dials, so it is skipped while
    // none could start (at `peersLo`, or every dial worker busy): walking the table and filtering every record
    // five times a second was 2 % of a replica's CPU in a devnet of 20.
    if (this.canDial(connected.length)) for (const enr of this.service.records()) this.consider(enr, connected)
    this.trim(connected)
    if (this.looking || Date.now() - this.lastLookup < lookupInterval(connected.length, this.cfg.peersLo, this.fruitless)) return
    this.looking = true
    this.lastLookup = Date.now()
    this.service.refreshBootnodes()
    void this.service.lookup().then((found) => {
      const before = this.seen.size
      for (const enr of [...this.service.records(), ...found]) this.seen.add(enr.nodeId)
      this.fruitless = this.seen.size > before ? 0 : this.fruitless + 1
      for (const enr of found) this.consider(enr)
    }).finally(() => {
      this.looking = false
      this.lastLookup = Date.now()
    })
  }

  /** op-node's filter, then a dial while below the peer target. */
  private consider(enr: ENR, connected = this.connectedNow()): void {
    if (this.stopped) return
    const reason = enrMismatch(enr, this.chainId)
    if (reason !== undefined) {
      if (!this.rejected.has(enr.nodeId)) this.log(`discovery: ignoring ${enr.nodeId}: ${reason}`)
      this.rejected.set(enr.nodeId, reason)
      return
    }
    const peer = peerOf(enr)
    if (peer.peerId === this.host.peerId) return
    this.accepted.set(peer.peerId, enr)
    const addr = this.cfg.dialAddrs?.[peer.peerId] ?? (peer.tcpAddr && `${peer.tcpAddr}/p2p/${peer.peerId}`)
    if (!addr) return // a bootnode: no TCP port in its record
    this.firstJoin.recordMs ??= this.elapsed()
    if (connected.includes(peer.peerId) || !this.canDial(connected.length)) return
    if ((this.retryAt.get(peer.peerId) ?? 0) > Date.now()) return
    this.retryAt.set(peer.peerId, Number.POSITIVE_INFINITY) // dialling
    this.firstJoin.dialMs ??= this.elapsed()
    this.dialing++
    this.host.connectPeer(addr).finally(() => this.dialing--).then(
      () => {
        this.retryAt.delete(peer.peerId)
        this.log(`discovery: connected to ${peer.peerId} at ${addr}`)
        if (this.firstJoin.peerMs === undefined) {
          this.firstJoin.peerMs = this.elapsed()
          this.onFirstPeer(this.firstJoin)
        }
      },
      (err: Error) => {
        this.retryAt.set(peer.peerId, Date.now() + DIAL_BACKOFF_MS)
        this.log(`discovery: dial ${peer.peerId} at ${addr} failed: ${err.message}`)
      },
    )
  }

  /** Whether a dial may start: below `peersLo` counting dials in flight, and a dial worker free. */
  private canDial(connected: number): boolean {
    return connected + this.dialing < this.cfg.peersLo && this.dialing < DIAL_WORKERS
  }

  /**
   * The connected peers; every discovered peer connected at the last look and gone now waits before it is
   * dialled again: `FIRST_LOSS_REDIAL_MS` when lost once, the full `REDIAL_COOLDOWN_MS` when lost again
   * within `LOSS_MEMORY_MS` or trimmed by this node (`trim` records it lost and sets the cooldown itself).
   */
  private connectedNow(): string[] {
    const connected = this.host.connectedPeers()
    const now = new Set(connected)
    const t = Date.now()
    for (const id of this.lastConnected) {
      if (now.has(id) || !this.accepted.has(id)) continue
      const again = t - (this.lostAt.get(id) ?? -Infinity) < LOSS_MEMORY_MS
      this.lostAt.set(id, t)
      this.retryAt.set(id, Math.max(this.retryAt.get(id) ?? 0, t + (again ? REDIAL_COOLDOWN_MS : FIRST_LOSS_REDIAL_MS)))
    }
    this.lastConnected = now
    return connected
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.startedAt)
  }

  /**
   * Above `peersHi`, hang up on enough peers to get back to `peersLo` (op-node's connection manager): any
   * connected peer, inbound ones too, except protected and static peers and those still in their grace
   * period; the most recently connected first. At most once per {@link TRIM_SILENCE_MS}.
   */
  private trim(connected: string[]): void {
    const now = Date.now()
    if (connected.length <= this.cfg.peersHi || now - this.lastTrim < TRIM_SILENCE_MS) return
    const grace = this.cfg.peersGraceMs ?? PEERS_GRACE_MS
    const candidates = this.host.peerConnections().filter((c) => !c.protected && now - c.since >= grace).sort((a, b) => b.since - a.since)
    // The silence period starts with a trim: peers all in their grace period are trimmed once it ends.
    if (candidates.length === 0) return
    this.lastTrim = now
    const excess = connected.length - this.cfg.peersLo
    for (const c of candidates.slice(0, excess)) {
      this.log(`discovery: trimming ${c.peerId} (${connected.length} peers, above ${this.cfg.peersHi})`)
      // A peer this node hung up on waits out the full cooldown, not the quick redial of a lost connection.
      this.lostAt.set(c.peerId, now)
      this.retryAt.set(c.peerId, Math.max(this.retryAt.get(c.peerId) ?? 0, now + REDIAL_COOLDOWN_MS))
      void this.host.disconnectPeer(c.peerId).catch(() => undefined)
    }
  }

  /** The ENR of a peer found by discovery, if any. */
  enrOf(peerId: string): string | undefined {
    return this.accepted.get(peerId)?.encodeTxt()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    await this.service.stop()
  }
}

/** What the `opp2p_*` answers that discovery completes need from the libp2p host. */
export interface PeerViews {
  self(): PeerInfo
  peers(connectedOnly: boolean): PeerDump
  peerStats(): PeerStats
}

/**
 * The `opp2p_*` methods discovery completes: `opp2p_self` with the node's ENR, the ENR and chain ID of
 * peers found by discovery in `opp2p_peers`, the table size in `opp2p_peerStats`, `opp2p_discoveryTable`.
 */
export function discoveryMethods(p2p: PeerViews, d: NodeDiscovery): Record<string, RpcHandler> {
  return {
    opp2p_self: () => ({ ...p2p.self(), ENR: d.service.enr() }),
    opp2p_peers: ([connected]) => {
      const dump = p2p.peers(connected === true)
      for (const [id, info] of Object.entries(dump.peers)) {
        const enr = d.enrOf(id)
        if (enr !== undefined) dump.peers[id] = { ...info, ENR: enr, chainID: d.chainId }
      }
      return dump
    },
    opp2p_peerStats: () => ({ ...p2p.peerStats(), table: d.service.table().length }),
    opp2p_discoveryTable: () => d.service.table(),
  }
}
