/**
 * op-challenger's game solver for alphabet games: which moves and steps an honest actor makes in a claim
 * tree. Above the split depth a claim is an output root of the L2 block `startingBlock + traceIndex + 1`
 * (clamped to the game's post-state block); below it, a claim of the alphabet trace of the execution
 * subgame (`alphabet.ts`).
 *
 * The honest claims are the root when the actor agrees with it, and every claim the actor would make
 * itself. The actor counters only claims whose parent is honest (a claim countering a dishonest claim
 * is left alone), attacking those it disagrees with and defending those it agrees with; at the max
 * depth it steps. A move that already exists (same parent, position and value) is not repeated: the
 * existing claim becomes honest.
 */
import type { Address, Hex } from 'viem'
import { DISPUTED_L2_BLOCK_NUMBER } from '../../protocol/disputeGames.js'
import { alphabetPreState, alphabetTraceClaim } from './alphabet.js'
import { depth, move, traceIndex } from './position.js'

/** One `claimData` entry. */
export interface Claim {
  index: number
  /** `type(uint32).max` for the root. */
  parentIndex: number
  counteredBy: Address
  claimant: Address
  bond: bigint
  claim: Hex
  position: bigint
  /** `Clock`: duration (seconds) << 64 | timestamp. */
  clock: bigint
}

export interface GameTree {
  splitDepth: number
  maxDepth: number
  startingBlock: bigint
  /** The game's L2 block clamped to the honest safe head at its L1 head. */
  postBlock: bigint
  claims: Claim[]
}

export type Action =
  | { kind: 'move'; parentIndex: number; disputed: Hex; claim: Hex; isAttack: boolean; position: bigint }
  | {
      kind: 'step'
      claimIndex: number
      isAttack: boolean
      stateData: Hex
      /** Local data to upload first (AlphabetVM reads key 4 when stepping from the absolute prestate). */
      localData?: { ident: bigint; execLeafIdx: bigint }
    }

/** Output root of an L2 block, from the actor's own rollup node. */
export type OutputAt = (block: bigint) => Promise<Hex>

const ZERO: Address = '0x0000000000000000000000000000000000000000'

/** The L2 block an output-bisection position commits to. */
export function outputBlock(tree: GameTree, position: bigint): bigint {
  const block = tree.startingBlock + traceIndex(position, tree.splitDepth) + 1n
  return block > tree.postBlock ? tree.postBlock : block
}

/**
 * The L2 block disputed by the execution subgame a position below the split belongs to, as the game's
 * `_findStartingAndDisputedOutputs` finds it: the split-depth ancestor if the subgame's root attacked it,
 * else the output one position to its right. `parentIndex` is the claim the position hangs under.
 */
export function disputedBlock(tree: GameTree, parentIndex: number, position: bigint): bigint {
  let root = position
  let output = tree.claims[parentIndex]
  while (depth(output.position) > tree.splitDepth) {
    root = output.position
    output = tree.claims[output.parentIndex]
  }
  const wasAttack = root >> 1n === output.position
  const disputedPos = wasAttack ? output.position : output.position + 1n
  return tree.startingBlock + traceIndex(disputedPos, tree.splitDepth) + 1n
}

/** The honest claim at `position` under claim `parentIndex` (the root: parentIndex -1). */
export async function honestClaim(tree: GameTree, outputAt: OutputAt, parentIndex: number, position: bigint): Promise<Hex> {
  if (depth(position) <= tree.splitDepth) return outputAt(outputBlock(tree, position))
  const leafCount = 1n << BigInt(tree.maxDepth - tree.splitDepth - 1)
  return alphabetTraceClaim(disputedBlock(tree, parentIndex, position), traceIndex(position, tree.maxDepth) % leafCount)
}

/**
 * Every move and step an honest actor makes now.
 * @returns The actions and whether the actor agrees with the root claim.
 */
export async function solve(tree: GameTree, outputAt: OutputAt): Promise<{ agreeWithRoot: boolean; actions: Action[] }> {
  const { claims, splitDepth, maxDepth } = tree
  const honest = new Set<number>()
  const actions: Action[] = []
  const root = claims[0]
  const agreeWithRoot = (await outputAt(outputBlock(tree, root.position))) === root.claim
  if (agreeWithRoot) honest.add(0)
  for (const c of claims) {
    if (honest.has(c.index)) continue
    if (c.index !== 0 && !honest.has(c.parentIndex)) continue
    const agree = c.claim === (await honestClaim(tree, outputAt, c.index === 0 ? -1 : c.parentIndex, c.position))
    const d = depth(c.position)
    if (d === maxDepth) {
      if (c.counteredBy === ZERO) actions.push(stepAction(tree, c, agree))
      continue
    }
    // The root of the game and of an execution subgame cannot be defended.
    if (agree && (c.index === 0 || d === splitDepth + 1)) continue
    const position = move(c.position, !agree)
    const value = await honestClaim(tree, outputAt, c.index, position)
    const existing = claims.find((o) => o.parentIndex === c.index && o.position === position && o.claim === value)
    if (existing) honest.add(existing.index)
    else actions.push({ kind: 'move', parentIndex: c.index, disputed: c.claim, claim: value, isAttack: !agree, position })
  }
  return { agreeWithRoot, actions }
}

/**
 * A step against claim `c` at the max depth: an attack executes its trace index from the state before
 * it (the absolute prestate for index 0, which needs local data); a defence executes the next index from
 * the agreed state of `c`.
 */
function stepAction(tree: GameTree, c: Claim, agree: boolean): Action {
  const leafCount = 1n << BigInt(tree.maxDepth - tree.splitDepth - 1)
  const i = traceIndex(c.position, tree.maxDepth) % leafCount
  const block = disputedBlock(tree, c.parentIndex, c.position)
  const executed = agree ? i + 1n : i
  return {
    kind: 'step',
    claimIndex: c.index,
    isAttack: !agree,
    stateData: alphabetPreState(block, executed),
    ...(executed === 0n ? { localData: { ident: DISPUTED_L2_BLOCK_NUMBER, execLeafIdx: BigInt(c.index) } } : {}),
  }
}
