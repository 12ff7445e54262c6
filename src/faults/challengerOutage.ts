/**
 * `challengerOutage()` / `challengerResume()`: the challenger stops (its service is stopped through the
 * runtime, so nothing watches the games) / starts again and picks up every game in its window. The same
 * service the lifecycle faults act on (`service: challenger`): `start` / `restart` end an outage too, and
 * `challengerResume` ends a `crash` / `stop` of the challenger.
 */
import type { FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'
import { needsSettlement } from './draw.js'

type NoArgs = Record<never, never>
const noArgs = { args: () => ({}), targets: () => ['challenger'] }

export const challengerOutageFault: FaultDefinition<NoArgs> = {
  summary: 'the challenger stops; ended by challengerResume, heal, or start / restart of service challenger',
  lasts: 'window',
  endedBy: ['challengerResume', 'heal', 'start', 'restart'],
  ...noArgs,
  act: (ctx) => ctx.devnet.service('challenger').stop(),
  chaos: { unsupported: needsSettlement, draw: () => ({}) },
}

export const challengerResumeFault: FaultDefinition<NoArgs> = {
  summary: 'the challenger starts again; ends challengerOutage',
  lasts: 'recovery',
  ...noArgs,
  act: (ctx) => ctx.devnet.service('challenger').restart(),
}

export const challengerOutage = (ctx: FaultContext) => runFault(ctx, 'challengerOutage', challengerOutageFault, {})
export const challengerResume = (ctx: FaultContext) => runFault(ctx, 'challengerResume', challengerResumeFault, {})
