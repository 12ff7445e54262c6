/** `l1Halt()`: stops L1 block production (anvil interval mining off). */
import { call, type FaultContext } from './context.js'

export async function l1Halt(ctx: FaultContext): Promise<void> {
  await call(ctx.devnet.endpoints.l1.rpc, 'evm_setIntervalMining', [0])
  ctx.record({ kind: 'fault-start', name: 'l1Halt', targets: ['l1'] })
}
