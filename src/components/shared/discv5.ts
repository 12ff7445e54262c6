/**
 * discv5 as op-node and op-bootnode run it: an ENR (v4 identity, the node's secp256k1 p2p key) with `ip`,
 * `tcp`, `udp` and the `opstack` entry, a UDP discv5 service (`@chainsafe/discv5`, kept standalone beside
 * the project's libp2p 3: it ships its own libp2p 2-era interface packages, so only strings and bytes
 * cross over), bootnodes, and the discovery table persisted at `--p2p.discovery.path` (`memory`: none).
 */
import { createSocket } from 'node:dgram'
import type { EventEmitter } from 'node:events'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { lookup } from 'node:dns/promises'
import { dirname } from 'node:path'
import { isIPv4 } from 'node:net'
import { Discv5, multiaddrFromSocketAddress } from '@chainsafe/discv5'
import { ENR, SignableENR } from '@chainsafe/enr'
import type { Hex } from 'viem'
import { hexToBytes } from 'viem'
import { useEnrCrypto } from './enrCrypto.js'
import { rpcClient, type RpcClient } from './jsonrpc.js'
import { encodeOpStackEntry, OPSTACK_ENR_KEY, opStackMismatch } from '../../protocol/opstackEnr.js'

/** A peer found by discovery, in the terms libp2p 3 needs (strings only). */
export interface DiscoveredPeer {
  /** `enr:…` */
  enr: string
  /** libp2p peer ID (`16Uiu2…`) of the ENR's secp256k1 key. */
  peerId: string
  /** `/ip4/<ip>/tcp/<tcp>`, when the ENR carries both. */
  tcpAddr?: string
}

export interface DiscoveryOptions {
  /** secp256k1 private key (32 bytes hex), the node's libp2p identity. */
  privateKey: Hex
  /** UDP bind address (`--p2p.listen.ip`). */
  listenIp: string
  /** UDP port (`--p2p.listen.udp`). */
  udpPort: number
  /** IPv4 put in the ENR (`--p2p.advertise.ip`); default the listen IP. */
  advertiseIp?: string
  /** TCP port put in the ENR (the libp2p port); absent for a bootnode. */
  tcpPort?: number
  /** L2 chain ID for the `opstack` entry. */
  chainId: number
  /** `enr:…` records to bootstrap from (`--p2p.bootnodes`); never a public network's. */
  bootnodes: string[]
  /**
   * RPC URLs of bootnodes whose ENR is fetched with `opp2p_self` before each round, as orchestrators do
   * for op-node (the devnet's own bootnode: in a container its IP is known only once it runs).
   */
  bootnodeRpcs?: string[]
  /** `--p2p.discovery.path`: a JSON file of known ENRs reloaded at start, or `memory`. */
  path: string
  log?: (msg: string) => void
}

/**
 * Decodes an `enr:…` text record (signature checked).
 * @throws Error naming what was wrong.
 */
export function decodeEnr(text: string): ENR {
  if (!text.startsWith('enr:')) throw new Error(`expected an ENR starting with "enr:", got ${JSON.stringify(text.slice(0, 20))}`)
  useEnrCrypto()
  try {
    return ENR.decodeTxt(text)
  } catch (err) {
    throw new Error(`invalid ENR: ${(err as Error).message}`)
  }
}

/** How many verified records {@link useVerifiedRecordCache} keeps (the oldest goes first). */
const VERIFIED_RECORDS_MAX = 4_096
const verifiedRecords = new Map<string, ENR>()
let verifiedRecordCache = false

/**
 * Makes `ENR.decodeFromValues`, which `@chainsafe/discv5` calls for every record in a NODES message and a
 * handshake, verify a record only the first time it sees its exact bytes; the same bytes again give the
 * same (immutable) record object. A record that fails verification is never kept, so it fails each time.
 *
 * Why: every lookup gets back records the node already holds (a bootnode returns its whole table), and
 * each verification, with the node ID derived from the public key, cost 2.5 ms of pure-JS secp256k1 on
 * this machine; it was the largest single cost of a replica in a devnet of 50.
 * Installed once per process; idempotent.
 */
