import { describe, expect, test } from 'vitest'
import { healthyHistory, hostPaused } from './__fixtures__/history.js'
import { unsafeLiveness } from './unsafeLiveness.js'

/** A healthy run whose unsafe heads freeze from t=5000 to t=12000. */
function stalled() {
  const history = healthyHistory({ untilMs: 15_000 })
  for (const s of history.samples) {
    if (s.t > 5000 && s.t <= 12_000) s.unsafe = structuredClone(history.samples.find((x) => x.t === 5000 && x.node === s.node)!.unsafe)
  }
  return history
}

describe('unsafeLiveness', () => {
  test('default: a healthy run passes', () => {
    expect(unsafeLiveness.check(healthyHistory())).toEqual([])
  })

  test('behavior: a stall longer than unsafeStallMs is reported once, quoting the samples at both ends', () => {
    const history = stalled()
    const at = (node: string, t: number) => history.samples.find((s) => s.t === t && s.node === node)!
    expect(unsafeLiveness.check(history)).toEqual([
      {
        invariant: 'unsafeLiveness',
        t: 11_000,
        message: 'unsafe head stalled at 15 from t=5000ms to t=11000ms (more than 5000ms) with a sequencer active',
        // The latest sample of each node when the head last rose and when the stall passed the limit.
        evidence: [at('sequencer', 5000), at('replica-0', 4000), at('sequencer', 11_000), at('replica-0', 10_000)],
      },
    ])
  })

  test('behavior: no check while a fault acts on the sequencer or L1 (plus graceMs), nor with no sequencer active', () => {
    const crash = stalled()
    crash.events.push(
      { t: 4000, kind: 'fault-start', name: 'crash', targets: ['sequencer'] },
      { t: 9000, kind: 'fault-end', name: 'crash', targets: ['sequencer'] },
    )
    expect(unsafeLiveness.check(crash)).toEqual([])

    const replicaOnly = stalled()
    replicaOnly.events.push({ t: 4000, kind: 'fault-start', name: 'pause', targets: ['replica-0'] })
    expect(unsafeLiveness.check(replicaOnly)).toHaveLength(1)

    const stopped = stalled()
    for (const s of stopped.samples) s.sequencerActive = false
    expect(unsafeLiveness.check(stopped)).toEqual([])
  })

  test('behavior: no check during a host stall (history.stalls: nothing ran, no samples) nor graceMs after it', () => {
    // The whole machine stopped from t=5000 to t=14000 (a paused VM): the recorder took no samples, and
    // the first after it still shows the head of t=5000 (the sequencer has yet to catch up with the clock).
    const paused = () => hostPaused(stalled(), 5000, 14_000)
    expect(unsafeLiveness.check(paused())).toHaveLength(1)
    const host = paused()
    host.stalls = [{ from: 5000, to: 14_000, wallMs: 9000 }]
    expect(unsafeLiveness.check(host)).toEqual([])
    // A stall after the head stalled covers nothing of it.
    const later = stalled()
    later.stalls = [{ from: 13_000, to: 13_500, wallMs: 500 }]
    expect(unsafeLiveness.check(later)).toHaveLength(1)
  })
})
