import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { SpecError } from '../errors.js'
import { conductorNodes } from './conductor.js'
import { parseTopology } from './parse.js'

const HA = new URL('../../fixtures/ha.yaml', import.meta.url)
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`
const nodes = [
  'l2:',
  '  nodes:',
  '    - { name: seq-0, role: sequencer }',
  '    - { name: seq-1, role: replica, standby: true }',
  '    - { name: seq-2, role: replica, standby: true }',
  '    - { name: replica-0, role: replica }',
]

function problem(text: string): string {
  try {
    parseTopology(text, 'ha.yaml')
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError)
    return (err as Error).message
  }
  throw new Error('expected a SpecError')
}

describe('l2.conductor', () => {
  test('default: off; fixtures/ha.yaml puts one conductor beside each of its three sequencer-capable nodes', () => {
    expect(conductorNodes(parseTopology('name: x\n', 'devnet.yaml'))).toEqual([])
    const t = parseTopology(readFileSync(HA, 'utf8'), 'ha.yaml')
    expect(conductorNodes(t)).toEqual(['seq-0', 'seq-1', 'seq-2'])
    expect(t.l2.conductor.healthcheck).toEqual({ interval: 1, unsafeInterval: 3, minPeerCount: 1 })
  })

  test('args: nodes picks the conductors', () => {
    const t = parseTopology(yaml(...nodes, '    - { name: seq-3, role: replica, standby: true }', '  conductor: { enabled: true, nodes: [seq-0, seq-1, seq-3] }'), 'ha.yaml')
    expect(conductorNodes(t)).toEqual(['seq-0', 'seq-1', 'seq-3'])
  })

  test('error: a conductor on a node that cannot sequence, at its file line', () => {
    expect(problem(yaml(...nodes, '  conductor:', '    enabled: true', '    nodes: [seq-0, seq-1, replica-0]'))).toBe(
      'ha.yaml:9 l2.conductor.nodes[2]: node "replica-0" cannot sequence (a replica without standby: true); a conductor runs only beside the sequencer or a standby',
    )
  })

  test('error: fewer than 3 voters with enabled: true', () => {
    const two = yaml('l2:', '  nodes:', '    - { name: seq-0, role: sequencer }', '    - { name: seq-1, role: replica, standby: true }', '  conductor:', '    enabled: true')
    expect(problem(two)).toBe(
      'ha.yaml:6 l2.conductor.enabled: expected at least 3 sequencer-capable nodes with a conductor (raft voters), found 2; give more nodes standby: true',
    )
  })

  test('error: nodes with the conductor disabled', () => {
    expect(problem(yaml(...nodes, '  conductor:', '    nodes: [seq-0, seq-1, seq-2]'))).toBe('ha.yaml:8 l2.conductor.nodes: conductors are placed only with l2.conductor.enabled: true')
  })

  test('error: bad healthcheck values and unknown keys', () => {
    expect(problem(yaml(...nodes, '  conductor:', '    enabled: true', '    healthcheck: { interval: 0 }'))).toBe('ha.yaml:9 l2.conductor.healthcheck.interval: expected an integer >= 1, found 0')
    expect(problem(yaml(...nodes, '  conductor: { enabled: true, raft: 1 }'))).toMatch(/^ha\.yaml:7 l2\.conductor\.raft: unknown key "raft"; expected one of: enabled, nodes, healthcheck/)
  })
})