export function useVerifiedRecordCache(): void {
  if (verifiedRecordCache) return
  verifiedRecordCache = true
  const verify = ENR.decodeFromValues.bind(ENR)
  ENR.decodeFromValues = (values: Uint8Array[]): ENR => {
    const key = recordKey(values)
    if (key === undefined) return verify(values)
    const known = verifiedRecords.get(key)
    if (known !== undefined) return known
    const enr = verify(values)
    verifiedRecords.set(key, enr)
    if (verifiedRecords.size > VERIFIED_RECORDS_MAX) verifiedRecords.delete(verifiedRecords.keys().next().value!)
    return enr
  }
}

/** The exact bytes of a record's RLP items, length-prefixed; undefined when an item is not a byte string. */
function recordKey(values: unknown): string | undefined {
  if (!Array.isArray(values)) return undefined
  let key = ''
  for (const item of values) {
    if (!(item instanceof Uint8Array)) return undefined
    key += `${item.length}:${Buffer.from(item.buffer, item.byteOffset, item.length).toString('latin1')}`
  }
  return key
}

/**
 * An IPv4 address as is, a hostname (a container's network alias) resolved to its IPv4 address. Retried
 * for up to `timeoutMs`: a container's second network (p2p) is attached just after it starts.
 */
export async function resolveIPv4(host: string, timeoutMs = 30_000): Promise<string> {
  if (isIPv4(host)) return host
  for (const deadline = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 200))) {
    try {
      return (await lookup(host, { family: 4 })).address
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`cannot resolve ${host}: ${(err as Error).message}`)
    }
  }
}

/**
 * The sequence number of a record made at `ms` (Unix time): `ms * 2^20`. Two constraints of
 * `@chainsafe/discv5` 11 and `@chainsafe/enr` 5 shape it:
 * - it takes 8 bytes: WHOAREYOU's `enr-seq` is written left-aligned in its 8 bytes, so a shorter number
 *   reads back shifted (5 as 5 << 56) and the handshake never carries the newer record;
 * - it is exact as a double: the record's RLP encodes `Number(seq)`, while PING and PONG carry the bigint.
 *   A number that rounds (the time in ns did for about half of all start times) is advertised above the
 *   record's own, and every peer asked that node for its newer record at every ping, verifying the same
 *   record again each time.
 * A time in ms has 41 bits, so `ms * 2^20` has 61 and is a double exactly.
 */
export function enrSeqAt(ms: number): bigint {
  return BigInt(Math.floor(ms)) << 20n
}

/**
 * The signed local record: v4 identity, `ip`, `udp`, `tcp` (when given) and `opstack`.
 *
 * Its sequence number is the start time, as geth's local node takes it when its database holds none (the
 * time in ms there), so that a node restarted elsewhere (a container's new IP) replaces its old record in
 * its peers' tables: they keep a record of the same number as it is, and then drop every session from the
 * new address (its record does not match it). Here the time in ms times 2^20 ({@link enrSeqAt}).
 */
export function localEnr(opts: Pick<DiscoveryOptions, 'privateKey' | 'listenIp' | 'advertiseIp' | 'udpPort' | 'tcpPort' | 'chainId'>): SignableENR {
  const ip = opts.advertiseIp ?? opts.listenIp
  if (!isIPv4(ip) || ip === '0.0.0.0') throw new Error(`ENR ip must be a routable IPv4 address, got ${JSON.stringify(ip)} (set the advertise IP)`)
  useEnrCrypto()
  const enr = SignableENR.createV4(hexToBytes(opts.privateKey))
  enr.ip = ip
  enr.udp = opts.udpPort
  if (opts.tcpPort !== undefined) enr.tcp = opts.tcpPort
  enr.set(OPSTACK_ENR_KEY, encodeOpStackEntry(opts.chainId))
  enr.seq = enrSeqAt(Date.now())
  return enr
}

/** Why `enr` does not qualify as a peer on `chainId` (op-node's filter), or undefined when it does. */
export function enrMismatch(enr: ENR, chainId: number): string | undefined {
  return opStackMismatch(enr.kvs.get(OPSTACK_ENR_KEY), chainId)
}

