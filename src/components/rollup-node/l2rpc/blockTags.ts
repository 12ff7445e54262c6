/**
 * Honest `safe` / `finalized` block tags: anvil answers them by its own rule (head − 32 / 64), op-geth
 * with the heads op-node set through forkchoiceUpdated. The L2 RPC rewrites the tags into the rollup
 * node's head numbers in every parameter that names a block, before anvil sees them.
 */

/** The rollup node's heads the tags mean; with `latest`, `latest` and `pending` are resolved too (a frozen head). */
export interface TagHeads {
  safe: number
  finalized: number
  latest?: number
}

/** Index of the block parameter (tag, number, hash or EIP-1898 object) of each method that takes one. */
export const BLOCK_PARAM_INDEX: Readonly<Record<string, number>> = {
  eth_getBlockByNumber: 0,
  eth_getBlockReceipts: 0,
  eth_getBlockTransactionCountByNumber: 0,
  eth_getTransactionByBlockNumberAndIndex: 0,
  eth_getRawTransactionByBlockNumberAndIndex: 0,
  eth_getUncleByBlockNumberAndIndex: 0,
  eth_getUncleCountByBlockNumber: 0,
  debug_traceBlockByNumber: 0,
  trace_block: 0,
  eth_call: 1,
  eth_estimateGas: 1,
  eth_createAccessList: 1,
  eth_getBalance: 1,
  eth_getCode: 1,
  eth_getTransactionCount: 1,
  eth_getAccount: 1,
  eth_getAccountInfo: 1,
  eth_feeHistory: 1,
  eth_simulateV1: 1,
  debug_traceCall: 1,
  eth_getStorageAt: 2,
  eth_getProof: 2,
}

/** Methods whose first parameter is a log filter with `fromBlock` / `toBlock`. */
const FILTER_METHODS = new Set(['eth_getLogs', 'eth_newFilter'])

const hex = (n: number) => `0x${n.toString(16)}`

/** `safe` / `finalized` (and `latest` / `pending` when `heads.latest` is set), or an EIP-1898 `{ blockNumber }` holding one, as a head number; anything else as it is. */
export function resolveBlockTag(value: unknown, heads: TagHeads): unknown {
  if (value === 'safe') return hex(heads.safe)
  if (value === 'finalized') return hex(heads.finalized)
  if ((value === 'latest' || value === 'pending') && heads.latest !== undefined) return hex(heads.latest)
  if (value && typeof value === 'object' && !Array.isArray(value) && 'blockNumber' in value) {
    const blockNumber = (value as { blockNumber: unknown }).blockNumber
    const resolved = resolveBlockTag(blockNumber, heads)
    return resolved === blockNumber ? value : { ...value, blockNumber: resolved }
  }
  return value
}

/**
 * `params` with every `safe` / `finalized` block parameter of `method` replaced by the node's head
 * number (a new array; the input is not changed).
 * @example resolveBlockTags('eth_getBalance', ['0xabc…', 'safe'], { safe: 12, finalized: 4 }) // ['0xabc…', '0xc']
 */
export function resolveBlockTags(method: string, params: unknown[], heads: TagHeads): unknown[] {
  const index = BLOCK_PARAM_INDEX[method]
  if (index !== undefined) {
    if (params.length <= index) return params
    const out = [...params]
    out[index] = resolveBlockTag(params[index], heads)
    return out
  }
  if (FILTER_METHODS.has(method) && params[0] && typeof params[0] === 'object') {
    const filter = { ...(params[0] as Record<string, unknown>) }
    for (const key of ['fromBlock', 'toBlock']) if (key in filter) filter[key] = resolveBlockTag(filter[key], heads)
    return [filter, ...params.slice(1)]
  }
  return params
}
