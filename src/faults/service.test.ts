import { expect, test } from 'vitest'
import { defaultTopology } from '../topology/defaults.js'
import type { ServiceHandle } from '../runtime/types.js'
import { newFaultState, type FaultContext } from './context.js'
import { restart, start } from './service.js'

test('error: fresh on a devnet that cannot wipe state fails before touching the service', async () => {
  const touched: string[] = []
  const handle = new Proxy({}, { get: (_, key) => () => touched.push(String(key)) }) as ServiceHandle
  const events: unknown[] = []
  const ctx: FaultContext = {
    devnet: { topology: defaultTopology(), endpoints: {}, runtime: { kind: 'process', start: async () => handle, stopAll: async () => {} }, service: () => handle },
    state: newFaultState(),
    record: (e) => events.push(e),
  }
  await expect(start(ctx, { service: 'replica-0', fresh: true })).rejects.toThrow('fresh: this devnet cannot wipe the state of "replica-0"')
  await expect(restart(ctx, { service: 'replica-0', fresh: true })).rejects.toThrow('fresh: this devnet cannot wipe the state of "replica-0"')
  expect(touched).toEqual([])
  // restart is instant: its window opens and closes around the failed action.
  expect(events).toEqual([
    { kind: 'fault-start', name: 'restart', targets: ['replica-0'], lasts: 'instant', details: { service: 'replica-0', fresh: true } },
    { kind: 'fault-end', name: 'restart', targets: ['replica-0'] },
  ])
})
