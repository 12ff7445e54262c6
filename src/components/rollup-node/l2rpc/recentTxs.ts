/**
 * Transactions this node accepted (sequencer mempool, or forwarded to the sequencer) and anvil does not
 * hold yet: op-geth answers `eth_getTransactionByHash` for them from its txpool, with null block fields;
 * anvil only knows a transaction once the node builds the block that holds it. Entries expire after
 * `ttlMs` (a transaction the engine refused is then forgotten, as a txpool would drop it).
 */
import { keccak256, type Hex } from 'viem'
import { pendingTransactionJson } from './pendingTx.js'

export class RecentTransactions {
  readonly #txs = new Map<Hex, { raw: Hex; at: number }>()

  constructor(private readonly ttlMs: number, private readonly max = 4096) {}

  /** Remembers a signed transaction just accepted. */
  add(raw: Hex, now = Date.now()): void {
    this.#txs.set(keccak256(raw), { raw, at: now })
    for (const [hash, t] of this.#txs) {
      if (this.#txs.size <= this.max && now - t.at <= this.ttlMs) break
      this.#txs.delete(hash)
    }
  }

  /** The pending JSON of `hash` if it was accepted less than `ttlMs` ago, else null. */
  async pending(hash: unknown, now = Date.now()): Promise<Record<string, unknown> | null> {
    if (typeof hash !== 'string') return null
    const t = this.#txs.get(hash.toLowerCase() as Hex)
    if (!t) return null
    if (now - t.at > this.ttlMs) {
      this.#txs.delete(hash.toLowerCase() as Hex)
      return null
    }
    return pendingTransactionJson(t.raw)
  }
}
