/**
 * A stuck execution client on demand: `devnet_freezeHead` on the L2 RPC freezes the head this RPC
 * reports, `devnet_unfreezeHead` lets it follow the node again. While frozen the RPC keeps answering,
 * as an op-geth that stopped importing blocks does: `eth_blockNumber` and the `latest` / `pending` /
 * `safe` / `finalized` tags mean the heads of the moment it froze, and blocks above the frozen head
 * are not found (`null`). The node itself goes on (it derives, gossips, sequences). The `staleBackend`
 * fault uses it.
 */
import type { RpcClient, RpcHandler } from '../../shared/jsonrpc.js'
import { resolveBlockTags, type TagHeads } from './blockTags.js'

/** The heads the RPC reports while frozen. */
export interface FrozenHeads extends TagHeads {
  latest: number
}

const hex = (n: number) => `0x${n.toString(16)}`

export class HeadFreeze {
  /** Set while frozen. */
  heads?: FrozenHeads

  /**
   * `params` of `method` with every block tag resolved: `safe` / `finalized` to `current()` (the node's
   * heads), and while frozen every tag, `latest` and `pending` included, to the frozen heads.
   */
  tags(method: string, params: unknown[], current: TagHeads): unknown[] {
    return resolveBlockTags(method, params, this.heads ?? current)
  }

  /**
   * The freeze switch and the head reads it changes: `devnet_freezeHead` (returns the frozen heads; a
   * second call keeps the first freeze), `devnet_unfreezeHead` (returns whether it was frozen),
   * `eth_blockNumber` and `eth_getBlockByNumber`.
   */
  methods(engine: RpcClient, current: () => FrozenHeads): Record<string, RpcHandler> {
    return {
      devnet_freezeHead: () => (this.heads ??= current()),
      devnet_unfreezeHead: () => {
        const was = this.heads !== undefined
        this.heads = undefined
        return was
      },
      eth_blockNumber: (params) => (this.heads ? hex(this.heads.latest) : engine.call('eth_blockNumber', params)),
      eth_getBlockByNumber: async (params) => {
        const resolved = this.tags('eth_getBlockByNumber', params, current())
        const block = resolved[0]
        if (this.heads && typeof block === 'string' && block.startsWith('0x') && Number(block) > this.heads.latest) return null
        return engine.call('eth_getBlockByNumber', resolved)
      },
    }
  }
}
