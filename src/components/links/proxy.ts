/**
 * Per-link loopback TCP proxies. A link is one service dialling one port of another (`from`, `to`, port
 * name); it listens on its own 127.0.0.1 port, and every connection through it is forwarded to the
 * target, shaped per direction (`Shaper`). A cut link resets new connections (RST) and resets every
 * connection it carries; healing lets new connections through again (clients redial as after a real cut).
 *
 * A link fault set on a service shapes what that service sends, as `tc netem` on its egress would: the
 * upstream direction of its own links, the downstream direction of links to it.
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import { prng, Shaper, BURST_BYTES, type Fault } from './shaper.js'

export type { Fault } from './shaper.js'

/** What a link is; `class` says which partitions cut it (`p2p` only for `links: p2p`). */
export interface LinkSpec {
  from: string
  to: string
  /** The target's port name (`rpc`, `el`, `rollup`, `p2p`, ...). */
  port: string
  class: 'p2p' | 'rpc'
  target: { host: string; port: number }
  /** Port to listen on; 0 (default) lets the kernel pick. */
  listenPort?: number
}

export interface LinkStatus extends LinkSpec {
  id: string
  listenPort: number
  cut: boolean
  up?: Fault
  down?: Fault
  connections: number
  /** Connections reset by a cut since start. */
  resets: number
}

/** Pause reading a side when this many bytes wait to be sent to the other. */
const HIGH_WATER = 1 << 20

/** Id of a link: `<from>><to>:<port>`. */
export const linkId = (l: Pick<LinkSpec, 'from' | 'to' | 'port'>) => `${l.from}>${l.to}:${l.port}`

/**
 * The clock of departure times: monotonic. The wall clock here steps by a few ms now and then (3.9 ms
 * between two reads 2 ms apart), and a bandwidth cap timed on it let 64 000 bytes through 7 ms sooner than
 * the cap allows (a CI failure of `proxy.test.ts`).
 */
const now = () => performance.now()

/** One direction of a connection: chunks wait for their departure time, in order. */
class Pipe {
  readonly #queue: { at: number; data: Buffer }[] = []
  #queued = 0
  #timer: NodeJS.Timeout | undefined
  #ending = false
  constructor(readonly source: Socket, readonly dest: Socket, readonly shaper: Shaper) {
    source.on('data', (data: Buffer) => this.push(data))
    source.on('end', () => {
      this.#ending = true
      this.#flush()
    })
  }

