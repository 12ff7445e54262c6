import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { seededRandom } from '../scenario/random.js'
import { defaultTopology } from '../topology/defaults.js'
import { parseTopology } from '../topology/parse.js'
import { parseFaultOptions } from './args.js'
import { namesOf, type Names } from './checks.js'
import { faultDefinition, FAULT_NAMES, type FaultName } from './registry.js'

const base = namesOf(defaultTopology())
const ha = namesOf(parseTopology(readFileSync(new URL('../../fixtures/ha.yaml', import.meta.url), 'utf8'), 'ha.yaml'))
const noProxyd = namesOf(parseTopology('proxyd: { enabled: false }', 'devnet.yaml'))
/** The names of a devnet planned without settlement contracts (no proposer, no challenger). */
const noSettlement: Names = { ...base, services: base.services.filter((s) => s !== 'proposer') }

/** `n` draws of `name` on `names`; each must pass the registry's argument checks unchanged. */
function draws(name: FaultName, names: Names, n = 40): Array<Record<string, unknown>> {
  const chaos = faultDefinition(name).chaos!
  expect(chaos.unsupported?.(names)).toBeUndefined()
  const random = seededRandom(7)
  return Array.from({ length: n }, () => {
    const args = chaos.draw(random, names) as Record<string, unknown>
    const options = Object.entries(args).flatMap(([key, value]) => [`--${key}`, JSON.stringify(value)])
    expect(parseFaultOptions(name, options, names).args).toMatchObject(args)
    return args
  })
}

const uses = (name: FaultName, args: Record<string, unknown>, names: Names) => faultDefinition(name).chaos!.uses?.(args, names)

describe('chaos draws', () => {
  test('default: every fault that is no recovery declares how chaos draws it or why it never does', () => {
    for (const name of FAULT_NAMES) {
      const def = faultDefinition(name)
      if (def.lasts === 'recovery') expect([name, def.chaos, def.neverDrawn]).toEqual([name, undefined, undefined])
      else expect([name, Boolean(def.chaos) !== Boolean(def.neverDrawn)]).toEqual([name, true])
    }
    expect(FAULT_NAMES.filter((name) => faultDefinition(name).neverDrawn)).toEqual(['failover', 'overrideLeader'])
    expect(faultDefinition('overrideLeader').neverDrawn).toMatch(/two sequencers at once\), so singleSequencer must fire/)
  })

  test('args: invalidProposal (rogue key) and propose at the safe head; both need the sequencer and the challenger until both clocks ran out', () => {
    expect(new Set(draws('invalidProposal', base).map((a) => JSON.stringify(a)))).toEqual(new Set(['{"from":"rogue"}']))
    expect(draws('propose', base).every((a) => Object.keys(a).length === 0)).toBe(true)
    for (const name of ['invalidProposal', 'propose'] as const) {
      expect(uses(name, {}, base)).toEqual(['sequencer', 'challenger'])
      expect(faultDefinition(name).chaos!.holdMs!(base)).toBe(2 * base.topology.settlement.maxClockDuration * 1000 + 10_000)
    }
  })

  test('args: challengerOutage takes no arguments; staleBackend freezes any rollup node', () => {
    expect(draws('challengerOutage', base).every((a) => Object.keys(a).length === 0)).toBe(true)
    expect(new Set(draws('staleBackend', base).map((a) => a.node))).toEqual(new Set(base.nodes))
    expect(new Set(draws('staleBackend', ha).map((a) => a.node))).toEqual(new Set(ha.nodes))
  })

  test('args: conductor faults name nodes with a conductor; each needs every conductor (one conductor fault at a time)', () => {
    const conducted = new Set(['seq-0', 'seq-1', 'seq-2'])
    const all = ['seq-0', 'seq-0-conductor', 'seq-1', 'seq-1-conductor', 'seq-2', 'seq-2-conductor']
    for (const name of ['conductorPause', 'etcdPartition'] as const) {
      const drawn = draws(name, ha)
      expect(new Set(drawn.map((a) => a.node))).toEqual(conducted)
      expect(uses(name, drawn[0], ha)).toEqual(all)
    }
    const transfers = draws('transferLeader', ha)
    expect(new Set(transfers.map((a) => a.to))).toEqual(conducted)
    expect(transfers.every((a) => a.timeoutMs === 10_000)).toBe(true)
    expect(uses('transferLeader', transfers[0], ha)).toEqual(all)
  })

  test('behavior: a fault is not hosted where its component is missing', () => {
    for (const name of ['invalidProposal', 'propose', 'challengerOutage'] as const) {
      expect(faultDefinition(name).chaos!.unsupported!(noSettlement)).toBe('needs the settlement contracts (a proposer and a challenger)')
    }
    expect(faultDefinition('staleBackend').chaos!.unsupported!(noProxyd)).toMatch(/^needs proxyd \(proxyd.enabled\)/)
    for (const name of ['transferLeader', 'conductorPause', 'etcdPartition'] as const) {
      expect(faultDefinition(name).chaos!.unsupported!(base)).toBe('needs a conductor cluster (l2.conductor.enabled, e.g. fixtures/ha.yaml)')
    }
  })
})
