import { describe, expect, test } from 'vitest'
import { healthyHistory } from './__fixtures__/history.js'
import { safeLiveness } from './safeLiveness.js'

/** A healthy run whose replica's safe head freezes from t=2000 on. */
function stalled() {
  const history = healthyHistory({ untilMs: 25_000 })
  const frozen = history.samples.find((s) => s.t === 2000 && s.node === 'replica-0')!.safe
  for (const s of history.samples) if (s.node === 'replica-0' && s.t > 2000) s.safe = structuredClone(frozen)
  return history
}

describe('safeLiveness', () => {
  test('default: a healthy run passes', () => {
    expect(safeLiveness.check(healthyHistory({ untilMs: 60_000 }))).toEqual([])
  })

  test('behavior: a node whose safe head stalls longer than safeStallMs is reported', () => {
    const history = stalled()
    const at = (t: number) => history.samples.find((s) => s.t === t && s.node === 'replica-0')!
    expect(safeLiveness.check(history)).toEqual([
      {
        invariant: 'safeLiveness',
        t: 18_000,
        node: 'replica-0',
        message: 'replica-0: safe head stalled at 8 from t=2000ms to t=18000ms (more than 15000ms)',
        evidence: [at(2000), at(18_000)],
      },
    ])
  })

  test('behavior: no check while the batcher is out, nor for a node a fault acts on', () => {
    const outage = stalled()
    outage.events.push({ t: 1000, kind: 'fault-start', name: 'batcherOutage', targets: ['batcher'] })
    expect(safeLiveness.check(outage)).toEqual([])

    const partitioned = stalled()
    partitioned.events.push({ t: 1000, kind: 'fault-start', name: 'pause', targets: ['replica-0'] })
    expect(safeLiveness.check(partitioned)).toEqual([])

    const healed = stalled()
    healed.events.push(
      { t: 1000, kind: 'fault-start', name: 'pause', targets: ['replica-0'] },
      { t: 3000, kind: 'fault-end', name: 'pause', targets: ['replica-0'] },
    )
    // Checking resumes graceMs (5000) after the fault ends: stalled from 8000 on, reported past 23000.
    expect(safeLiveness.check(healed).map((v) => v.t)).toEqual([24_000])
  })
})

describe('safeLiveness without answers', () => {
  test('behavior: a node that stops answering outside any fault window is flagged; inside one it is not', () => {
    const history = healthyHistory({ untilMs: 25_000 })
    history.samples = history.samples.filter((s) => s.node !== 'replica-0' || s.t <= 2000)
    const violations = safeLiveness.check(history)
    expect(violations.map((v) => v.message)).toEqual(['replica-0: safe head stalled at 8 from t=2000ms to t=18000ms (more than 15000ms), not answering'])
    expect(violations[0].evidence[1]).toEqual({ t: 18_000, node: 'replica-0', answered: false })

    history.events.push({ t: 1500, kind: 'fault-start', name: 'crash', targets: ['replica-0'], lasts: 'window' })
    expect(safeLiveness.check(history)).toEqual([])
  })
})
