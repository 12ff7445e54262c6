import { setTimeout as sleep } from 'node:timers/promises'
import { expect, test } from 'vitest'
import { stopDependentsFirst, type Stoppable } from './stopOrder.js'

const svc = (name: string, dependsOn: string[] = []): Stoppable => ({ name, plan: { dependsOn } })

/** Stops that take `ms` each and record when they started and ended (in order of events). */
function recorder(ms = 20) {
  const events: string[] = []
  let running = 0
  let most = 0
  const stop = async (s: Stoppable) => {
    events.push(`start ${s.name}`)
    most = Math.max(most, ++running)
    await sleep(ms)
    running--
    events.push(`end ${s.name}`)
  }
  return { events, stop, most: () => most }
}

const ended = (events: string[], name: string) => events.indexOf(`end ${name}`)
const began = (events: string[], name: string) => events.indexOf(`start ${name}`)

test('default: every service stops after all that depend on it, and a layer stops side by side', async () => {
  // the default topology's shape
  const services = [
    svc('l1'), svc('l1-clock', ['l1']), svc('bootnode'), svc('sequencer', ['l1', 'bootnode']), svc('replica-0', ['l1', 'bootnode', 'sequencer']),
    svc('batcher', ['l1', 'sequencer']), svc('proposer', ['l1', 'sequencer']), svc('proxyd', ['sequencer', 'replica-0']),
  ]
  const { events, stop, most } = recorder()
  expect(await stopDependentsFirst(services, stop)).toEqual([])
  expect(events.filter((e) => e.startsWith('end'))).toHaveLength(services.length)
  for (const s of services) {
    for (const dep of s.plan.dependsOn) expect(began(events, dep), `${dep} stops after ${s.name}`).toBeGreaterThan(ended(events, s.name))
  }
  expect(most()).toBeGreaterThanOrEqual(4) // proxyd, batcher, proposer, l1-clock at once
})

test('behavior: machinery (the link proxies) stops after everything else; a service started twice counts twice', async () => {
  const services = [svc('_links'), svc('l1'), svc('node', ['l1']), svc('node', ['l1'])]
  const { events, stop } = recorder()
  await stopDependentsFirst(services, stop, (s) => s.name === '_links')
  expect(events.at(-1)).toBe('end _links')
  expect(began(events, 'l1')).toBeGreaterThan(events.lastIndexOf('end node'))
})

test('error: a failed stop is returned and its dependencies still stop; a cycle does not hang', async () => {
  const failing = new Error('stop failed')
  const services = [svc('l1'), svc('node', ['l1'])]
  const stopped: string[] = []
  const failures = await stopDependentsFirst(services, async (s) => {
    if (s.name === 'node') throw failing
    stopped.push(s.name)
  })
  expect(failures).toEqual([failing])
  expect(stopped).toEqual(['l1'])

  const cycle = [svc('a', ['b']), svc('b', ['a'])]
  const { events, stop } = recorder(1)
  await stopDependentsFirst(cycle, stop)
  expect(events.filter((e) => e.startsWith('end')).sort()).toEqual(['end a', 'end b'])
})
