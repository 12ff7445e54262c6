/**
 * `l1Halt()` stops L1 block production (anvil interval mining off); `l1Resume()` mines again at the
 * topology's block time, paced by the devnet clock (`blockTime / speed` wall seconds, L1 time resuming
 * at the clock's now). anvil's `evm_setIntervalMining` takes whole seconds, so both refuse a speed at
 * which `blockTime / speed` is not a whole number (the halt could not be undone).
 */
import { DevnetError } from '../errors.js'
import { paceL1 } from '../devnet/clock.js'
import { WALL_CLOCK } from '../protocol/clock.js'
import type { Topology } from '../topology/types.js'
import { call, type FaultContext, type FaultDevnet } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'

type NoArgs = Record<never, never>

/** Why L1 cannot be halted and resumed at `speed`, or undefined. */
function unpaceable(topology: Topology, speed: number): string | undefined {
  const pace = topology.l1.blockTime / speed
  if (Number.isInteger(pace)) return undefined
  return `l1Halt/l1Resume cannot run at --speed ${speed}: L1 would mine every ${pace} s and anvil's evm_setIntervalMining takes whole seconds; use a speed that divides l1.blockTime (${topology.l1.blockTime})`
}

/** L1's wall-time block interval on `devnet`, seconds. @throws DevnetError `DEVNET_USAGE` when it is fractional */
function wallBlockTime(devnet: FaultDevnet): number {
  const speed = (devnet.clock ?? WALL_CLOCK).speed
  const why = unpaceable(devnet.topology, speed)
  if (why) throw new DevnetError(why, { code: 'DEVNET_USAGE' })
  return devnet.topology.l1.blockTime / speed
}

const noArgs = { args: () => ({}), targets: () => ['l1'] }

export const l1HaltFault: FaultDefinition<NoArgs> = {
  summary: 'stop L1 block production; ended by l1Resume',
  lasts: 'window',
  endedBy: ['l1Resume'],
  ...noArgs,
  chaos: { draw: () => ({}), unsupported: (names) => unpaceable(names.topology, names.speed ?? 1) },
  act: async (ctx) => {
    wallBlockTime(ctx.devnet)
    await call(ctx.devnet.endpoints.l1.rpc, 'evm_setIntervalMining', [0])
  },
}

export const l1ResumeFault: FaultDefinition<NoArgs> = {
  summary: "L1 produces blocks again at the topology's block time; ends l1Halt",
  lasts: 'recovery',
  ...noArgs,
  act: async (ctx) => {
    const url = ctx.devnet.endpoints.l1.rpc
    const interval = wallBlockTime(ctx.devnet)
    // L1 time stood still while the devnet clock ran on: it resumes at the clock's now.
    await paceL1(url, ctx.devnet.clock ?? WALL_CLOCK, ctx.devnet.topology.l1.blockTime)
    await call(url, 'evm_setIntervalMining', [interval])
  },
}

export const l1Halt = (ctx: FaultContext) => runFault(ctx, 'l1Halt', l1HaltFault, {})
export const l1Resume = (ctx: FaultContext) => runFault(ctx, 'l1Resume', l1ResumeFault, {})
