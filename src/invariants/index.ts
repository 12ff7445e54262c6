/** The invariants scenarios are checked against: one per file, each a pure function of the history. */
import type { History, Violation } from '../devnet/history.js'
import { depositsIncluded } from './depositsIncluded.js'
import { finalizedNeverReorgs } from './finalizedNeverReorgs.js'
import { headOrdering } from './headOrdering.js'
import { leaderLiveness } from './leaderLiveness.js'
import { nodesAgree } from './nodesAgree.js'
import { outputRootsAgree } from './outputRootsAgree.js'
import { proposalsValid } from './proposalsValid.js'
import { safeLiveness } from './safeLiveness.js'
import { safeMovesBackOnlyOnL1Reorg } from './safeMovesBackOnlyOnL1Reorg.js'
import { safeOriginCanonical } from './safeOriginCanonical.js'
import { singleSequencer } from './singleSequencer.js'
import { rpcAvailable } from './rpcAvailable.js'
import { transactionsLand } from './transactionsLand.js'
import type { Invariant, InvariantOptions } from './types.js'
import { unsafeLiveness } from './unsafeLiveness.js'

export { invariantDefaults } from './options.js'
export { faultWindows, type FaultWindow } from './faultWindows.js'
export type { Invariant, InvariantOptions } from './types.js'
export {
  depositsIncluded,
  finalizedNeverReorgs,
  headOrdering,
  nodesAgree,
  outputRootsAgree,
  proposalsValid,
  rpcAvailable,
  safeLiveness,
  safeMovesBackOnlyOnL1Reorg,
  safeOriginCanonical,
  transactionsLand,
  unsafeLiveness,
  singleSequencer,
  leaderLiveness,
}

/** Every invariant, in report order. */
export const allInvariants: readonly Invariant[] = [
  finalizedNeverReorgs,
  headOrdering,
  safeMovesBackOnlyOnL1Reorg,
  safeOriginCanonical,
  nodesAgree,
  outputRootsAgree,
  proposalsValid,
  depositsIncluded,
  unsafeLiveness,
  safeLiveness,
  singleSequencer,
  leaderLiveness,
  rpcAvailable,
  transactionsLand,
]

/** The ids of {@link allInvariants}. */
export const invariantIds: readonly string[] = allInvariants.map((i) => i.id)

/**
 * Runs every invariant not in `except` on the history.
 * @returns The ids checked and all violations, in time order.
 * @example
 * const { violations } = checkInvariants(history, { except: ['unsafeLiveness'], unsafeStallMs: 8000 })
 */
export function checkInvariants(
  history: History,
  options: Partial<InvariantOptions> & { except?: readonly string[] } = {},
): { checked: string[]; violations: Violation[] } {
  const { except = [], ...rest } = options
  const checked = allInvariants.filter((i) => !except.includes(i.id))
  const violations = checked.flatMap((i) => i.check(history, rest)).sort((a, b) => a.t - b.t)
  return { checked: checked.map((i) => i.id), violations }
}
