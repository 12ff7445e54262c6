/**
 * Lifecycle faults of any service, through the runtime: `crash` (SIGKILL / docker kill) and `stop`
 * (graceful) open a window closed by `start` or `restart`; `start` and `restart` (same plan and ports;
 * `fresh` wipes the service's persisted state first); `pause` (SIGSTOP / docker pause) opens a window
 * closed by `resume`. The challenger is a service like the others: `crash` / `stop` on it are also ended
 * by `challengerResume`, and `start` / `restart` also end a `challengerOutage` (both restart the same
 * service).
 */
import { bool } from '../topology/reader.js'
import { DevnetError } from '../errors.js'
import { member, type Names } from './checks.js'
import type { FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'
import { chaosServices, isReplica, pick } from './draw.js'

export interface ServiceFaultParameters {
  service: string
}

export interface StartParameters extends ServiceFaultParameters {
  /** Wipe the service's persisted state for a cold start. @default false */
  fresh?: boolean
}

const service = (names: Names) => ({ service: { check: member('service', names.services), doc: 'the service (a rollup node, l1, batcher, proposer, challenger, proxyd, a conductor or the bootnode)' } })
const serviceArgs = { args: service, targets: ({ service }: ServiceFaultParameters) => [service] }
const withFresh = (names: Names) => ({
  ...service(names),
  fresh: { check: bool, default: false, doc: "wipe the service's persisted state for a cold start" },
})

/** Chaos draws: any rollup node or the batcher (never L1). */
const anyService = { draw: (random: () => number, names: Names) => ({ service: pick(random, chaosServices(names)) }) }

/** Starts a service again (stopping it first if it runs); with `fresh`, its persisted state is wiped in between. */
async function startAgain(ctx: FaultContext, { service, fresh }: StartParameters): Promise<void> {
  const handle = ctx.devnet.service(service)
  if (fresh) {
    if (!ctx.devnet.wipeState) {
      throw new DevnetError(`fresh: this devnet cannot wipe the state of "${service}"`, { code: 'DEVNET_RUNTIME_UNAVAILABLE', details: 'the devnet has no wipeState' })
    }
    await handle.stop()
    await ctx.devnet.wipeState(service)
  }
  await handle.restart()
}

export const crashFault: FaultDefinition<ServiceFaultParameters> = {
  summary: 'kill a service (SIGKILL / docker kill); ended by start or restart',
  lasts: 'window',
  endedBy: ['start', 'restart', 'challengerResume'],
  ...serviceArgs,
  act: (ctx, { service }) => ctx.devnet.service(service).kill('SIGKILL'),
  chaos: anyService,
}

export const stopFault: FaultDefinition<ServiceFaultParameters> = {
  summary: 'stop a service gracefully; ended by start or restart',
  lasts: 'window',
  endedBy: ['start', 'restart', 'challengerResume'],
  ...serviceArgs,
  act: (ctx, { service }) => ctx.devnet.service(service).stop(),
  chaos: anyService,
}

export const startFault: FaultDefinition<StartParameters> = {
  summary: 'start a crashed or stopped service again (same plan and ports); ends crash and stop',
  lasts: 'recovery',
  args: withFresh,
  targets: serviceArgs.targets,
  act: startAgain,
}

export const restartFault: FaultDefinition<StartParameters> = {
  summary: 'stop and start a service (same plan and ports); ends crash and stop',
  lasts: 'instant',
  args: withFresh,
  targets: serviceArgs.targets,
  act: startAgain,
  // A cold start only for replicas: a sequencer that loses its unbatched blocks reorgs the chain by design.
  chaos: {
    draw: (random, names) => {
      const service = pick(random, chaosServices(names))
      return { service, fresh: isReplica(names, service) && random() < 0.3 }
    },
  },
}

export const pauseFault: FaultDefinition<ServiceFaultParameters> = {
  summary: 'freeze a service (SIGSTOP / docker pause); ended by resume',
  lasts: 'window',
  endedBy: ['resume'],
  ...serviceArgs,
  act: (ctx, { service }) => ctx.devnet.service(service).pause(),
  chaos: anyService,
}

export const resumeFault: FaultDefinition<ServiceFaultParameters> = {
  summary: 'unfreeze a paused service; ends pause',
  lasts: 'recovery',
  ...serviceArgs,
  act: (ctx, { service }) => ctx.devnet.service(service).resume(),
}

export const crash = (ctx: FaultContext, args: ServiceFaultParameters) => runFault(ctx, 'crash', crashFault, args)
export const stop = (ctx: FaultContext, args: ServiceFaultParameters) => runFault(ctx, 'stop', stopFault, args)
export const start = (ctx: FaultContext, args: StartParameters) => runFault(ctx, 'start', startFault, args)
export const restart = (ctx: FaultContext, args: StartParameters) => runFault(ctx, 'restart', restartFault, args)
export const pause = (ctx: FaultContext, args: ServiceFaultParameters) => runFault(ctx, 'pause', pauseFault, args)
export const resume = (ctx: FaultContext, args: ServiceFaultParameters) => runFault(ctx, 'resume', resumeFault, args)
