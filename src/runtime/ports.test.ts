import { createServer } from 'node:net'
import { expect, test } from 'vitest'
import { allocatePorts, freePort, portFree, portRange } from './ports.js'

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

test("behavior: a port another live process reserved is skipped; a dead process's reservation is taken over", async () => {
  const { spawn, spawnSync } = await import('node:child_process')
  const { writeFileSync, readFileSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const file = (port: number) => join(tmpdir(), 'op-devnet-ports', String(port))
  const [last] = await allocatePorts(1)
  if (last! + 4 > portRange.high) return void (await allocatePorts(4)) // at the wrap: nothing to check this time
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
  try {
    // Another devnet's process holds the next two (one of its services is down, say): they are not handed out.
    for (const port of [last! + 1, last! + 2]) writeFileSync(file(port), String(other.pid))
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid
    writeFileSync(file(last! + 3), String(dead))
    const port = await freePort()
    expect(port).toBe(last! + 3)
    expect(readFileSync(file(port), 'utf8')).toBe(String(process.pid))
  } finally {
    other.kill('SIGKILL')
  }
})

test('behavior: a reservation being written (empty, fresh) is skipped; an empty one left long ago is taken over', async () => {
  const { utimesSync, writeFileSync, readFileSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const file = (port: number) => join(tmpdir(), 'op-devnet-ports', String(port))
  const [last] = await allocatePorts(1)
  if (last! + 3 > portRange.high) return void (await allocatePorts(3)) // at the wrap: nothing to check this time
  // Another process created the file for last+1 and has not written its pid yet: the port is its own.
  writeFileSync(file(last! + 1), '')
  // An empty file from a writer that died a minute ago frees its port.
  writeFileSync(file(last! + 2), '')
  const old = new Date(Date.now() - 60_000)
  utimesSync(file(last! + 2), old, old)
  const port = await freePort()
  expect(port).toBe(last! + 2)
  expect(readFileSync(file(port), 'utf8')).toBe(String(process.pid))
  expect(readFileSync(file(last! + 1), 'utf8')).toBe('')
})

test('behavior: portFree is false while a listener holds the port, on 127.0.0.1 or on every address, and true once it is gone', async () => {
  for (const host of ['127.0.0.1', '0.0.0.0']) {
    const port = await freePort()
    expect(await portFree(port)).toBe(true)
    const server = createServer()
    await new Promise<void>((done) => server.listen({ host, port }, done))
    expect(await portFree(port), host).toBe(false)
    await new Promise((done) => server.close(done))
    expect(await portFree(port)).toBe(true)
  }
})
