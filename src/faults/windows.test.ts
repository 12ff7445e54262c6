/**
 * The contract between faults and invariants: each fault's declaration, recorded by `runFault`, opens a
 * window that its recovery closes, so a node frozen after the recovery (plus the grace period) is
 * flagged, while the same freeze inside the window is not. Actions are left out (no devnet): what is
 * under test is what the registry declares and what gets recorded.
 */
import { describe, expect, test } from 'vitest'
import type { History, HistoryEvent } from '../devnet/history.js'
import { finalizedNeverReorgs, safeLiveness, safeMovesBackOnlyOnL1Reorg, unsafeLiveness } from '../invariants/index.js'
import { healthyHistory, sample } from '../invariants/__fixtures__/history.js'
import { newFaultState, type FaultContext } from './context.js'
import { runFault } from './definition.js'
import { FAULT_NAMES, faultDefinition, type FaultCall } from './registry.js'

const options = { safeStallMs: 3000, unsafeStallMs: 3000, graceMs: 2000 }
const nodes = ['sequencer', 'replica-0', 'replica-1']

/** Runs `calls` at the given times without their actions; returns the recorded events. */
async function record(calls: Array<[number, FaultCall]>): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = []
  let now = 0
  const ctx = { devnet: undefined as never, state: newFaultState(), record: (e: Omit<HistoryEvent, 't'>) => events.push({ t: now, ...e }) } satisfies FaultContext
  for (const [t, call] of calls) {
    now = t
    await runFault(ctx, call.name, { ...faultDefinition(call.name), act: async () => ({ via: 'test', head: 0, orphaned: [], latest: 0 }) }, call.args)
  }
  return events
}

/** A healthy run of the three nodes in which `node`'s heads (`safe`, or every node's `unsafe`) freeze from `from` to `to`. */
function frozen(node: string | 'all', head: 'safe' | 'unsafe', from: number, to: number): History {
  const history = healthyHistory({ nodes, untilMs: 40_000 })
  for (const s of history.samples) {
    if ((node === 'all' || s.node === node) && s.t > from && s.t <= to) {
      s[head] = structuredClone(history.samples.find((x) => x.t === from && x.node === s.node)![head])
    }
  }
  return history
}

const service = (name: 'crash' | 'stop' | 'pause' | 'start' | 'resume', target: string): FaultCall => ({ name, args: { service: target } }) as FaultCall
const pairs: Array<[string, FaultCall, FaultCall]> = [
  ['crash → start', service('crash', 'replica-1'), service('start', 'replica-1')],
  ['crash → restart', service('crash', 'replica-1'), { name: 'restart', args: { service: 'replica-1' } }],
  ['stop → start', service('stop', 'replica-1'), service('start', 'replica-1')],
  ['pause → resume', service('pause', 'replica-1'), service('resume', 'replica-1')],
  ['partition → heal', { name: 'partition', args: { groups: [['replica-1'], ['sequencer', 'replica-0', 'l1', 'batcher']], links: 'all' } }, { name: 'heal', args: {} }],
  ['latency → clearLinkFaults', { name: 'latency', args: { service: 'replica-1', ms: 500, jitter: 0 } }, { name: 'clearLinkFaults', args: { service: 'replica-1' } }],
  ['loss → heal', { name: 'loss', args: { service: 'replica-1', percent: 50 } }, { name: 'heal', args: {} }],
  ['bandwidth → clearLinkFaults', { name: 'bandwidth', args: { service: 'replica-1', kbps: 64 } }, { name: 'clearLinkFaults', args: { service: 'replica-1' } }],
  ['batcherOutage → batcherResume', { name: 'batcherOutage', args: {} }, { name: 'batcherResume', args: {} }],
  ['batcherOutage → heal', { name: 'batcherOutage', args: {} }, { name: 'heal', args: {} }],
  ['l1Halt → l1Resume', { name: 'l1Halt', args: {} }, { name: 'l1Resume', args: {} }],
  ['staleBackend → staleBackendResume', { name: 'staleBackend', args: { node: 'replica-1' } }, { name: 'staleBackendResume', args: { node: 'replica-1' } }],
  ['staleBackend → heal', { name: 'staleBackend', args: { node: 'replica-1' } }, { name: 'heal', args: {} }],
]

