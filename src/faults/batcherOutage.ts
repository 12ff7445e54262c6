/** `batcherOutage()` / `batcherResume()`: the batcher stops / resumes posting (op-batcher's admin API). */
import { call, type FaultContext } from './context.js'

export async function batcherOutage(ctx: FaultContext): Promise<void> {
  await call(ctx.devnet.endpoints.batcher.rpc, 'admin_stopBatcher')
  ctx.record({ kind: 'fault-start', name: 'batcherOutage', targets: ['batcher'] })
}

export async function batcherResume(ctx: FaultContext): Promise<void> {
  await call(ctx.devnet.endpoints.batcher.rpc, 'admin_startBatcher')
  ctx.record({ kind: 'fault-end', name: 'batcherOutage', targets: ['batcher'] })
}
