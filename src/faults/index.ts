/** The faults, one action each, and `applyFault` to run a scenario's `FaultCall`. */
import type { FaultArgs, FaultCall, FaultName } from '../scenario/faults.js'
import { batcherOutage, batcherResume } from './batcherOutage.js'
import type { FaultContext } from './context.js'
import { failover } from './failover.js'
import { heal } from './heal.js'
import { l1Halt } from './l1Halt.js'
import { l1Reorg } from './l1Reorg.js'
import { l1Resume } from './l1Resume.js'
import { clearLinkFaults, latency, loss } from './linkFault.js'
import { partition } from './partition.js'
import { crash, pause, restart, resume, start, stop } from './service.js'

export { batcherOutage, batcherResume, clearLinkFaults, crash, failover, heal, l1Halt, l1Reorg, l1Resume, latency, loss, partition, pause, restart, resume, start, stop }
export { newFaultState, type FaultContext, type FaultState } from './context.js'

/** Every fault by its scenario name. */
const faults: { [K in FaultName]: (ctx: FaultContext, args: FaultArgs[K]) => Promise<unknown> } = {
  l1Reorg,
  l1Halt: (ctx) => l1Halt(ctx),
  l1Resume: (ctx) => l1Resume(ctx),
  crash,
  stop,
  start,
  restart,
  pause,
  resume,
  partition,
  heal: (ctx) => heal(ctx),
  batcherOutage: (ctx) => batcherOutage(ctx),
  batcherResume: (ctx) => batcherResume(ctx),
  failover,
  latency,
  loss,
  clearLinkFaults,
}

/** Runs one fault call of a scenario. */
export async function applyFault(ctx: FaultContext, call: FaultCall): Promise<void> {
  const run = faults[call.name] as (ctx: FaultContext, args: FaultCall['args']) => Promise<unknown>
  await run(ctx, call.args)
}
