/** `heal()`: undoes every partition and link fault (see partition.ts, linkFault.ts). */
import type { FaultContext } from './context.js'

export async function heal(ctx: FaultContext): Promise<void> {
  const { devnet, state } = ctx
  if (state.runtimePartition) await devnet.runtime.heal()
  state.runtimePartition = false
  for (const s of state.linkFaults) await clearLinkFault(ctx, s)
  state.linkFaults.clear()
  ctx.record({ kind: 'fault-end', name: 'heal', targets: [] })
}

/** Removes a link fault from a service. */
export async function clearLinkFault(ctx: FaultContext, service: string): Promise<void> {
  await ctx.devnet.runtime.setLinkFault(service, undefined)
  ctx.state.linkFaults.delete(service)
}
