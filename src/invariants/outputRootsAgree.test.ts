import { describe, expect, test } from 'vitest'
import type { OutputSample } from '../devnet/history.js'
import { hash, healthyHistory } from './__fixtures__/history.js'
import { outputRootsAgree } from './outputRootsAgree.js'

const output = (t: number, node: string, number: number, root: string, recomputed = root): OutputSample => ({
  t,
  node,
  number,
  reported: root,
  recomputed,
})

describe('outputRootsAgree', () => {
  test('default: matching outputs pass', () => {
    const history = healthyHistory()
    history.outputs.push(output(1000, 'sequencer', 5, hash(50)), output(1200, 'replica-0', 5, hash(50)))
    expect(outputRootsAgree.check(history)).toEqual([])
  })

  test('behavior: a reported root that differs from the recomputed one is reported', () => {
    const history = healthyHistory()
    const bad = output(1000, 'replica-0', 5, hash(50), hash(51))
    history.outputs.push(bad)
    expect(outputRootsAgree.check(history)).toEqual([
      {
        invariant: 'outputRootsAgree',
        t: 1000,
        node: 'replica-0',
        message: `replica-0: output root at block 5 is ${hash(50)}, recomputed ${hash(51)}`,
        evidence: [bad],
      },
    ])
  })

  test('behavior: nodes disagreeing at one number are reported', () => {
    const history = healthyHistory()
    const first = output(1000, 'sequencer', 5, hash(50))
    const other = output(1200, 'replica-0', 5, hash(52))
    history.outputs.push(first, other)
    expect(outputRootsAgree.check(history)).toEqual([
      {
        invariant: 'outputRootsAgree',
        t: 1200,
        node: 'replica-0',
        message: `replica-0: output root at block 5 is ${hash(52)}, but sequencer reported ${hash(50)}`,
        evidence: [first, other],
      },
    ])
  })

  test('behavior: outputs on either side of an L1 reorg, or of different blocks, are not compared', () => {
    const history = healthyHistory()
    history.events.push({ t: 2000, kind: 'fault-start', name: 'l1Reorg', targets: ['l1'] })
    history.outputs.push(
      output(1000, 'sequencer', 5, hash(50)),
      output(3000, 'replica-0', 5, hash(52)), // within graceMs after the reorg
      output(9000, 'replica-0', 5, hash(52)), // a later period
      { ...output(9500, 'sequencer', 6, hash(60)), blockHash: hash(6) },
      { ...output(9600, 'replica-0', 6, hash(61)), blockHash: hash(6, 1) },
    )
    expect(outputRootsAgree.check(history)).toEqual([])
  })
})
