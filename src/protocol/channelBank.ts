/**
 * Pre-Holocene channel bank: buffers frames of many channels (any order), and hands out
 * channels once they are closed and contiguous. Timeouts, duplicate handling, the Canyon
 * first-ready rule and size pruning follow the derivation spec's "Channel Bank" section.
 */
import type { Hex } from 'viem'
import { concatBytes } from './bytes.js'
import { CHANNEL_BANK_FRAME_OVERHEAD } from './constants.js'
import type { Frame } from './frame.js'
import { channelTimeout, isForkActive, maxChannelBankSize } from './rollupConfig.js'
import type { RollupConfig } from './types.js'

/** The L1 block the bank is currently processing (only number and time matter). */
export interface L1Position {
  number: number
  timestamp: number
}

/** A complete channel read from the bank. */
export interface ReadyChannel {
  id: Hex
  /** Concatenated frame data (still compressed). */
  data: Uint8Array
  /** L1 block in which the channel's first frame was seen. */
  openL1Number: number
}

/** What {@link ChannelBank.addFrame} did with a frame. */
export type FrameIngestResult = 'added' | 'timed-out' | 'duplicate' | 'duplicate-close' | 'after-close'

interface PendingChannel {
  id: Hex
  openL1: L1Position
  frames: Map<number, Uint8Array>
  closed: boolean
  endFrameNumber: number
  size: number
}

const frameCost = (data: Uint8Array): number => data.length + CHANNEL_BANK_FRAME_OVERHEAD

/** Pre-Holocene channel bank (see module doc). Construct one per derivation pipeline. */
export class ChannelBank {
  private readonly channels = new Map<string, PendingChannel>()
  private queue: string[] = []

  constructor(private readonly cfg: RollupConfig) {}

  /** Buffered bytes: frame data plus 200 bytes per frame, summed over channels. */
  get size(): number {
    let total = 0
    for (const ch of this.channels.values()) total += ch.size
    return total
  }

  /** Number of channels currently buffered. */
  get channelCount(): number {
    return this.channels.size
  }

  /** Drops every buffered channel (pipeline reset). */
  reset(): void {
    this.channels.clear()
    this.queue = []
  }

  private timedOut(ch: PendingChannel, l1: L1Position): boolean {
    return ch.openL1.number + channelTimeout(this.cfg, l1.timestamp) < l1.number
  }

  /**
   * Ingests a frame found in L1 block `l1`. Frames of timed-out channels, duplicates (by number),
   * second closing frames and frames numbered at/after the close are dropped; a closing frame
   * drops already-buffered higher frames. Prunes the oldest channels when over the size cap.
   */
  addFrame(frame: Frame, l1: L1Position): FrameIngestResult {
    const key = frame.channelId.toLowerCase()
    let ch = this.channels.get(key)
    if (!ch) {
      ch = { id: frame.channelId, openL1: { ...l1 }, frames: new Map(), closed: false, endFrameNumber: 0, size: 0 }
      this.channels.set(key, ch)
      this.queue.push(key)
    }
    if (this.timedOut(ch, l1)) return 'timed-out'
    if (frame.isLast && ch.closed) return 'duplicate-close'
    if (ch.frames.has(frame.frameNumber)) return 'duplicate'
    if (ch.closed && frame.frameNumber >= ch.endFrameNumber) return 'after-close'
    if (frame.isLast) {
      ch.closed = true
      ch.endFrameNumber = frame.frameNumber
      for (const [n, data] of ch.frames) {
        if (n > frame.frameNumber) {
          ch.frames.delete(n)
          ch.size -= frameCost(data)
        }
      }
    }
    ch.frames.set(frame.frameNumber, frame.data)
    ch.size += frameCost(frame.data)
    this.prune(l1)
    return 'added'
  }

  private prune(l1: L1Position): void {
    const cap = maxChannelBankSize(this.cfg, l1.timestamp)
    let total = this.size
    while (total > cap && this.queue.length > 0) {
      const key = this.queue.shift() as string
      const ch = this.channels.get(key)
      this.channels.delete(key)
      total -= ch?.size ?? 0
    }
  }

  private isReady(ch: PendingChannel): boolean {
    if (!ch.closed) return false
    for (let i = 0; i <= ch.endFrameNumber; i++) if (!ch.frames.has(i)) return false
    return true
  }

  private take(index: number): ReadyChannel {
    const key = this.queue[index]
    const ch = this.channels.get(key) as PendingChannel
    this.queue.splice(index, 1)
    this.channels.delete(key)
    const parts: Uint8Array[] = []
    for (let i = 0; i <= ch.endFrameNumber; i++) parts.push(ch.frames.get(i) as Uint8Array)
    return { id: ch.id, data: concatBytes(...parts), openL1Number: ch.openL1.number }
  }

  /**
   * Removes timed-out channels from the head of the queue, then returns (and removes) the next
   * ready channel: before Canyon only the oldest channel may be read; from Canyon (by the time of
   * `currentL1`) the first ready, non-timed-out channel in open order.
   */
  nextReadyChannel(currentL1: L1Position): ReadyChannel | undefined {
    while (this.queue.length > 0) {
      const head = this.channels.get(this.queue[0]) as PendingChannel
      if (!this.timedOut(head, currentL1)) break
      this.channels.delete(this.queue[0])
      this.queue.shift()
    }
    if (this.queue.length === 0) return undefined
    const scan = isForkActive(this.cfg, 'canyon', currentL1.timestamp) ? this.queue.length : 1
    for (let i = 0; i < scan; i++) {
      const ch = this.channels.get(this.queue[i]) as PendingChannel
      if (!this.timedOut(ch, currentL1) && this.isReady(ch)) return this.take(i)
    }
    return undefined
  }
}
