import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { defaultTopology } from '../topology/defaults.js'
import { parseTopology } from '../topology/parse.js'
import { parseFaultOptions } from './args.js'
import { namesOf } from './checks.js'
import { faultTargets } from './registry.js'

const ha = namesOf(parseTopology(readFileSync(new URL('../../fixtures/ha.yaml', import.meta.url), 'utf8'), 'ha.yaml'))
const parse = (name: string, ...options: string[]) => parseFaultOptions(name, options, ha)

describe('conductor faults (arguments)', () => {
  test('default: conductor services are services; node arguments name nodes with a conductor', () => {
    expect(ha.services).toEqual(['seq-0', 'seq-1', 'seq-2', 'replica-0', 'l1', 'batcher', 'proposer', 'challenger', 'proxyd', 'seq-0-conductor', 'seq-1-conductor', 'seq-2-conductor', 'bootnode'])
    expect(parse('transferLeader')).toEqual({ name: 'transferLeader', args: { to: '', timeoutMs: 5000 } })
    expect(parse('transferLeader', '--to', 'seq-2')).toEqual({ name: 'transferLeader', args: { to: 'seq-2', timeoutMs: 5000 } })
    expect(parse('crash', '--service', 'seq-1-conductor')).toEqual({ name: 'crash', args: { service: 'seq-1-conductor' } })
    const call = parse('etcdPartition', '--node', 'seq-1')
    expect(faultTargets(call)).toEqual(['seq-1-conductor'])
    expect(faultTargets(parse('overrideLeader', '--node', 'seq-0'))).toEqual(['seq-0', 'seq-0-conductor'])
  })

  test('error: a node without a conductor, and a devnet without conductors', () => {
    const expected = 'args.to: unknown node with a conductor "replica-0"; expected one of: seq-0, seq-1, seq-2'
    expect(() => parse('transferLeader', '--to', 'replica-0')).toThrow(expected)
    expect(() => parse('conductorPause')).toThrow(/^args: missing required argument "node" for conductorPause$/)
    expect(() => parseFaultOptions('etcdPartition', ['--node', 'sequencer'], namesOf(defaultTopology()))).toThrow(
      'args.node: unknown node with a conductor "sequencer"; expected one of: ',
    )
  })
})
