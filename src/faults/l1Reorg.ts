/**
 * `l1Reorg({ depth, reinclude })`: replaces the last `depth` L1 blocks with a new branch
 * (`anvil_reorg`). With `reinclude` the orphaned txs go into the new branch at the same offsets;
 * without it they are dropped. Refuses a depth that reaches L1 `finalized` unless `allowFinalized`.
 */
import type { Hex } from 'viem'
import { DevnetError } from '../errors.js'
import { call, type FaultContext } from './context.js'

export interface L1ReorgParameters {
  depth: number
  reinclude?: boolean
  allowFinalized?: boolean
}

export interface L1ReorgReturnType {
  /** L1 head number before the reorg (the new branch ends at the same height). */
  head: number
  /** Transactions that were in the orphaned blocks. */
  orphaned: Hex[]
}

export async function l1Reorg(ctx: FaultContext, { depth, reinclude = false, allowFinalized = false }: L1ReorgParameters): Promise<L1ReorgReturnType> {
  const url = ctx.devnet.endpoints.l1.rpc
  if (!Number.isInteger(depth) || depth < 1) throw new DevnetError(`l1Reorg: depth must be an integer >= 1, got ${depth}`, { code: 'DEVNET_USAGE' })
  const head = Number(await call<Hex>(url, 'eth_blockNumber'))
  const finalized = await call<{ number: Hex } | null>(url, 'eth_getBlockByNumber', ['finalized', false])
  const finalizedNumber = finalized ? Number(finalized.number) : 0
  if (head - depth + 1 <= finalizedNumber && !allowFinalized) {
    throw new DevnetError(`l1Reorg: depth ${depth} from head ${head} reaches L1 finalized block ${finalizedNumber}`, {
      code: 'DEVNET_USAGE',
      details: 'a reorg of finalized L1 blocks cannot happen on a real chain; pass allowFinalized: true to do it anyway',
    })
  }
  if (depth > head) throw new DevnetError(`l1Reorg: depth ${depth} is deeper than the chain (${head} blocks)`, { code: 'DEVNET_USAGE' })
  const orphaned: Hex[] = []
  const replay: Array<[Hex, number]> = []
  for (let offset = 0; offset < depth; offset++) {
    const block = await call<{ transactions: Hex[] }>(url, 'eth_getBlockByNumber', [`0x${(head - depth + 1 + offset).toString(16)}`, false])
    for (const hash of block.transactions) {
      const raw = await call<Hex>(url, 'debug_getRawTransaction', [hash])
      orphaned.push(raw)
      if (reinclude) replay.push([raw, offset])
    }
  }
  await call(url, 'anvil_reorg', [depth, replay])
  ctx.record({ kind: 'fault-start', name: 'l1Reorg', targets: ['l1'], details: { depth, reinclude, head, orphaned: orphaned.length } })
  return { head, orphaned }
}
