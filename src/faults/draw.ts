/** Helpers for the faults' `chaos.draw`: seeded picks among a topology's names. */
import type { Names } from './checks.js'

/** One of `items`, uniformly. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]
}

/** An integer in `[lo, hi]`, uniformly. */
export function between(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1))
}

/**
 * Services a chaos run may stop, freeze or slow down: the rollup nodes and the batcher. L1 is left to
 * the L1 faults (a killed L1 anvil loses the chain every other service builds on).
 */
export function chaosServices(names: Names): string[] {
  return [...names.nodes, 'batcher']
}

/** Whether `service` is a replica (a rollup node that never sequences): the only kind a cold start may wipe. */
export function isReplica(names: Names, service: string): boolean {
  return names.topology.l2.nodes.some((n) => n.name === service && n.role === 'replica' && !n.standby)
}

/** Why a topology cannot host a fault on the settlement contracts (no proposer, no challenger), or `undefined`. */
export function needsSettlement(names: Names): string | undefined {
  return names.services.includes('proposer') ? undefined : 'needs the settlement contracts (a proposer and a challenger)'
}

/** The node that sequences when the devnet starts. */
export function firstSequencer(names: Names): string {
  return names.topology.l2.nodes.find((n) => n.role === 'sequencer')!.name
}
