/** `batcherOutage()` / `batcherResume()`: the batcher stops / resumes posting (op-batcher's admin API). */
import { call, type FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'

type NoArgs = Record<never, never>
const noArgs = { args: () => ({}), targets: () => ['batcher'] }

export const batcherOutageFault: FaultDefinition<NoArgs> = {
  summary: 'the batcher stops posting (admin_stopBatcher); ended by batcherResume or heal',
  lasts: 'window',
  endedBy: ['batcherResume', 'heal'],
  ...noArgs,
  chaos: { draw: () => ({}) },
  act: async (ctx) => {
    await call(ctx.devnet.endpoints.batcher.rpc, 'admin_stopBatcher')
  },
}

export const batcherResumeFault: FaultDefinition<NoArgs> = {
  summary: 'the batcher posts again (admin_startBatcher); ends batcherOutage',
  lasts: 'recovery',
  ...noArgs,
  act: async (ctx) => {
    await call(ctx.devnet.endpoints.batcher.rpc, 'admin_startBatcher')
  },
}

export const batcherOutage = (ctx: FaultContext) => runFault(ctx, 'batcherOutage', batcherOutageFault, {})
export const batcherResume = (ctx: FaultContext) => runFault(ctx, 'batcherResume', batcherResumeFault, {})
