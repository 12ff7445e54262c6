/**
 * The fault registry: every fault by name with its declaration (how long it lasts, which recoveries
 * close it, its targets and argument schema; see `definition.ts`). Scenario steps and `devnet fault`
 * both read arguments and run faults through it.
 */
import { batcherOutageFault, batcherResumeFault } from './batcherOutage.js'
import { challengerOutageFault, challengerResumeFault } from './challengerOutage.js'
import type { FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'
import { conductorPauseFault, conductorResumeFault, etcdHealFault, etcdPartitionFault, overrideLeaderFault, transferLeaderFault } from './conductor.js'
import { failoverFault } from './failover.js'
import { healFault } from './heal.js'
import { l1HaltFault, l1ResumeFault } from './l1Halt.js'
import { l1ReorgFault } from './l1Reorg.js'
import { bandwidthFault, clearLinkFaultsFault, latencyFault, lossFault } from './linkFault.js'
import { invalidProposalFault, proposeFault } from './invalidProposal.js'
import { partitionFault } from './partition.js'
import { crashFault, pauseFault, restartFault, resumeFault, startFault, stopFault } from './service.js'
import { staleBackendFault, staleBackendResumeFault } from './staleBackend.js'

/** Every fault, in the order help texts and error messages list them. */
export const FAULTS = {
  l1Reorg: l1ReorgFault,
  l1Halt: l1HaltFault,
  l1Resume: l1ResumeFault,
  crash: crashFault,
  stop: stopFault,
  start: startFault,
  restart: restartFault,
  pause: pauseFault,
  resume: resumeFault,
  partition: partitionFault,
  heal: healFault,
  batcherOutage: batcherOutageFault,
  batcherResume: batcherResumeFault,
  failover: failoverFault,
  staleBackend: staleBackendFault,
  staleBackendResume: staleBackendResumeFault,
  latency: latencyFault,
  loss: lossFault,
  bandwidth: bandwidthFault,
  clearLinkFaults: clearLinkFaultsFault,
  transferLeader: transferLeaderFault,
  conductorPause: conductorPauseFault,
  conductorResume: conductorResumeFault,
  etcdPartition: etcdPartitionFault,
  etcdHeal: etcdHealFault,
  overrideLeader: overrideLeaderFault,
  invalidProposal: invalidProposalFault,
  propose: proposeFault,
  challengerOutage: challengerOutageFault,
  challengerResume: challengerResumeFault,
} as const

export type FaultName = keyof typeof FAULTS

/** Arguments of each fault. */
export type FaultArgs = { [K in FaultName]: (typeof FAULTS)[K] extends FaultDefinition<infer A, any> ? A : never }

/** One fault with its arguments, as a scenario step or `devnet fault` gives it. */
export type FaultCall = { [K in FaultName]: { name: K; args: FaultArgs[K] } }[FaultName]

export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[]

/** The definition of a fault, loosely typed (arguments as a record). */
export function faultDefinition(name: FaultName): FaultDefinition<any, unknown> {
  return FAULTS[name] as FaultDefinition<any, unknown>
}

/**
 * The services a fault acts on: its `targets` in history events. `[]` (heal) means every service.
 * @example
 * faultTargets({ name: 'partition', args: { groups: [['replica-0'], ['sequencer']], links: 'p2p' } }) // ['replica-0', 'sequencer']
 */
export function faultTargets(call: FaultCall): string[] {
  return faultDefinition(call.name).targets(call.args)
}

/** Runs one fault call and records it (see `runFault`). */
export async function applyFault(ctx: FaultContext, call: FaultCall): Promise<unknown> {
  return runFault(ctx, call.name, faultDefinition(call.name), call.args)
}
