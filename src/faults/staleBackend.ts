/**
 * `staleBackend({ node })`: the node's L2 RPC keeps answering but its head freezes, as a stuck op-geth
 * does (`devnet_freezeHead` on the lite L2 RPC: `eth_blockNumber` and block tags stay where they
 * were). Ended by `staleBackendResume({ node })` (`devnet_unfreezeHead`) or `heal`. The node itself
 * goes on; what changes is what its RPC clients (proxyd's consensus poller, apps) see.
 */
import { member, type Names } from './checks.js'
import { activeFaults, call, type FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'
import { pick } from './draw.js'

export interface StaleBackendParameters {
  node: string
}

const nodeArg = (names: Names) => ({ node: { check: member('node', names.nodes), doc: 'the rollup node whose L2 RPC freezes' } })
const target = ({ node }: StaleBackendParameters) => [node]

export const staleBackendFault: FaultDefinition<StaleBackendParameters, { latest: number }> = {
  summary: "a node's L2 RPC keeps answering but its head freezes (devnet_freezeHead); ended by staleBackendResume or heal",
  lasts: 'window',
  endedBy: ['staleBackendResume', 'heal'],
  args: nodeArg,
  targets: target,
  act: (ctx, { node }) => call<{ latest: number }>(ctx.devnet.endpoints[node].el, 'devnet_freezeHead'),
  details: ({ latest }) => ({ frozenAt: latest }),
  // What a stuck backend tests is proxyd's consensus poller routing around it.
  chaos: {
    unsupported: (names) => (names.services.includes('proxyd') ? undefined : 'needs proxyd (proxyd.enabled), whose consensus must route around the stale backend'),
    draw: (random, names) => ({ node: pick(random, names.nodes) }),
  },
}

export const staleBackendResumeFault: FaultDefinition<StaleBackendParameters> = {
  summary: "the node's L2 RPC follows its head again (devnet_unfreezeHead); ends staleBackend",
  lasts: 'recovery',
  args: nodeArg,
  targets: target,
  act: async (ctx, { node }) => {
    await call(ctx.devnet.endpoints[node].el, 'devnet_unfreezeHead')
  },
}

/** Unfreezes every node a `staleBackend` window froze (for `heal`); a node that does not answer is left as it is. */
export async function unfreezeAll(ctx: FaultContext): Promise<void> {
  const nodes = activeFaults(ctx.state).filter((w) => w.name === 'staleBackend').flatMap((w) => w.targets)
  for (const node of new Set(nodes)) await call(ctx.devnet.endpoints[node].el, 'devnet_unfreezeHead').catch(() => {})
}

export const staleBackend = (ctx: FaultContext, args: StaleBackendParameters) => runFault(ctx, 'staleBackend', staleBackendFault, args)
export const staleBackendResume = (ctx: FaultContext, args: StaleBackendParameters) => runFault(ctx, 'staleBackendResume', staleBackendResumeFault, args)
