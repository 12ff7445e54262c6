/** `l1Halt()` stops L1 block production (anvil interval mining off); `l1Resume()` mines again at the topology's block time. */
import { call, type FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'

type NoArgs = Record<never, never>
const noArgs = { args: () => ({}), targets: () => ['l1'] }

export const l1HaltFault: FaultDefinition<NoArgs> = {
  summary: 'stop L1 block production; ended by l1Resume',
  lasts: 'window',
  endedBy: ['l1Resume'],
  ...noArgs,
  chaos: { draw: () => ({}) },
  act: async (ctx) => {
    await call(ctx.devnet.endpoints.l1.rpc, 'evm_setIntervalMining', [0])
  },
}

export const l1ResumeFault: FaultDefinition<NoArgs> = {
  summary: "L1 produces blocks again at the topology's block time; ends l1Halt",
  lasts: 'recovery',
  ...noArgs,
  act: async (ctx) => {
    await call(ctx.devnet.endpoints.l1.rpc, 'evm_setIntervalMining', [ctx.devnet.topology.l1.blockTime])
  },
}

export const l1Halt = (ctx: FaultContext) => runFault(ctx, 'l1Halt', l1HaltFault, {})
export const l1Resume = (ctx: FaultContext) => runFault(ctx, 'l1Resume', l1ResumeFault, {})