describe('fault windows close at their recovery', () => {
  test.each(pairs)('behavior: %s — a node frozen after the recovery is flagged by safeLiveness', async (_, fault, recovery) => {
    const events = await record([[4000, fault], [12_000, recovery]])
    expect(events.filter((e) => e.kind === 'fault-end' && e.by).map((e) => [e.name, e.by])).toEqual([[fault.name, recovery.name]])
    const after = frozen('replica-1', 'safe', 20_000, 40_000)
    after.events = events
    const violations = safeLiveness.check(after, options)
    expect(violations).toHaveLength(1)
    expect(violations[0].node).toBe('replica-1')
    expect(violations[0].message).toBe('replica-1: safe head stalled at 26 from t=20000ms to t=24000ms (more than 3000ms)')

    const inside = frozen('replica-1', 'safe', 5000, 12_000)
    inside.events = events
    expect(safeLiveness.check(inside, options)).toEqual([])
  })

  test.each([
    ['crash → start', service('crash', 'sequencer'), service('start', 'sequencer')],
    ['l1Halt → l1Resume', { name: 'l1Halt', args: {} }, { name: 'l1Resume', args: {} }],
  ] as Array<[string, FaultCall, FaultCall]>)('behavior: %s — unsafe heads frozen after the recovery are flagged by unsafeLiveness', async (_, fault, recovery) => {
    const events = await record([[4000, fault], [12_000, recovery]])
    const after = frozen('all', 'unsafe', 20_000, 40_000)
    after.events = events
    expect(unsafeLiveness.check(after, options).map((v) => v.message)).toEqual([
      'unsafe head stalled at 30 from t=20000ms to t=24000ms (more than 3000ms) with a sequencer active',
    ])
    const inside = frozen('all', 'unsafe', 5000, 12_000)
    inside.events = events
    expect(unsafeLiveness.check(inside, options)).toEqual([])
  })

  test('behavior: a recovery closes only the windows it ends, by fault and target', async () => {
    const events = await record([
      [1000, service('crash', 'replica-0')],
      [2000, service('crash', 'replica-1')],
      [3000, service('pause', 'sequencer')],
      [4000, service('start', 'replica-1')],
      [5000, service('start', 'sequencer')],
      [6000, { name: 'heal', args: {} }],
    ])
    expect(events.filter((e) => e.kind === 'fault-end').map((e) => [e.t, e.name, e.targets])).toEqual([[4000, 'crash', ['replica-1']]])
  })

  test.each([
    ['stop → start fresh', [[4000, service('stop', 'replica-1')], [12_000, { name: 'start', args: { service: 'replica-1', fresh: true } }]]],
    ['crash → restart fresh', [[4000, service('crash', 'replica-1')], [12_000, { name: 'restart', args: { service: 'replica-1', fresh: true } }]]],
    ['restart fresh', [[12_000, { name: 'restart', args: { service: 'replica-1', fresh: true } }]]],
  ] as Array<[string, Array<[number, FaultCall]>]>)('behavior: %s — a cold start: heads back at genesis, on a node that answered every round, are no violation', async (_, calls) => {
    /** replica-1 answers every round (a docker container starts between two) and is at genesis at 12 s. */
    const history = healthyHistory({ nodes, untilMs: 20_000 })
    history.samples = history.samples.map((s) => (s.node === 'replica-1' && s.t === 12_000 ? sample(12_000, 'replica-1', { unsafe: 0, safe: 0, finalized: 0 }) : s))
    const cold = { ...history, events: await record(calls) }
    expect(cold.events.some((e) => e.targets?.includes('replica-1') && e.details?.fresh === true)).toBe(true)
    expect([...safeMovesBackOnlyOnL1Reorg.check(cold, options), ...finalizedNeverReorgs.check(cold, options)]).toEqual([])
    // The same recovery without `fresh` is no excuse: the node kept its state.
    const warm = { ...history, events: await record(calls.map(([t, c]): [number, FaultCall] => [t, { ...c, args: { ...c.args, fresh: false } } as FaultCall])) }
    expect([...safeMovesBackOnlyOnL1Reorg.check(warm, options), ...finalizedNeverReorgs.check(warm, options)].map((v) => v.invariant)).toEqual([
      'safeMovesBackOnlyOnL1Reorg',
      'finalizedNeverReorgs',
    ])
  })

  test('behavior: an instant fault records its start (lasts: instant) and its end around its action', async () => {
    const events = await record([[1000, { name: 'l1Reorg', args: { depth: 2, reinclude: false, allowFinalized: false } }]])
    expect(events.map((e) => [e.kind, e.name, e.lasts])).toEqual([
      ['fault-start', 'l1Reorg', 'instant'],
      ['fault-end', 'l1Reorg', undefined],
      ['note', 'l1Reorg', undefined],
    ])
  })

  test('default: every window fault names recoveries of the registry, and every fault has targets', () => {
    for (const name of FAULT_NAMES) {
      const def = faultDefinition(name)
      if (def.lasts === 'window') expect(def.endedBy?.length, name).toBeGreaterThan(0)
      else expect(def.endedBy, name).toBeUndefined()
      for (const by of def.endedBy ?? []) expect(FAULT_NAMES, `${name} ended by ${by}`).toContain(by)
    }
  })
})
