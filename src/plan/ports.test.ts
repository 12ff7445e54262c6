import { expect, test } from 'vitest'
import { DevnetError } from '../errors.js'
import { defaultTopology, type Topology } from '../topology/index.js'
import { stablePorts } from './ports.js'

test('default', () => {
  expect(stablePorts(defaultTopology())).toEqual({
    l1: { rpc: 8545 },
    l1Clock: { rpc: 8546 },
    nodes: {
      sequencer: { el: 9545, rollup: 7545, p2p: 9222 },
      'replica-0': { el: 9546, rollup: 7546, p2p: 9223 },
    },
    batcher: { rpc: 8548 },
    proposer: { rpc: 8570, metrics: 7320 },
    proxyd: { rpc: 8080, ws: 8085, metrics: 7300 },
    challenger: { metrics: 7310 },
    bootnode: { p2p: 30301, rpc: 7540 },
  })
})

test('behavior: list order decides the index, not the role', () => {
  const t = defaultTopology()
  t.l2.nodes = [
    { name: 'r', role: 'replica', peers: [], l1Confs: 0, standby: false },
    { name: 's', role: 'sequencer', peers: [], l1Confs: 0, standby: true },
    { name: 'q', role: 'replica', peers: [], l1Confs: 0, standby: false },
  ]
  expect(stablePorts(t).nodes).toEqual({
    r: { el: 9545, rollup: 7545, p2p: 9222 },
    s: { el: 9546, rollup: 7546, p2p: 9223 },
    q: { el: 9547, rollup: 7547, p2p: 9224 },
  })
})

test('error: too many nodes for stable ports', () => {
  const t = defaultTopology()
  t.l2.nodes = Array.from({ length: 400 }, (_, i) => ({ name: `n${i}`, role: i ? 'replica' : 'sequencer', peers: [], l1Confs: 0, standby: !i }) as const)
  expect(() => stablePorts(t)).toThrow(DevnetError)
  expect(() => stablePorts(t)).toThrow(/do not fit the stable port map/)
})
