/**
 * Fills the gap between the unsafe head and a signed gossip block that does not attach to it, by req-resp
 * from peers (op-node's alt-sync): blocks are fetched by number below the gossip block, a few at a time
 * across peers, and each is accepted only if its hash is the parent hash of the block above it, so the
 * chain hangs from the signed block. Accepted payloads go to the gossip queue, which re-executes and
 * inserts them in order once the lowest one attaches to the node's chain.
 */
import type { Hex } from 'viem'
import type { ExecutionPayload, PayloadWithBeaconRoot } from '../../protocol/payload.js'
import type { L2BlockRef } from '../../protocol/types.js'
import type { Logger } from '../shared/log.js'

/** What the sync needs from its node. */
export interface GapSyncHost {
  readonly log: Logger
  readonly unsafe: L2BlockRef
  readonly safe: L2BlockRef
  /** Hash of the node's block `n`, if it has one. */
  hashAt(n: number): Promise<Hex | undefined>
  /** Peers that serve req-resp now. */
  peers(): string[]
  fetch(peer: string, n: number): Promise<PayloadWithBeaconRoot>
  /** Queues a verified payload for insertion. */
  enqueue(payload: ExecutionPayload): void
}

/** Requests in flight at once, spread over the peers. */
const PARALLEL = 8
/** Attempts per block (each on the next peer) before the sync gives up until the next gap signal. */
const ATTEMPTS = 3

export class GapSync {
  private running: Promise<void> | undefined
  private nextPeer = 0
  private stopped = false
  /** Blocks fetched and verified, and responses refused, for tests and status. */
  readonly stats = { fetched: 0, refused: 0 }

  constructor(private readonly host: GapSyncHost) {}

  /**
   * Signals a trusted payload (signed gossip) whose parent the node does not have. Ignored while a fill
   * runs: it walks down to the node's chain anyway, and the gossip queue signals again if a gap remains.
   */
  request(target: ExecutionPayload): void {
    if (this.stopped || this.running) return
    this.running = this.fill(target)
      .catch((err: unknown) => this.host.log.warn('req-resp sync failed', { target: Number(target.blockNumber), err: (err as Error).message }))
      .finally(() => {
        this.running = undefined
      })
  }

  /** Starts no new request (those in flight end with the p2p host). */
  stop(): void {
    this.stopped = true
  }

  /** Walks down from `target`, fetching and verifying, until a block attaches to the node's chain. */
  private async fill(target: ExecutionPayload): Promise<void> {
    const host = this.host
    const prefetched = new Map<number, Promise<PayloadWithBeaconRoot | undefined>>()
    let expected = target.parentHash
    let n = Number(target.blockNumber) - 1
    const first = n
    while (!this.stopped && n > host.safe.number) {
      if (n <= host.unsafe.number && (await host.hashAt(n)) === expected) break
      for (let k = n; k > Math.max(host.safe.number, n - PARALLEL); k--) {
        if (!prefetched.has(k)) prefetched.set(k, this.fetchAny(k))
      }
      let got = await prefetched.get(n)
      prefetched.delete(n)
      if (got?.payload.blockHash !== expected) {
        if (got) this.stats.refused++
        got = await this.fetchAny(n, expected)
      }
      if (!got) {
        host.log.warn('req-resp sync: no peer served the block', { number: n, target: Number(target.blockNumber) })
        return
      }
      this.stats.fetched++
      host.enqueue(got.payload)
      expected = got.payload.parentHash
      n--
    }
    if (first > n) host.log.info('req-resp sync filled a gap', { from: n + 1, to: first, target: Number(target.blockNumber) })
  }

  /** Block `n` from the next peers in turn; with `hash`, only a payload of that hash is accepted. */
  private async fetchAny(n: number, hash?: Hex): Promise<PayloadWithBeaconRoot | undefined> {
    for (let attempt = 0; attempt < ATTEMPTS && !this.stopped; attempt++) {
      const peers = this.host.peers()
      if (peers.length === 0) return undefined
      const peer = peers[this.nextPeer++ % peers.length]
      try {
        const got = await this.host.fetch(peer, n)
        if (Number(got.payload.blockNumber) !== n) throw new Error(`asked for block ${n}, got ${got.payload.blockNumber}`)
        if (hash === undefined || got.payload.blockHash === hash) return got
        throw new Error(`block ${n} has hash ${got.payload.blockHash}, its child says ${hash}`)
      } catch (err) {
        this.stats.refused++
        this.host.log.debug('req-resp: request failed', { peer, number: n, err: (err as Error).message })
      }
    }
    return undefined
  }
}
