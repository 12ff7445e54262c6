import { expect, test } from 'vitest'
import { portList, stablePorts } from '../plan/ports.js'
import { defaultTopology, type Topology } from '../topology/index.js'
import { resolvePorts } from './ports.js'

test('args: ports stable', async () => {
  expect(await resolvePorts(defaultTopology())).toEqual(stablePorts(defaultTopology()))
})

test('args: ports auto', async () => {
  const t: Topology = { ...defaultTopology(), ports: 'auto' }
  const ports = await resolvePorts(t)
  expect(Object.keys(ports.nodes)).toEqual(['sequencer', 'replica-0'])
  const list = portList(ports)
  expect(list).toHaveLength(17)
  expect(new Set(list).size).toBe(17)
  for (const port of list) expect(port).toBeGreaterThan(0)
})
