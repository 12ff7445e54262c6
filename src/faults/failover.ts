/**
 * `failover({ from, to, mode })`: a manual sequencer failover. Stops the old sequencer
 * (`admin_stopSequencer`, or crashes it), then starts the standby at its unsafe head
 * (`admin_startSequencer(unsafe_l2.hash)`). The batcher runs in multi-sequencer mode and follows the
 * node that answers `admin_sequencerActive` with true.
 */
import type { Hex } from 'viem'
import { DevnetError } from '../errors.js'
import type { SyncStatus } from '../protocol/types.js'
import { call, type FaultContext } from './context.js'

export interface FailoverParameters {
  from: string
  to: string
  mode?: 'stop' | 'crash'
}

export async function failover(ctx: FaultContext, { from, to, mode = 'stop' }: FailoverParameters): Promise<{ startedAt: Hex }> {
  const { devnet } = ctx
  const standby = devnet.topology.l2.nodes.find((n) => n.name === to)
  if (!standby?.standby) {
    throw new DevnetError(`failover: "${to}" is not a standby sequencer`, { code: 'DEVNET_USAGE', details: 'give the node `standby: true` in the topology' })
  }
  ctx.record({ kind: 'fault-start', name: 'failover', targets: [from, to], details: { mode } })
  if (mode === 'crash') await devnet.service(from).kill('SIGKILL')
  else await call(devnet.endpoints[from].rollup, 'admin_stopSequencer')
  // Let the last gossiped blocks land on the standby before it takes over.
  await new Promise((r) => setTimeout(r, 250 + devnet.topology.l2.blockTime * 500))
  const status = await call<SyncStatus>(devnet.endpoints[to].rollup, 'optimism_syncStatus')
  await call(devnet.endpoints[to].rollup, 'admin_startSequencer', [status.unsafe_l2.hash])
  ctx.record({ kind: 'fault-end', name: 'failover', targets: [from, to], details: { startedAt: status.unsafe_l2.number } })
  return { startedAt: status.unsafe_l2.hash }
}
