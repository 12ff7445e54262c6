/**
 * `l1Reorg({ depth, reinclude })`: replaces the last `depth` L1 blocks with a new branch
 * (`anvil_reorg`). With `reinclude` the orphaned txs go into the new branch at the same offsets;
 * without it they are dropped. Refuses a depth that reaches L1 `finalized` unless `allowFinalized`.
 */
import type { Hex } from 'viem'
import { DevnetError } from '../errors.js'
import { bool, int } from '../topology/reader.js'
import { withL1Held } from '../devnet/clock.js'
import { call, type FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'
import { between } from './draw.js'

export interface L1ReorgParameters {
  depth: number
  /** @default false */
  reinclude?: boolean
  /** @default false */
  allowFinalized?: boolean
}

export interface L1ReorgReturnType {
  /** L1 head number before the reorg (the new branch ends at the same height). */
  head: number
  /** Transactions that were in the orphaned blocks. */
  orphaned: Hex[]
}

export const l1ReorgFault: FaultDefinition<L1ReorgParameters, L1ReorgReturnType> = {
  summary: 'replace the last depth L1 blocks with a new branch (anvil_reorg)',
  lasts: 'instant',
  args: () => ({
    depth: { check: int(1), doc: 'how many L1 blocks to replace' },
    reinclude: { check: bool, default: false, doc: 'put the orphaned txs into the new branch at the same offsets' },
    allowFinalized: { check: bool, default: false, doc: 'allow a depth that reaches L1 finalized' },
  }),
  check: ({ depth, allowFinalized }, names) => {
    const distance = finalityDistance(names)
    if (allowFinalized || depth <= distance) return undefined
    return {
      at: 'depth',
      message: `a reorg of depth ${depth} replaces L1's finalized block (finalized = head - ${distance}); use a depth of at most ${distance} or set allowFinalized: true`,
    }
  },
  targets: () => ['l1'],
  act: reorg,
  details: ({ head, orphaned }) => ({ head, orphaned: orphaned.length }),
  // Within what L1 finality allows: never deeper than the distance from head to finalized.
  chaos: { draw: (random, names) => ({ depth: between(random, 1, finalityDistance(names)), reinclude: random() < 0.5, allowFinalized: false }) },
}

/** How many L1 blocks lie above L1 finalized (a reorg may replace at most that many). */
const finalityDistance = (names: { topology: { l1: { slotsPerEpoch: number } } }) => 2 * names.topology.l1.slotsPerEpoch

async function reorg(ctx: FaultContext, { depth, reinclude = false, allowFinalized = false }: L1ReorgParameters): Promise<L1ReorgReturnType> {
  if (!Number.isInteger(depth) || depth < 1) throw new DevnetError(`l1Reorg: depth must be an integer >= 1, got ${depth}`, { code: 'DEVNET_USAGE' })
  // L1 holds its next block meanwhile: one mined between reading the blocks and the reorg would shift them.
  return withL1Held(ctx.devnet.endpoints, () => reorgHeld(ctx.devnet.endpoints.l1.rpc, { depth, reinclude, allowFinalized }))
}

async function reorgHeld(url: string, { depth, reinclude, allowFinalized }: Required<L1ReorgParameters>): Promise<L1ReorgReturnType> {
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
  return { head, orphaned }
}

export const l1Reorg = (ctx: FaultContext, args: L1ReorgParameters) => runFault(ctx, 'l1Reorg', l1ReorgFault, args)
