/**
 * The node's view of L1: the head (followed by subscription, or polled), safe / finalized polling and a
 * small cache of full blocks by number. The cache is dropped on every pipeline reset, so a reorged block is never served twice.
 */
import type { Address, Hex } from 'viem'
import type { BlockID, L1BlockRef } from '../../protocol/types.js'
import { ZERO_HASH, zeroL1Ref } from '../../protocol/types.js'
import type { RpcClient } from '../shared/jsonrpc.js'
import { subscribe, type Subscription } from '../shared/subscription.js'

export interface L1Tx {
  hash: Hex
  from: Address
  to: Address | null
  input: Hex
  type: Hex
}

export interface L1Block {
  ref: L1BlockRef
  baseFeePerGas: bigint
  /** prevRandao of the block (the L2 blocks of its epoch take it as theirs). */
  mixHash: Hex
  /** EIP-4788 parent beacon block root, from Cancun (L2 blocks take it from Ecotone). */
  parentBeaconBlockRoot?: Hex
  excessBlobGas?: bigint
  transactions: L1Tx[]
}

interface RpcL1Block {
  hash: Hex
  number: Hex
  parentHash: Hex
  timestamp: Hex
  baseFeePerGas?: Hex
  excessBlobGas?: Hex
  mixHash?: Hex
  parentBeaconBlockRoot?: Hex
  transactions: L1Tx[] | Hex[]
}

const toRef = (b: Pick<RpcL1Block, 'hash' | 'number' | 'parentHash' | 'timestamp'>): L1BlockRef => ({
  hash: b.hash,
  number: Number(b.number),
  parentHash: b.parentHash,
  timestamp: Number(b.timestamp),
})

export class L1Source {
  head: L1BlockRef = zeroL1Ref()
  safe: L1BlockRef = zeroL1Ref()
  finalized: L1BlockRef = zeroL1Ref()
  private readonly cache = new Map<number, L1Block>()
  private heads: Subscription | undefined

  /** `timeoutMs`: of a head read over the subscription's socket (the HTTP client has its own). */
  constructor(
    readonly rpc: RpcClient,
    readonly timeoutMs = 10_000,
  ) {}

  private async fetch(tag: string, full: boolean): Promise<RpcL1Block | null> {
    return this.rpc.call<RpcL1Block | null>('eth_getBlockByNumber', [tag, full])
  }

  /**
   * Reads the head. While the head subscription is live the read goes over its socket (one frame each
   * way; the HTTP exchange of a poll every 100 ms was a quarter of an idle replica's CPU), with the HTTP
   * client's timeout; a read that fails there fails the poll as the HTTP one would.
   */
  async pollHead(): Promise<L1BlockRef> {
    const b = this.heads?.live
      ? await this.heads.call<RpcL1Block | null>('eth_getBlockByNumber', ['latest', false], this.timeoutMs)
      : await this.fetch('latest', false)
    if (b) this.head = toRef(b)
    return this.head
  }

  /**
   * Follows the head by `eth_subscribe newHeads` over `wsUrl`: each notification becomes `head`, then
   * `onHead` runs; `onLive` hears when notifications start and stop flowing.
   */
  followHeads(wsUrl: string, onHead: () => void, onLive?: (live: boolean) => void): void {
    this.heads?.close()
    this.heads = subscribe<Pick<RpcL1Block, 'hash' | 'number' | 'parentHash' | 'timestamp'>>(
      wsUrl,
      ['newHeads'],
      (header) => {
        this.head = toRef(header)
        onHead()
      },
      onLive ? { onLive } : {},
    )
  }

  /** Stops following the head. */
  close(): void {
    this.heads?.close()
    this.heads = undefined
  }

  /** Polls the `safe` and `finalized` tags. Finalized never moves back here. */
  async pollFinality(): Promise<void> {
    const [safe, fin] = await Promise.all([this.fetch('safe', false), this.fetch('finalized', false)])
    if (safe) this.safe = toRef(safe)
    if (fin && Number(fin.number) >= this.finalized.number) this.finalized = toRef(fin)
  }

  /** A full L1 block by number, or null if L1 has no such block yet. */
  async blockByNumber(n: number): Promise<L1Block | null> {
    const hit = this.cache.get(n)
    if (hit) return hit
    const b = await this.fetch(`0x${n.toString(16)}`, true)
    if (!b) return null
    const block: L1Block = {
      ref: toRef(b),
      baseFeePerGas: BigInt(b.baseFeePerGas ?? 0),
      mixHash: b.mixHash ?? ZERO_HASH,
      ...(b.parentBeaconBlockRoot == null ? {} : { parentBeaconBlockRoot: b.parentBeaconBlockRoot }),
      ...(b.excessBlobGas === undefined ? {} : { excessBlobGas: BigInt(b.excessBlobGas) }),
      transactions: b.transactions as L1Tx[],
    }
    this.cache.set(n, block)
    if (this.cache.size > 512) this.cache.delete(Math.min(...this.cache.keys()))
    return block
  }

  /** Whether `id` is on the canonical L1 chain right now (never cached). */
  isCanonical(id: BlockID): Promise<boolean> {
    return this.canonicalView()(id)
  }

  /**
   * `isCanonical` for one pass over many blocks (a pipeline reset): L1 as it is at the first read of each
   * height, which is read once. The L2 blocks a reset walks back share L1 origins, and its records share the
   * L1 blocks they were derived from: each asked L1 again.
   */
  canonicalView(): (id: BlockID) => Promise<boolean> {
    const hashes = new Map<number, Promise<Hex | undefined>>()
    return async (id) => {
      let hash = hashes.get(id.number)
      if (hash === undefined) hashes.set(id.number, (hash = this.fetch(`0x${id.number.toString(16)}`, false).then((b) => b?.hash)))
      return (await hash) === id.hash
    }
  }

  /** Logs of `address` in the block with `blockHash`. */
  async logs(blockHash: Hex, address: Address): Promise<Array<{ address: Address; topics: Hex[]; data: Hex; blockHash: Hex; logIndex: Hex }>> {
    return this.rpc.call('eth_getLogs', [{ blockHash, address }])
  }

  clearCache(): void {
    this.cache.clear()
  }
}
