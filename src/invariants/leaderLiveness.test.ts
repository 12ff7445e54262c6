import { describe, expect, test } from 'vitest'
import type { ConductorSample, History } from '../devnet/history.js'
import { healthyHistory, hostPaused } from './__fixtures__/history.js'
import { leaderLiveness } from './leaderLiveness.js'

const NODES = ['seq-0', 'seq-1', 'seq-2']

/** A healthy HA run: every second each conductor answers, seq-0's leads, all healthy. */
function cluster(edit: (s: ConductorSample) => ConductorSample | undefined = (s) => s): History {
  const h = healthyHistory({ nodes: [...NODES, 'replica-0'] })
  h.conductors = []
  for (let t = 0; t <= 20_000; t += 1000) {
    for (const node of NODES) {
      const s = edit({ t, node, leader: node === 'seq-0', active: true, healthy: true, overridden: false })
      if (s) h.conductors.push(s)
    }
  }
  return h
}

describe('leaderLiveness', () => {
  test('default: a history without conductors passes, and so does a healthy cluster', () => {
    expect(leaderLiveness.check(healthyHistory())).toEqual([])
    expect(leaderLiveness.check(cluster())).toEqual([])
  })

  test('behavior: no leader for longer than leaderElectionMs with a quorum and a healthy sequencer fires', () => {
    const h = cluster((s) => ({ ...s, leader: s.leader && (s.t < 5000 || s.t > 12_000) }))
    const v = leaderLiveness.check(h)
    expect(v).toHaveLength(1)
    expect(v[0]).toMatchObject({ invariant: 'leaderLiveness', t: 10_000 })
    expect(v[0]!.message).toBe('no conductor reported leading from t=4000ms to t=10000ms (more than 5000ms) while a quorum of conductors and a healthy sequencer existed')
  })

  test('behavior: a unsafe head that stops while a leader exists fires', () => {
    const h = cluster()
    for (const s of h.samples) if (s.t > 6000) s.unsafe = { ...s.unsafe, number: 16 }
    const v = leaderLiveness.check(h)
    expect(v.map((x) => x.message)).toEqual([
      'the unsafe head did not advance from t=6000ms to t=12000ms (more than 5000ms) while a quorum of conductors and a healthy sequencer existed',
    ])
  })

  test('behavior: no check without a quorum (two conductors gone, or cut off by etcdPartition)', () => {
    const gone = cluster((s) => (s.node === 'seq-0' || (s.node === 'seq-1' && s.t > 3000) ? undefined : { ...s, leader: false }))
    gone.conductors!.push({ t: 0, node: 'seq-0', leader: true, active: true, healthy: true, overridden: false })
    expect(leaderLiveness.check(gone)).toEqual([])
    const cut = cluster((s) => ({ ...s, leader: s.leader && s.t < 3000 }))
    cut.events.push(
      { t: 2500, kind: 'fault-start', name: 'etcdPartition', targets: ['seq-0-conductor'] },
      { t: 2600, kind: 'fault-start', name: 'etcdPartition', targets: ['seq-1-conductor'] },
    )
    expect(leaderLiveness.check(cut)).toEqual([])
  })

  test('behavior: no check during a host stall (nothing ran: no samples) nor graceMs after it; one after the gap leaves it judged', () => {
    // The machine stops from t=5000 to t=14000: no samples; the unsafe head catches up after.
    const paused = () => hostPaused(cluster(), 5000, 14_000)
    expect(leaderLiveness.check(paused()).map((v) => v.invariant)).toEqual(['leaderLiveness'])
    const stalled = paused()
    stalled.stalls = [{ from: 5000, to: 14_000, wallMs: 9000 }]
    expect(leaderLiveness.check(stalled)).toEqual([])
    const later = paused()
    later.stalls = [{ from: 15_000, to: 15_500, wallMs: 500 }]
    expect(leaderLiveness.check(later)).toHaveLength(1)
  })
})
