/**
 * discv5 as op-node and op-bootnode run it: an ENR (v4 identity, the node's secp256k1 p2p key) with `ip`,
 * `tcp`, `udp` and the `opstack` entry, a UDP discv5 service (`@chainsafe/discv5`, kept standalone beside
 * the project's libp2p 3: it ships its own libp2p 2-era interface packages, so only strings and bytes
 * cross over), bootnodes, and the discovery table persisted at `--p2p.discovery.path` (`memory`: none).
 */
import type { EventEmitter } from 'node:events'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { isIPv4 } from 'node:net'
import { Discv5, multiaddrFromSocketAddress } from '@chainsafe/discv5'
import { ENR, SignableENR } from '@chainsafe/enr'
import type { Hex } from 'viem'
import { hexToBytes } from 'viem'
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
  try {
    return ENR.decodeTxt(text)
  } catch (err) {
    throw new Error(`invalid ENR: ${(err as Error).message}`)
  }
}

/** The signed local record: v4 identity, `ip`, `udp`, `tcp` (when given) and `opstack`. */
export function localEnr(opts: Pick<DiscoveryOptions, 'privateKey' | 'listenIp' | 'advertiseIp' | 'udpPort' | 'tcpPort' | 'chainId'>): SignableENR {
  const ip = opts.advertiseIp ?? opts.listenIp
  if (!isIPv4(ip) || ip === '0.0.0.0') throw new Error(`ENR ip must be a routable IPv4 address, got ${JSON.stringify(ip)} (set the advertise IP)`)
  const enr = SignableENR.createV4(hexToBytes(opts.privateKey))
  enr.ip = ip
  enr.udp = opts.udpPort
  if (opts.tcpPort !== undefined) enr.tcp = opts.tcpPort
  enr.set(OPSTACK_ENR_KEY, encodeOpStackEntry(opts.chainId))
  return enr
}

/** Why `enr` does not qualify as a peer on `chainId` (op-node's filter), or undefined when it does. */
export function enrMismatch(enr: ENR, chainId: number): string | undefined {
  return opStackMismatch(enr.kvs.get(OPSTACK_ENR_KEY), chainId)
}

/** The libp2p view of a record. */
export function peerOf(enr: ENR): DiscoveredPeer {
  const { ip, tcp } = enr
  return { enr: enr.encodeTxt(), peerId: enr.peerId.toString(), ...(ip !== undefined && tcp !== undefined ? { tcpAddr: `/ip4/${ip}/tcp/${tcp}` } : {}) }
}

/** A running discv5 service. */
export class DiscoveryService {
  private readonly discv5: Discv5
  private readonly bootnodes: ENR[]
  private saveTimer: NodeJS.Timeout | undefined

  private constructor(private readonly opts: DiscoveryOptions) {
    this.bootnodes = opts.bootnodes.map(decodeEnr)
    const enr = localEnr(opts)
    const bind = multiaddrFromSocketAddress({ ip: { type: 4, octets: Uint8Array.from(opts.listenIp.split('.').map(Number)) }, port: opts.udpPort })
    this.discv5 = Discv5.create({
      enr,
      privateKey: { type: 'secp256k1', raw: hexToBytes(opts.privateKey) } as unknown as Parameters<typeof Discv5.create>[0]['privateKey'],
      bindAddrs: { ip4: bind },
      // A devnet's addresses are fixed: no ENR rewrites from address votes; fail fast on loopback.
      config: { enrUpdate: false, requestTimeout: 500, requestRetries: 1, lookupTimeout: 2_000, pingInterval: 2_000 },
    })
  }

  /** Binds the UDP socket, loads the persisted table and adds the bootnodes. */
  static async start(opts: DiscoveryOptions): Promise<DiscoveryService> {
    const self = new DiscoveryService(opts)
    await self.discv5.start()
    for (const enr of [...self.loadTable(), ...self.bootnodes]) self.add(enr)
    if (opts.path !== 'memory') self.saveTimer = setInterval(() => self.saveTable(), 1_000)
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

  /** One random lookup: the records it found (errors, e.g. every bootnode down, give none). */
  async lookup(): Promise<ENR[]> {
    try {
      return await this.discv5.findRandomNode()
    } catch (err) {
      this.opts.log?.(`discv5: lookup failed: ${(err as Error).message}`)
      return []
    }
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
    try {
      mkdirSync(dirname(this.opts.path), { recursive: true })
      writeFileSync(tmp, JSON.stringify(this.table()))
      renameSync(tmp, this.opts.path)
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
