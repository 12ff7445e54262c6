import { describe, expect, test } from 'vitest'
import type { DepositObservation, L1Deposit } from '../devnet/history.js'
import { hash, healthyHistory } from './__fixtures__/history.js'
import { depositsIncluded } from './depositsIncluded.js'

/**
 * A healthy 30 s run (L1 head = 5 + t/2000, so L1 block n is reached at t = (n - 5) * 2 s) with a
 * sequencing window of 4 L1 blocks, one deposit in L1 block 8 (fork `fork`), and l1Canonical = fork 0.
 */
function withDeposit(fork = 0) {
  const history = healthyHistory({ untilMs: 30_000 })
  for (let n = 0; n < 30; n++) history.l1Canonical[n] = hash(n)
  const deposit: L1Deposit = { t: 6000, l1: { number: 8, hash: hash(8, fork) }, logIndex: 0, l2Hash: hash(100, 7) }
  history.deposits = { seqWindowSize: 4, l1: [deposit], onL2: [] }
  const observe = (t: number, node: string, block: number | null): DepositObservation => {
    const o = { t, node, l2Hash: deposit.l2Hash, block: block === null ? null : { number: block, hash: hash(block) } }
    history.deposits!.onL2.push(o)
    return o
  }
  return { history, deposit, observe }
}

describe('depositsIncluded', () => {
  test('default: a deposit on L2 soon after its L1 block passes; a history without deposits passes', () => {
    const { history, observe } = withDeposit()
    observe(7000, 'sequencer', 17)
    observe(9000, 'replica-0', 17)
    expect(depositsIncluded.check(history)).toEqual([])
    expect(depositsIncluded.check(healthyHistory())).toEqual([])
  })

  test('behavior: a canonical deposit on no L2 by the end of its sequencing window (+ grace) is reported', () => {
    const { history, deposit, observe } = withDeposit()
    observe(7000, 'sequencer', null)
    // L1 reaches block 8 + 4 = 12 at t = 14 s; the deadline is 14 s + graceMs (5 s by default).
    const violations = depositsIncluded.check(history)
    expect(violations).toHaveLength(1)
    expect(violations[0]).toMatchObject({ invariant: 'depositsIncluded', t: 19_000 })
    expect(violations[0].message).toBe(
      `deposit ${deposit.l2Hash} (L1 block 8, log 0) is on no node's L2 5000 ms after L1 reached block 12, the end of its sequencing window`,
    )
    // Seen on L2 only after the deadline: still late.
    observe(25_000, 'sequencer', 30)
    expect(depositsIncluded.check(history).map((v) => v.t)).toEqual([19_000])
  })

  test('behavior: a deadline inside a fault window moves to its end; a deadline past the history is not due', () => {
    const { history, observe } = withDeposit()
    history.events.push({ t: 10_000, kind: 'fault-start', name: 'partition', targets: ['replica-0'] }, { t: 22_000, kind: 'fault-end', name: 'partition', targets: ['replica-0'] })
    observe(24_000, 'replica-0', 30)
    expect(depositsIncluded.check(history)).toEqual([])
    history.deposits!.onL2.pop()
    expect(depositsIncluded.check(history).map((v) => v.t)).toEqual([27_000])
    history.events[1].t = 29_000 // the deadline (34 s) is now past the end of the history (30 s)
    expect(depositsIncluded.check(history)).toEqual([])
  })

  test('behavior: a deposit an L1 reorg removed that stays on a node is reported; once it left L2 it passes', () => {
    const { history, deposit, observe } = withDeposit(1)
    history.events.push({ t: 8000, kind: 'fault-start', name: 'l1Reorg', targets: ['l1'], lasts: 'instant' }, { t: 8100, kind: 'fault-end', name: 'l1Reorg', targets: ['l1'] })
    observe(7000, 'sequencer', 17)
    const stays = observe(7500, 'replica-0', 17)
    observe(9000, 'sequencer', null)
    const violations = depositsIncluded.check(history)
    expect(violations).toEqual([
      {
        invariant: 'depositsIncluded',
        t: 7500,
        node: 'replica-0',
        message: `replica-0: deposit ${deposit.l2Hash} stays on L2 in block 17 although an L1 reorg removed it (L1 block 8 was ${hash(8, 1)}, is now ${hash(8)})`,
        evidence: [deposit, stays],
      },
    ])
    observe(12_000, 'replica-0', null)
    expect(depositsIncluded.check(history)).toEqual([])
  })

  test('behavior: before L1 settled (no canonical hash, or the run ends within settleMs of a fault) nothing is concluded', () => {
    const { history, observe } = withDeposit(1)
    observe(7000, 'replica-0', 17)
    history.events.push({ t: 27_000, kind: 'fault-start', name: 'l1Reorg', targets: ['l1'] }, { t: 27_100, kind: 'fault-end', name: 'l1Reorg', targets: ['l1'] })
    expect(depositsIncluded.check(history)).toEqual([])
    history.events.length = 0
    history.l1Canonical = {}
    expect(depositsIncluded.check(history)).toEqual([])
  })
})