/**
 * {@link peerOf} per node ID and sequence number. By node ID, not by record object: every NODES answer
 * decodes fresh objects for records the node already knows (a bootnode returns its whole table each
 * lookup), and at 30 replicas those decompressions were the largest item in a joining node's profile.
 * A node ID is the hash of the record's public key, so the peer ID it names never changes; the addresses
 * change only with a new sequence number. One entry per node of the devnet.
 */
const peerViews = new Map<string, { seq: bigint; peer: DiscoveredPeer }>()

/**
 * The libp2p view of a record. Remembered: the peer ID decompresses the record's public key and the text
 * form is an RLP encoding, about 1 ms together, and a node looks at every record 5 times a second.
 */
export function peerOf(enr: ENR): DiscoveredPeer {
  const known = peerViews.get(enr.nodeId)
  if (known !== undefined && known.seq === enr.seq) return known.peer
  const { ip, tcp } = enr
  const peer = { enr: enr.encodeTxt(), peerId: enr.peerId.toString(), ...(ip !== undefined && tcp !== undefined ? { tcpAddr: `/ip4/${ip}/tcp/${tcp}` } : {}) }
  peerViews.set(enr.nodeId, { seq: enr.seq, peer })
  return peer
}

/**
 * How often each entry of the table is pinged: the library's default, 5 min. Nothing here waits on a ping:
 * a node restarted elsewhere announces itself by its own lookups, and a dead peer is found by the dial that
 * fails. Each ping costs both ends a session message and a public key decompression, and every node pings
 * every node in its table, so the cost grows with the square of the devnet (at 2 s: 71 pings per node in
 * 45 s with 10 replicas; 10 at 30 s).
 */
const PING_INTERVAL_MS = 300_000
/** How often the table is written to `path` when it changed (each write encodes every record). */
const SAVE_INTERVAL_MS = 5_000

/** Log distances asked of a bootnode: the 16 nearest cover every record of a small network. */
const BOOTNODE_DISTANCES = Array.from({ length: 16 }, (_, i) => 256 - i)

/** A UDP port free on 127.0.0.1 right now (tests and benches). */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const { port } = socket.address()
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return port
}

/** A running discv5 service. */
export class DiscoveryService {
  private readonly discv5: Discv5
  private readonly bootnodes: ENR[]
  /** One client (keep-alive agent) per bootnode RPC, reused every round. */
  private readonly bootnodeClients: RpcClient[]
  private saveTimer: NodeJS.Timeout | undefined
  private saved = ''

  private constructor(private readonly opts: DiscoveryOptions) {
    useVerifiedRecordCache() // the scheme is installed by decodeEnr and localEnr, just below
    this.bootnodes = opts.bootnodes.map(decodeEnr)
    this.bootnodeClients = (opts.bootnodeRpcs ?? []).map((url) => rpcClient(url, 1_000))
    const enr = localEnr(opts)
    const bind = multiaddrFromSocketAddress({ ip: { type: 4, octets: Uint8Array.from(opts.listenIp.split('.').map(Number)) }, port: opts.udpPort })
    this.discv5 = Discv5.create({
      enr,
      privateKey: { type: 'secp256k1', raw: hexToBytes(opts.privateKey) } as unknown as Parameters<typeof Discv5.create>[0]['privateKey'],
      bindAddrs: { ip4: bind },
      // A devnet's addresses are fixed: no ENR rewrites from address votes; fail fast on loopback.
      config: { enrUpdate: false, requestTimeout: 500, requestRetries: 1, lookupTimeout: 2_000, pingInterval: PING_INTERVAL_MS },
    })
  }

  /** Binds the UDP socket, loads the persisted table and adds the bootnodes. */
  static async start(opts: DiscoveryOptions): Promise<DiscoveryService> {
    const self = new DiscoveryService(opts)
    await self.discv5.start()
    for (const enr of [...self.loadTable(), ...self.bootnodes]) self.add(enr)
    if (opts.path !== 'memory') self.saveTimer = setInterval(() => self.saveTable(), SAVE_INTERVAL_MS)
    return self
  }

  /** This node's record, `enr:…`. */
  enr(): string {
    return this.discv5.enr.encodeTxt()
  }

