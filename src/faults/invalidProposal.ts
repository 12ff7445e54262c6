/**
 * Output proposals posted by hand, as dispute games of the devnet's game type (`DisputeGameFactory.create`
 * with the init bond), for `block` or the sequencer's latest safe L2 block:
 * - `invalidProposal({ block, from })`: a wrong root, `keccak256(honest root ++ "invalid")`; `from`: `rogue`
 *   (the last funded dev account, a second proposer) or `proposer` (the proposer's own key);
 * - `propose({ block })`: the honest root from the proposer's key, as op-proposer would (an existing
 *   identical proposal is reused), e.g. to have an honest game at a known point of a scenario.
 */
import { concat, keccak256, stringToHex, type Address, type Hex } from 'viem'
import { createGame } from '../devnet/games.js'
import { devKeys } from '../plan/keys.js'
import { l1Deployment } from '../plan/l1Deployment.js'
import type { SyncStatus } from '../protocol/types.js'
import { int, oneOf } from '../topology/reader.js'
import type { Names } from './checks.js'
import { call, type FaultContext } from './context.js'
import { runFault, type FaultChaos, type FaultDefinition } from './definition.js'
import { firstSequencer, needsSettlement } from './draw.js'

export interface InvalidProposalParameters {
  /** The L2 block proposed. @default the sequencer's safe head */
  block?: number
  /** Whose key posts it. @default 'rogue' */
  from?: 'rogue' | 'proposer'
}

export interface InvalidProposalReturnType {
  game: Address
  block: number
  root: Hex
  honestRoot: Hex
}

export const invalidProposalFault: FaultDefinition<InvalidProposalParameters, InvalidProposalReturnType> = {
  summary: 'post a wrong output root as a dispute game (for block, default the safe head) from a rogue key or the proposer',
  lasts: 'instant',
  args: () => ({
    block: blockArg,
    from: { check: oneOf('rogue', 'proposer'), default: 'rogue', doc: 'rogue (a second proposer, the last funded dev account) or proposer' },
  }),
  targets: () => ['l1'],
  act: (ctx, { block, from = 'rogue' }) => post(ctx, block, from, true),
  details: ({ game, block, root, honestRoot }) => ({ game, block, root, honestRoot }),
  // From the rogue key only: the proposer's key is the proposer service's, and a second sender of it races
  // that service's nonces (an operator error, not a failure the stack must survive).
  chaos: { ...proposalChaos(), draw: () => ({ from: 'rogue' as const }) },
}

export interface ProposeParameters {
  /** The L2 block proposed. @default the sequencer's safe head */
  block?: number
}

/**
 * Chaos draws of a proposal, at the safe head (a block number cannot be known before the run): only with
 * settlement contracts; the sequencer's rollup node (which gives the root) and the challenger (which must
 * answer a wrong root within its clock) work until the game can be over: both clocks run out.
 */
function proposalChaos<A>(): Omit<FaultChaos<A>, 'draw'> {
  return {
    unsupported: needsSettlement,
    uses: (_args, names: Names) => [firstSequencer(names), 'challenger'],
    holdMs: (names: Names) => 2 * names.topology.settlement.maxClockDuration * 1000 + 10_000,
  }
}

const blockArg = { check: int(1), default: undefined, doc: "the L2 block to propose (default: the sequencer's safe head)" }

export const proposeFault: FaultDefinition<ProposeParameters, InvalidProposalReturnType> = {
  summary: "post the honest output root as a dispute game from the proposer's key (for block, default the safe head)",
  lasts: 'instant',
  args: () => ({ block: blockArg }),
  targets: () => ['l1'],
  act: (ctx, { block }) => post(ctx, block, 'proposer', false),
  details: ({ game, block, root }) => ({ game, block, root }),
  chaos: { ...proposalChaos(), draw: () => ({}) },
}

/** Posts the honest root, or a wrong one, for `block` (default: the sequencer's safe head). */
async function post(ctx: FaultContext, block: number | undefined, from: 'rogue' | 'proposer', wrong: boolean): Promise<InvalidProposalReturnType> {
  const { topology, endpoints } = ctx.devnet
  const sequencer = topology.l2.nodes.find((n) => n.role === 'sequencer')!.name
  const { number, outputRoot } = await honestOutput(endpoints[sequencer].rollup, block)
  const root = wrong ? keccak256(concat([outputRoot, stringToHex('invalid')])) : outputRoot
  const keys = devKeys(topology)
  const key = from === 'proposer' ? keys.proposer : keys.accounts[keys.accounts.length - 1]
  const { game } = await createGame({
    l1Rpc: endpoints.l1.rpc,
    factory: l1Deployment(topology).addresses.DisputeGameFactoryProxy,
    privateKey: key.privateKey,
    gameType: topology.settlement.gameType,
    root,
    l2Block: BigInt(number),
    reuse: !wrong,
  })
  return { game, block: number, root, honestRoot: outputRoot }
}

/**
 * The block to propose and its output root, from the rollup node at `rollup`. Without `block`, its safe
 * head, read again when the node no longer has that block (an L1 reorg rewound it between the two calls:
 * "block N not found"), as op-proposer reads the sync status again at its next poll.
 */
export async function honestOutput(rollup: string, block: number | undefined, options: { attempts?: number; delayMs?: number } = {}): Promise<{ number: number; outputRoot: Hex }> {
  const { attempts = 5, delayMs = 200 } = options
  for (let attempt = 1; ; attempt++) {
    const number = block ?? (await call<SyncStatus>(rollup, 'optimism_syncStatus')).safe_l2.number
    try {
      const { outputRoot } = await call<{ outputRoot: Hex }>(rollup, 'optimism_outputAtBlock', [`0x${number.toString(16)}`])
      return { number, outputRoot }
    } catch (error) {
      if (block !== undefined || attempt >= attempts || !/not found/i.test((error as Error).message)) throw error
      await new Promise((r) => setTimeout(r, delayMs))
    }
  }
}

export const proposeOutput = (ctx: FaultContext, args: ProposeParameters = {}) => runFault(ctx, 'propose', proposeFault, args)
export const invalidProposal = (ctx: FaultContext, args: InvalidProposalParameters = {}) => runFault(ctx, 'invalidProposal', invalidProposalFault, args)
