/**
 * `l1Halt()` stops L1 block production (the L1 clock service mines nothing); `l1Resume()` mines again,
 * from the slot of the devnet clock's now (L1 time jumps over the halt, as missed slots on a beacon chain).
 * Both run at any speed: the L1 clock stamps blocks on the devnet clock itself.
 */
import { haltL1, resumeL1 } from '../devnet/clock.js'
import type { FaultContext } from './context.js'
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
    await haltL1(ctx.devnet.endpoints)
  },
}

export const l1ResumeFault: FaultDefinition<NoArgs> = {
  summary: "L1 produces blocks again at the topology's block time; ends l1Halt",
  lasts: 'recovery',
  ...noArgs,
  act: async (ctx) => {
    await resumeL1(ctx.devnet.endpoints)
  },
}

export const l1Halt = (ctx: FaultContext) => runFault(ctx, 'l1Halt', l1HaltFault, {})
export const l1Resume = (ctx: FaultContext) => runFault(ctx, 'l1Resume', l1ResumeFault, {})
