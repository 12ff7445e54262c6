/**
 * `failover({ from, to, mode })`: a manual sequencer failover. Stops the old sequencer
 * (`admin_stopSequencer`, or crashes it: a `crash` fault of its own, whose window lasts until `start` or
 * `restart` of the old sequencer), then starts the standby at its unsafe head
 * (`admin_startSequencer(unsafe_l2.hash)`). The batcher runs in multi-sequencer mode and follows the
 * node that answers `admin_sequencerActive` with true.
 */
import type { Hex } from 'viem'
import { DevnetError } from '../errors.js'
import { oneOf } from '../topology/reader.js'
import { member } from './checks.js'
import { call, startSequencerAtHead, type FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'
import { crashFault } from './service.js'

export interface FailoverParameters {
  from: string
  to: string
  /** @default 'stop' */
  mode?: 'stop' | 'crash'
}

export const failoverFault: FaultDefinition<FailoverParameters, { startedAt: Hex; number: number }> = {
  summary: 'stop (or crash) the sequencer from, then start sequencing on the standby to',
  lasts: 'instant',
  args: (names) => ({
    from: { check: member('node', names.nodes), doc: 'the active sequencer' },
    to: { check: member('node', names.nodes), doc: 'a standby sequencer (standby: true in the topology)' },
    mode: { check: oneOf('stop', 'crash'), default: 'stop', doc: 'admin_stopSequencer (stop) or SIGKILL (crash)' },
  }),
  check: ({ from, to }) => (from === to ? { at: 'to', message: `expected a node other than from (${JSON.stringify(from)})` } : undefined),
  targets: ({ from, to }) => [from, to],
  act: async (ctx, { from, to, mode = 'stop' }) => {
    const { devnet } = ctx
    const standby = devnet.topology.l2.nodes.find((n) => n.name === to)
    if (!standby?.standby) {
      throw new DevnetError(`failover: "${to}" is not a standby sequencer`, { code: 'DEVNET_USAGE', details: 'give the node `standby: true` in the topology' })
    }
    if (mode === 'crash') await runFault(ctx, 'crash', crashFault, { service: from })
    else await call(devnet.endpoints[from].rollup, 'admin_stopSequencer')
    // Let the last gossiped blocks land on the standby before it takes over.
    await new Promise((r) => setTimeout(r, 250 + devnet.topology.l2.blockTime * 500))
    const head = await startSequencerAtHead(devnet.endpoints[to].rollup)
    return { startedAt: head.hash as Hex, number: head.number }
  },
  details: ({ number }) => ({ startedAt: number }),
  neverDrawn: "a one-way handover: nothing undoes it, and the load, the proposer and the challenger keep using the topology's sequencer (conductor topologies draw transferLeader instead)",
}

export async function failover(ctx: FaultContext, args: FailoverParameters): Promise<{ startedAt: Hex }> {
  const { startedAt } = await runFault(ctx, 'failover', failoverFault, args)
  return { startedAt }
}