  /** The routing table, as `opp2p_discoveryTable` returns it (`enr:…` strings). */
  table(): string[] {
    return this.discv5.kadValues().map((enr) => enr.encodeTxt())
  }

  /** Records of the table, decoded. */
  records(): ENR[] {
    return this.discv5.kadValues()
  }

  /** Adds the bootnodes again if they left the table (after they were down). */
  refreshBootnodes(): void {
    const known = new Set(this.discv5.kadValues().map((e) => e.nodeId))
    for (const enr of this.bootnodes) if (!known.has(enr.nodeId)) this.add(enr)
  }

  /**
   * One round: a random lookup, plus a FINDNODE to each bootnode for its 16 nearest log distances (in a
   * devnet-sized network that is its whole table; a random lookup alone only returns the few records at
   * the distances it asks for). The records found; failures (every bootnode down) give none.
   */
  async lookup(): Promise<ENR[]> {
    await this.fetchBootnodes()
    // The bootnodes' FINDNODE first: discv5 sends one request at a time per node, and theirs returns the table.
    const rounds = await Promise.allSettled([
      ...this.bootnodes.map((enr) => this.discv5.sendFindNode(enr, BOOTNODE_DISTANCES)),
      this.discv5.findRandomNode(),
    ])
    const found = new Map<string, ENR>()
    for (const r of rounds) if (r.status === 'fulfilled') for (const enr of r.value) found.set(enr.nodeId, enr)
    if (rounds.every((r) => r.status === 'rejected')) this.opts.log?.(`discv5: lookup failed: ${String((rounds.at(-1) as PromiseRejectedResult).reason)}`)
    return [...found.values()].filter((enr) => enr.nodeId !== this.discv5.enr.nodeId)
  }

  /** Fetches the ENR of each bootnode given by RPC URL; one that does not answer keeps its last record. */
  private async fetchBootnodes(): Promise<void> {
    await Promise.all(this.bootnodeClients.map(async (client) => {
      try {
        const enr = decodeEnr((await client.call<{ ENR: string }>('opp2p_self')).ENR)
        const i = this.bootnodes.findIndex((b) => b.nodeId === enr.nodeId)
        if (i >= 0 && this.bootnodes[i].encodeTxt() === enr.encodeTxt()) return
        this.bootnodes.splice(i >= 0 ? i : this.bootnodes.length, i >= 0 ? 1 : 0, enr)
        this.add(enr)
      } catch (err) {
        this.opts.log?.(`discv5: bootnode ${client.url}: ${(err as Error).message}`)
      }
    }))
  }

  /** Called with every record discovered by a lookup or added to the table. */
  onRecord(listener: (enr: ENR) => void): void {
    // The typed emitter's declarations do not resolve here; it is a Node EventEmitter.
    const emitter = this.discv5 as unknown as EventEmitter
    emitter.on('discovered', listener)
    emitter.on('enrAdded', listener)
  }

  private add(enr: ENR): void {
    try {
      this.discv5.addEnr(enr)
    } catch (err) {
      this.opts.log?.(`discv5: cannot add ${enr.encodeTxt()}: ${(err as Error).message}`)
    }
  }

  private loadTable(): ENR[] {
    if (this.opts.path === 'memory') return []
    let texts: unknown
    try {
      texts = JSON.parse(readFileSync(this.opts.path, 'utf8'))
    } catch {
      return [] // first start
    }
    return (Array.isArray(texts) ? texts : []).flatMap((t) => {
      try {
        return [decodeEnr(String(t))]
      } catch {
        return []
      }
    })
  }

  private saveTable(): void {
    const tmp = `${this.opts.path}.tmp`
    const text = JSON.stringify(this.table())
    if (text === this.saved) return
    try {
      mkdirSync(dirname(this.opts.path), { recursive: true })
      writeFileSync(tmp, text)
      renameSync(tmp, this.opts.path)
      this.saved = text
    } catch (err) {
      this.opts.log?.(`discv5: cannot save the table to ${this.opts.path}: ${(err as Error).message}`)
    }
  }

  /** Saves the table and closes the socket. */
  async stop(): Promise<void> {
    clearInterval(this.saveTimer)
    if (this.opts.path !== 'memory') this.saveTable()
    await this.discv5.stop()
  }
}
