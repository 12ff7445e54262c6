/**
 * When each chunk of one direction of a proxied TCP connection may leave: latency ± jitter, "loss" and a
 * bandwidth cap, with a seeded PRNG so a run can be replayed. Pure scheduling (no sockets, no timers).
 *
 * TCP never shows loss to the application: a lost segment is retransmitted after the retransmission
 * timeout, and everything behind it waits (head-of-line blocking). So a chunk drawn as lost here is held
 * for one RTO (200 ms, Linux's minimum), doubled for each further loss drawn for it, as TCP backs off,
 * capped at 60 s. 100 % loss is a black hole: chunks are held until the fault changes, as a link that
 * drops every packet stalls every connection without closing it.
 */
import { mulberry32 } from '../shared/random.js'

/** A link fault on one direction; the same shape as the runtime's `LinkFault`. */
export interface Fault {
  delayMs?: number
  jitterMs?: number
  lossPercent?: number
  bandwidthKbps?: number
}

/** First retransmission timeout after a loss (Linux `TCP_RTO_MIN`). */
export const RTO_MS = 200
/** Cap of the backed-off retransmission timeout (Linux `TCP_RTO_MAX` is 120 s; 60 s is enough here). */
const RTO_MAX_MS = 60_000
/** Bytes the bandwidth bucket may send at once after being idle. */
export const BURST_BYTES = 4096

/** A deterministic PRNG in [0, 1) (mulberry32) seeded from a string (FNV-1a). */
export function prng(seed: string): () => number {
  let h = 0x811c9dc5
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193)
  return mulberry32(h)
}

/** Schedules chunks of one direction in order; `release` gives each chunk's departure time. */
export class Shaper {
  fault: Fault | undefined
  /** Departure time of the previous chunk: chunks never overtake each other (TCP is a byte stream). */
  #last = 0
  /** When the bandwidth bucket is empty again (virtual clock). */
  #bucketFree = 0
  constructor(readonly random: () => number) {}

  /**
   * Departure time (ms, same clock as `now`) of a chunk of `bytes` arriving at `now`;
   * `Infinity` while the fault drops everything.
   */
  release(now: number, bytes: number): number {
    const f = this.fault
    if (!f) return (this.#last = Math.max(this.#last, now))
    const loss = Math.min(100, Math.max(0, f.lossPercent ?? 0))
    if (loss >= 100) return Infinity
    let due = now + Math.max(0, (f.delayMs ?? 0) + (f.jitterMs ? (2 * this.random() - 1) * f.jitterMs : 0))
    for (let rto = RTO_MS; loss > 0 && this.random() * 100 < loss; rto = Math.min(rto * 2, RTO_MAX_MS)) due += rto
    due = Math.max(due, this.#last)
    if (f.bandwidthKbps && f.bandwidthKbps > 0) {
      const bytesPerMs = f.bandwidthKbps / 8
      // Virtual clock: the link is busy until #bucketFree; a chunk may leave up to BURST_BYTES early.
      this.#bucketFree = Math.max(due, this.#bucketFree) + bytes / bytesPerMs
      due = Math.max(due, this.#bucketFree - BURST_BYTES / bytesPerMs)
    }
    return (this.#last = due)
  }

  /** Forgets the ordering floor (after a black hole is lifted, held chunks leave now). */
  reset(now: number): void {
    this.#last = now
    this.#bucketFree = Math.min(this.#bucketFree, now)
  }
}
