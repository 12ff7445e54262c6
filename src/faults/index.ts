/** The faults, one action each, and `applyFault` to run a scenario's `FaultCall`. */
import type { FaultCall } from '../scenario/faults.js'
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

/** Runs one fault call of a scenario. */
export async function applyFault(ctx: FaultContext, f: FaultCall): Promise<void> {
  switch (f.name) {
    case 'l1Reorg':
      await l1Reorg(ctx, f.args)
      return
    case 'l1Halt':
      return l1Halt(ctx)
    case 'l1Resume':
      return l1Resume(ctx)
    case 'crash':
      return crash(ctx, f.args)
    case 'stop':
      return stop(ctx, f.args)
    case 'start':
      return start(ctx, f.args)
    case 'restart':
      return restart(ctx, f.args)
    case 'pause':
      return pause(ctx, f.args)
    case 'resume':
      return resume(ctx, f.args)
    case 'partition':
      return partition(ctx, f.args)
    case 'heal':
      return heal(ctx)
    case 'batcherOutage':
      return batcherOutage(ctx)
    case 'batcherResume':
      return batcherResume(ctx)
    case 'failover':
      await failover(ctx, f.args)
      return
    case 'latency':
      return latency(ctx, f.args)
    case 'loss':
      return loss(ctx, f.args)
    case 'clearLinkFaults':
      return clearLinkFaults(ctx, f.args)
  }
}
