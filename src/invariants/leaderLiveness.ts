import type { ConductorSample } from '../devnet/history.js'
import { conductorService } from '../plan/conductor.js'
import { activeAt, affects, faultWindows, HOST_STALL } from './faultWindows.js'
import { withDefaults } from './options.js'
import { findStalls, type Point } from './stall.js'
import type { Invariant } from './types.js'

/**
 * While a quorum of conductors takes part in the consensus (they answer, and no `etcdPartition` cuts
 * them off) and one of them reports a healthy sequencer: some conductor reports leading, and the highest
 * unsafe head rises, each at least once every `leaderElectionMs`; not judged during a host stall nor
 * `graceMs` after it. Histories without conductor samples pass.
 */
export const leaderLiveness: Invariant = {
  id: 'leaderLiveness',
  description: 'with a conductor quorum and a healthy sequencer, a leader is elected and the unsafe head advances',
  check(history, options) {
    const { leaderElectionMs, graceMs } = withDefaults(options)
    const samples = history.conductors ?? []
    if (!samples.length) return []
    const all = new Set(samples.map((s) => s.node))
    const quorum = Math.floor(all.size / 2) + 1
    const every = faultWindows(history, graceMs)
    const windows = every.filter((w) => w.name === 'etcdPartition')
    const stalls = every.filter((w) => w.name === HOST_STALL)
    const rounds = new Map<number, ConductorSample[]>()
    for (const s of samples) rounds.set(s.t, [...(rounds.get(s.t) ?? []), s])
    const nodeSamples = history.samples.toSorted((a, b) => a.t - b.t)
    let unsafe = -1
    let next = 0
    let leaders = 0
    const leaderPoints: Point<ConductorSample[]>[] = []
    const unsafePoints: Point<ConductorSample[]>[] = []
    for (const [t, round] of [...rounds].sort((a, b) => a[0] - b[0])) {
      while (next < nodeSamples.length && nodeSamples[next]!.t <= t) unsafe = Math.max(unsafe, nodeSamples[next++]!.unsafe.number)
      const cut = activeAt(windows, t)
      const voting = round.filter((s) => !cut.some((w) => affects(w, conductorService(s.node))))
      const checked = voting.length >= quorum && voting.some((s) => s.healthy) && !activeAt(stalls, t, graceMs).length
      if (round.some((s) => s.leader)) leaders++
      leaderPoints.push({ t, value: leaders, checked, sample: round })
      unsafePoints.push({ t, value: unsafe, checked, sample: round })
    }
    const report = (what: string) => ({ from, to }: { from: Point<ConductorSample[]>; to: Point<ConductorSample[]> }) => ({
      invariant: this.id,
      t: to.t,
      message: `${what} from t=${from.t}ms to t=${to.t}ms (more than ${leaderElectionMs}ms) while a quorum of conductors and a healthy sequencer existed`,
      evidence: [...from.sample, ...to.sample],
    })
    return [
      ...findStalls(leaderPoints, leaderElectionMs).map(report('no conductor reported leading')),
      ...findStalls(unsafePoints, leaderElectionMs).map(report(`the unsafe head did not advance`)),
    ].sort((a, b) => a.t - b.t)
  },
}
