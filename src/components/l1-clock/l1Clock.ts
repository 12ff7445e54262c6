/**
 * The L1 clock: block production of the L1 anvil on the devnet clock, as a beacon chain's slots drive an
 * execution client. L1 runs with `--no-mining`; this mines one block per slot (`evm_mine` with the slot's
 * timestamp), slot k at `genesisTime + k * blockTime` in chain time, so L1 timestamps follow the devnet
 * clock at any speed. A slot missed (the process was starved, L1 did not answer) is skipped, as on a
 * beacon chain: the next block takes the latest slot that has begun.
 *
 * It can be halted and resumed (`l1Halt`/`l1Resume`, and the devnet start, which resumes it once every
 * service is ready, so that no L1 block, and so none of the sequencing window, passes while the devnet
 * starts).
 */
import type { Hex } from 'viem'
import type { RpcClient } from '../shared/jsonrpc.js'
import type { Logger } from '../shared/log.js'

/** What `l1clock_status` answers. */
export interface L1ClockStatus {
  mining: boolean
  /** Blocks this process mined. */
  mined: number
  /** Timestamp of the last block it mined, seconds (0: none yet). */
  lastTimestamp: number
  /** The last failed attempt's error, cleared by the next block mined. */
  lastError?: string
}

/** What `l1clock_halt` answers: the status after the halt, and whether it was mining before. */
export interface L1ClockHalted extends L1ClockStatus {
  wasMining: boolean
}

/**
 * Timestamp of the block to mine now, seconds: the latest slot that has begun by chain time `nowSec` and
 * is later than the parent's `parentTimestamp`, or undefined when that slot is yet to begin.
 * @example
 * slotToMine({ genesisTime: 100, blockTime: 2 }, 107, 103.5) // 106
 */
export function slotToMine(slots: Slots, nowSec: number, parentTimestamp: number): number | undefined {
  const latest = slotAt(slots, nowSec)
  return latest > parentTimestamp ? latest : undefined
}

/** The first slot later than `timestamp`, seconds. */
export function slotAfter(slots: Slots, timestamp: number): number {
  return slotAt(slots, timestamp) + slots.blockTime
}

/** The L1 slot grid: slot k begins at `genesisTime + k * blockTime`, seconds. */
interface Slots {
  genesisTime: number
  blockTime: number
}

/** The slot that has begun by `t` (seconds): the latest slot start at or before it. */
function slotAt({ genesisTime, blockTime }: Slots, t: number): number {
  return genesisTime + Math.floor((t - genesisTime) / blockTime) * blockTime
}

export interface L1ClockOptions {
  genesisTime: number
  blockTime: number
  /** Chain time now, ms. */
  now(): number
  /** Wall ms until the clock shows `chainMs`. */
  untilMs(chainMs: number): number
}

export class L1Clock {
  #mining = false
  #mined = 0
  #lastTimestamp = 0
  #lastError: string | undefined
  #failures = 0
  #timer: NodeJS.Timeout | undefined
  /** Whether this L1 stamps the blocks it mines itself (reorgs) `blockTime` apart; set again after a failure. */
  #paced = false
  #round: Promise<void> = Promise.resolve()

  constructor(
    private readonly l1: RpcClient,
    private readonly options: L1ClockOptions,
    private readonly log: Logger,
  ) {}

  get mining(): boolean {
    return this.#mining
  }

  status(): L1ClockStatus {
    return { mining: this.#mining, mined: this.#mined, lastTimestamp: this.#lastTimestamp, ...(this.#lastError ? { lastError: this.#lastError } : {}) }
  }

  /** Mines from the latest slot that has begun on (nothing when already mining). */
  resume(): void {
    if (this.#mining) return
    this.#mining = true
    this.#schedule(0)
  }

  /** Mines nothing more until `resume`; waits for a block in flight. Resolves with whether it was mining. */
  async halt(): Promise<boolean> {
    const was = this.#mining
    this.#mining = false
    clearTimeout(this.#timer)
    await this.#round
    return was
  }

  /** Whether L1 has a block past genesis (it has been mined before). */
  async started(): Promise<boolean> {
    return Number(await this.l1.call<Hex>('eth_blockNumber', [])) > 0
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer)
    // One round at a time: a resume during a round in flight must not mine its slot twice.
    this.#timer = setTimeout(() => {
      this.#round = this.#round.then(() => this.#tick())
    }, Math.max(0, delayMs))
  }

  async #tick(): Promise<void> {
    if (!this.#mining) return
    const slots = { genesisTime: this.options.genesisTime, blockTime: this.options.blockTime }
    let next: number
    try {
      const parent = await this.l1.call<{ timestamp: Hex }>('eth_getBlockByNumber', ['latest', false])
      const parentTimestamp = Number(parent.timestamp)
      const slot = slotToMine(slots, this.options.now() / 1000, parentTimestamp)
      if (slot !== undefined && this.#mining) {
        if (!this.#paced) {
          // Blocks anvil stamps itself (an `anvil_reorg` branch) are spaced like the slots.
          await this.l1.call('anvil_setBlockTimestampInterval', [this.options.blockTime])
          this.#paced = true
        }
        await this.l1.call('evm_mine', [slot])
        this.#mined++
        this.#lastTimestamp = slot
        this.#lastError = undefined
        this.#failures = 0
      }
      next = slotAfter(slots, Math.max(slot ?? parentTimestamp, parentTimestamp))
    } catch (err) {
      this.#paced = false
      this.#lastError = (err as Error).message
      if (this.#failures++ % 20 === 0) this.log.warn('L1 block not mined', { err: this.#lastError })
      next = slotAfter(slots, this.options.now() / 1000)
    }
    if (this.#mining) this.#schedule(this.options.untilMs(next * 1000))
  }
}