  push(data: Buffer): void {
    const bandwidth = this.shaper.fault?.bandwidthKbps
    for (let i = 0; i < data.length; i += bandwidth ? BURST_BYTES : data.length) {
      const piece = bandwidth ? data.subarray(i, i + BURST_BYTES) : data
      this.#queue.push({ at: this.shaper.release(now(), piece.length), data: piece })
      this.#queued += piece.length
    }
    if (this.#queued > HIGH_WATER) this.source.pause()
    this.#flush()
  }

  /** Re-times held chunks (after the fault changed from a black hole). */
  retime(): void {
    if (!this.#queue.some((chunk) => chunk.at === Infinity)) return
    const at = now()
    this.shaper.reset(at)
    for (const chunk of this.#queue) if (chunk.at === Infinity) chunk.at = this.shaper.release(at, chunk.data.length)
    this.#flush()
  }

  #flush(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const t = now()
    while (this.#queue.length && this.#queue[0].at <= t) {
      const { data } = this.#queue.shift()!
      this.#queued -= data.length
      if (!this.dest.destroyed) this.dest.write(data)
    }
    if (this.#queued <= HIGH_WATER / 2 && this.source.isPaused()) this.source.resume()
    if (this.#queue.length) {
      const at = this.#queue[0].at
      if (at !== Infinity) this.#timer = setTimeout(() => this.#flush(), at - t)
    } else if (this.#ending && !this.dest.destroyed) this.dest.end()
  }

  stop(): void {
    clearTimeout(this.#timer)
  }
}

class Link {
  readonly id: string
  readonly server: Server
  readonly up: Shaper
  readonly down: Shaper
  cut = false
  resets = 0
  readonly conns = new Set<{ client: Socket; upstream: Socket; pipes: Pipe[] }>()

  constructor(readonly spec: LinkSpec, seed: string) {
    this.id = linkId(spec)
    this.up = new Shaper(prng(`${seed}/${this.id}/up`))
    this.down = new Shaper(prng(`${seed}/${this.id}/down`))
    this.server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => this.#accept(client))
  }

  #accept(client: Socket): void {
    client.on('error', () => {})
    if (this.cut) {
      this.resets++
      client.resetAndDestroy()
      return
    }
    const upstream = connect({ host: this.spec.target.host, port: this.spec.target.port, allowHalfOpen: true })
    upstream.on('error', () => {})
    const conn = { client, upstream, pipes: [new Pipe(client, upstream, this.up), new Pipe(upstream, client, this.down)] }
    this.conns.add(conn)
    upstream.once('connect', () => client.resume())
    // An error on either side (or a refused upstream) resets the other, as a broken path would.
    const reset = (other: Socket) => () => {
      if (!other.destroyed) other.resetAndDestroy()
    }
    client.once('error', reset(upstream))
    upstream.once('error', reset(client))
    let closed = 0
    const onClose = () => {
      if (++closed < 2) return
      for (const pipe of conn.pipes) pipe.stop()
      this.conns.delete(conn)
    }
    client.once('close', onClose)
    upstream.once('close', onClose)
  }

  /** Cuts the link: every carried connection is reset, new ones are refused until `restore`. */
  setCut(cut: boolean): void {
    this.cut = cut
    if (!cut) return
    for (const { client, upstream } of this.conns) {
      this.resets++
      client.resetAndDestroy()
      upstream.resetAndDestroy()
    }
  }

  setFault(direction: 'up' | 'down', fault: Fault | undefined): void {
    const shaper = direction === 'up' ? this.up : this.down
    if (shaper.fault === fault) return
    shaper.fault = fault
    for (const conn of this.conns) conn.pipes[direction === 'up' ? 0 : 1].retime()
  }

  status(): LinkStatus {
    const { port } = this.server.address() as { port: number }
    return { ...this.spec, id: this.id, listenPort: port, cut: this.cut, up: this.up.fault, down: this.down.fault, connections: this.conns.size, resets: this.resets }
  }
}

/** Every link of a devnet, with partition and fault state. */
export class LinkProxy {
  readonly #links = new Map<string, Link>()
  #partition: { groups: string[][]; links: 'p2p' | 'all' } | undefined
  readonly #faults = new Map<string, Fault>()

  constructor(readonly seed: string, readonly host = '127.0.0.1') {}

  /** Adds a link (idempotent by id: the same link keeps its port and state) and returns its status. */
  async add(spec: LinkSpec): Promise<LinkStatus> {
    const id = linkId(spec)
    const existing = this.#links.get(id)
    if (existing) {
      existing.spec.target = spec.target
      return existing.status()
    }
    const link = new Link({ ...spec, target: { ...spec.target } }, this.seed)
    await new Promise<void>((resolve, reject) => {
      link.server.once('error', reject)
      link.server.listen({ host: this.host, port: spec.listenPort ?? 0 }, () => resolve())
    })
    this.#links.set(id, link)
    this.#apply(link)
    return link.status()
  }

  list(): LinkStatus[] {
    return [...this.#links.values()].map((l) => l.status())
  }

  /**
   * Cuts every link between services of different groups (services in no group form one more group);
   * `p2p` cuts only `p2p` links. Replaces the current partition.
   */
  partition(groups: string[][], links: 'p2p' | 'all'): LinkStatus[] {
    const seen = new Set<string>()
    for (const name of groups.flat()) {
      if (seen.has(name)) throw new Error(`service "${name}" is in more than one partition group`)
      seen.add(name)
    }
    this.#partition = { groups, links }
    for (const link of this.#links.values()) this.#apply(link)
    return this.list().filter((l) => l.cut)
  }

  heal(): void {
    this.#partition = undefined
    for (const link of this.#links.values()) this.#apply(link)
  }

  /** Sets (or clears) the fault on what `service` sends; returns the ids of the links it shapes. */
  setFault(service: string, fault: Fault | undefined): string[] {
    if (fault) this.#faults.set(service, fault)
    else this.#faults.delete(service)
    const touched = [...this.#links.values()].filter((l) => l.spec.from === service || l.spec.to === service)
    for (const link of touched) this.#apply(link)
    return touched.map((l) => l.id)
  }

  #apply(link: Link): void {
    const p = this.#partition
    const group = (s: string) => p?.groups.findIndex((g) => g.includes(s)) ?? -1
    const cut = p !== undefined && (p.links === 'all' || link.spec.class === 'p2p') && group(link.spec.from) !== group(link.spec.to)
    if (cut !== link.cut) link.setCut(cut)
    link.setFault('up', this.#faults.get(link.spec.from))
    link.setFault('down', this.#faults.get(link.spec.to))
  }

  async close(): Promise<void> {
    for (const link of this.#links.values()) {
      link.setCut(true)
      await new Promise<void>((resolve) => link.server.close(() => resolve()))
    }
    this.#links.clear()
  }
}
