/**
 * `invalidProposal({ block, from })`: posts a wrong output root as a new dispute game of the devnet's game
 * type (`DisputeGameFactory.create` with the init bond), for `block` or the sequencer's latest safe L2
 * block. The wrong root is `keccak256(honest root ++ "invalid")`, so it differs from the honest one. `from`:
 * `rogue` (the last funded dev account, a second proposer) or `proposer` (the proposer's own key).
 */
import { concat, keccak256, stringToHex, type Address, type Hex } from 'viem'
import { createGame } from '../devnet/games.js'
import { devKeys } from '../plan/keys.js'
import { l1Deployment } from '../plan/l1Deployment.js'
import type { SyncStatus } from '../protocol/types.js'
import { int, oneOf } from '../topology/reader.js'
import { call, type FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'

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
    block: { check: int(1), default: undefined, doc: "the L2 block to propose (default: the sequencer's safe head)" },
    from: { check: oneOf('rogue', 'proposer'), default: 'rogue', doc: 'rogue (a second proposer, the last funded dev account) or proposer' },
  }),
  targets: () => ['l1'],
  act: propose,
  details: ({ game, block, root, honestRoot }) => ({ game, block, root, honestRoot }),
}

async function propose(ctx: FaultContext, { block, from = 'rogue' }: InvalidProposalParameters): Promise<InvalidProposalReturnType> {
  const { topology, endpoints } = ctx.devnet
  const sequencer = topology.l2.nodes.find((n) => n.role === 'sequencer')!.name
  const number = block ?? (await call<SyncStatus>(endpoints[sequencer].rollup, 'optimism_syncStatus')).safe_l2.number
  const { outputRoot } = await call<{ outputRoot: Hex }>(endpoints[sequencer].rollup, 'optimism_outputAtBlock', [`0x${number.toString(16)}`])
  const root = keccak256(concat([outputRoot, stringToHex('invalid')]))
  const keys = devKeys(topology)
  const key = from === 'proposer' ? keys.proposer : keys.accounts[keys.accounts.length - 1]
  const { game } = await createGame({
    l1Rpc: endpoints.l1.rpc,
    factory: l1Deployment(topology).addresses.DisputeGameFactoryProxy,
    privateKey: key.privateKey,
    gameType: topology.settlement.gameType,
    root,
    l2Block: BigInt(number),
  })
  return { game, block: number, root, honestRoot: outputRoot }
}

export const invalidProposal = (ctx: FaultContext, args: InvalidProposalParameters = {}) => runFault(ctx, 'invalidProposal', invalidProposalFault, args)
