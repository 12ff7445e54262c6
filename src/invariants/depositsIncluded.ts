import type { DepositObservation, History, L1Deposit, Violation } from '../devnet/history.js'
import { activeAt, faultWindows } from './faultWindows.js'
import { withDefaults } from './options.js'
import type { Invariant } from './types.js'

/**
 * Deposits follow L1 (checked against `history.l1Canonical`, filled once L1 settled):
 * - a deposit whose L1 block is canonical is on some node's L2 by the time L1 reached the end of its
 *   sequencing window (its block + `seqWindowSize`) plus `graceMs`; a deadline that falls in a fault
 *   window moves to the window's end plus `graceMs`. Not checked before the history reaches the deadline.
 * - a deposit whose L1 block an L1 reorg replaced is on no node's L2 at the end of the run (each node's
 *   last observation), once the run lasted `settleMs` past the last fault.
 */
export const depositsIncluded: Invariant = {
  id: 'depositsIncluded',
  description: 'every canonical L1 deposit appears on L2 within the sequencing window; a reorged-out one leaves L2',
  check(history, options) {
    const deposits = history.deposits
    if (!deposits) return []
    const { graceMs, settleMs } = withDefaults(options)
    const windows = faultWindows(history, graceMs)
    const end = Math.max(0, ...history.samples.map((s) => s.t), ...history.l1.map((s) => s.t))
    const out: Violation[] = []
    for (const deposit of deposits.l1) {
      const canonical = history.l1Canonical[deposit.l1.number]
      if (canonical === undefined) continue
      const seen = deposits.onL2.filter((o) => o.l2Hash === deposit.l2Hash)
      if (canonical === deposit.l1.hash) {
        const missing = notIncludedInTime(history, deposit, seen, deposits.seqWindowSize, graceMs, windows, end)
        if (missing) out.push(missing)
        continue
      }
      if (end < Math.max(0, ...windows.map((w) => w.end)) + settleMs) continue
      for (const node of history.nodes) {
        const last = seen.filter((o) => o.node === node).at(-1)
        if (!last?.block) continue
        out.push({
          invariant: 'depositsIncluded',
          t: last.t,
          node,
          message: `${node}: deposit ${deposit.l2Hash} stays on L2 in block ${last.block.number} although an L1 reorg removed it (L1 block ${deposit.l1.number} was ${deposit.l1.hash}, is now ${canonical})`,
          evidence: [deposit, last],
        })
      }
    }
    return out.sort((a, b) => a.t - b.t)
  },
}

/** The violation of a canonical deposit no node had by its deadline, if it is due and missed. */
function notIncludedInTime(
  history: History,
  deposit: L1Deposit,
  seen: DepositObservation[],
  seqWindowSize: number,
  graceMs: number,
  windows: ReturnType<typeof faultWindows>,
  end: number,
): Violation | undefined {
  const windowEnd = deposit.l1.number + seqWindowSize
  const reached = history.l1.find((s) => s.head.number >= windowEnd)
  if (!reached) return undefined
  let deadline = reached.t + graceMs
  for (let active = activeAt(windows, deadline); active.length; active = activeAt(windows, deadline)) {
    deadline = Math.max(...active.map((w) => w.end)) + graceMs
  }
  if (deadline > end) return undefined
  if (seen.some((o) => o.block && o.t <= deadline)) return undefined
  return {
    invariant: 'depositsIncluded',
    t: deadline,
    message: `deposit ${deposit.l2Hash} (L1 block ${deposit.l1.number}, log ${deposit.logIndex}) is on no node's L2 ${graceMs} ms after L1 reached block ${windowEnd}, the end of its sequencing window`,
    evidence: [deposit, reached, ...seen.slice(-2)],
  }
}
