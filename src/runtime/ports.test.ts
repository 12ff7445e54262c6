import { createServer } from 'node:net'
import { expect, test } from 'vitest'
import { allocatePorts, freePort, portRange } from './ports.js'

const inRange = (port: number) => port >= portRange.low && port <= portRange.high

test('default: distinct free ports below the ephemeral range', async () => {
  const ports = await allocatePorts(20)
  expect(new Set(ports).size).toBe(20)
  for (const port of ports) expect(inRange(port), String(port)).toBe(true)
  expect(inRange(await freePort())).toBe(true)
})

test('behavior: ports in use are skipped', async () => {
  // The scan moves up one port at a time: hold the next two, and the one after them comes back.
  const [last] = await allocatePorts(1)
  if (last! + 3 > portRange.high) return void (await allocatePorts(3)) // at the wrap: nothing to check this time
  const held = [last! + 1, last! + 2].map((port) => {
    const server = createServer()
    return new Promise<typeof server>((done) => server.listen({ host: '127.0.0.1', port, exclusive: true }, () => done(server)))
  })
  const servers = await Promise.all(held)
  try {
    const port = await freePort()
    expect(port).toBeGreaterThan(last! + 2)
  } finally {
    for (const server of servers) server.close()
  }
})
