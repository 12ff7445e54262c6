import { expect, test } from 'vitest'
import { defaultTopology } from '../topology/defaults.js'
import type { ServiceHandle } from '../runtime/types.js'
import { parseFaultOptions } from './args.js'
import { namesOf } from './checks.js'
import { challengerOutage, challengerResume } from './challengerOutage.js'
import { activeFaults, newFaultState, type FaultContext } from './context.js'
import { crash, pause, restart, resume, start } from './service.js'

test('error: fresh on a devnet that cannot wipe state fails before touching the service', async () => {
  const touched: string[] = []
  const handle = new Proxy({}, { get: (_, key) => () => touched.push(String(key)) }) as ServiceHandle
  const events: unknown[] = []
  const ctx: FaultContext = {
    devnet: { topology: defaultTopology(), endpoints: {}, runtime: { kind: 'process', start: async () => handle, stopAll: async () => {}, partition: async () => {}, heal: async () => {}, setLinkFault: async () => ({ via: 'proxy', detail: '' }) }, service: () => handle },
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

test('behavior: the challenger is a service: crash / stop / pause / start act on it, and its windows close with either fault family', async () => {
  const calls: string[] = []
  const handle = new Proxy({}, { get: (_, key) => async () => void calls.push(String(key)) }) as ServiceHandle
  const events: Array<{ kind: string; name: string }> = []
  const ctx: FaultContext = {
    devnet: { topology: defaultTopology(), endpoints: {}, runtime: { kind: 'process', start: async () => handle, stopAll: async () => {}, partition: async () => {}, heal: async () => {}, setLinkFault: async () => ({ via: 'proxy', detail: '' }) }, service: (name) => (calls.push(name), handle) },
    state: newFaultState(),
    record: (e) => events.push(e as { kind: string; name: string }),
  }
  expect(parseFaultOptions('crash', ['--service', 'challenger'], namesOf(defaultTopology()))).toEqual({ name: 'crash', args: { service: 'challenger' } })
  await crash(ctx, { service: 'challenger' })
  await challengerResume(ctx)
  await challengerOutage(ctx)
  await restart(ctx, { service: 'challenger' })
  await pause(ctx, { service: 'challenger' })
  await resume(ctx, { service: 'challenger' })
  expect(calls).toEqual(['challenger', 'kill', 'challenger', 'restart', 'challenger', 'stop', 'challenger', 'restart', 'challenger', 'pause', 'challenger', 'resume'])
  // Every window opened on the challenger was closed by the next call (restart, instant, ends itself too).
  expect(events.filter((e) => e.kind === 'fault-end').map((e) => e.name)).toEqual(['crash', 'restart', 'challengerOutage', 'pause'])
  expect(activeFaults(ctx.state)).toEqual([])
})
