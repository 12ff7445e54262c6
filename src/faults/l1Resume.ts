/** `l1Resume()`: L1 produces blocks again at the topology's block time. */
import { call, type FaultContext } from './context.js'

export async function l1Resume(ctx: FaultContext): Promise<void> {
  await call(ctx.devnet.endpoints.l1.rpc, 'evm_setIntervalMining', [ctx.devnet.topology.l1.blockTime])
  ctx.record({ kind: 'fault-end', name: 'l1Halt', targets: ['l1'] })
}
