import type { History, Violation } from '../devnet/history.js'

/** Tunables shared by the invariants; every one has a default in {@link invariantDefaults}. */
export interface InvariantOptions {
  /** `unsafeLiveness`: the max unsafe head must rise at least once per window this long. */
  unsafeStallMs: number
  /** `safeLiveness`: each node's safe head must rise at least once per window this long. */
  safeStallMs: number
  /** `safeMovesBackOnlyOnL1Reorg`: how long after an L1 reorg a safe head may move back. */
  reorgWindowMs: number
  /** `safeOriginCanonical`: how long after the last fault L1 and the nodes take to settle. */
  settleMs: number
  /**
   * How long an instant fault (`lasts: 'instant'`: `l1Reorg`, `restart`, `failover`) with no `fault-end`
   * counts as active, and how long after any fault window closes the liveness invariants wait before
   * checking again.
   */
  graceMs: number
  /** `leaderLiveness`: with a conductor quorum and a healthy sequencer, the bound on a leaderless or stalled stretch. */
  leaderElectionMs: number
  /**
   * `proposalsValid`: a wrong output root must be countered within this long after it is first seen, not
   * counting faults that stop the challenger, L1 or the sequencer's rollup node (plus this long after each).
   */
  counterMs: number
}

/**
 * A property of the whole run, checked as a pure function of its {@link History}. It may run on a
 * partial history (continuous checking) or on the final one.
 */
export interface Invariant {
  /** Stable id, e.g. `finalizedNeverReorgs`; scenarios name it in `invariants.except`. */
  id: string
  /** One sentence, for reports. */
  description: string
  /** Every violation found, in time order; `[]` when the invariant holds. */
  check(history: History, options?: Partial<InvariantOptions>): Violation[]
}
