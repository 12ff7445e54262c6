import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { freePort } from '../ports.js'
import { defaults } from '../waits.js'
import { waitReady, whenFileExists } from './readiness.js'

const servers: Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

test('behavior: until a lite program says it is ready (its ready file appears), probes through its published port wait for the fallback pace; once it says so, the next comes at once', async () => {
  const saved = defaults.signalledIntervalMs
  defaults.signalledIntervalMs = 60_000 // the fallback pace: never reached in this test
  try {
    const port = await freePort()
    let probes = 0
    let up = false
    const server = createServer((_req, res) => {
      probes++
      res.statusCode = up ? 200 : 503
      res.end()
    })
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
    const dir = mkdtempSync(join(tmpdir(), 'op-devnet-ready-'))
    const file = join(dir, '.ready')
    const looked = new AbortController()
    const waited = waitReady({ kind: 'http', port: 'rpc', path: '/healthz' }, () => `http://127.0.0.1:${port}`, { timeoutMs: 10_000, intervalMs: 10, ready: whenFileExists(file, looked.signal) })
    await new Promise((r) => setTimeout(r, 500))
    expect(probes).toBe(1) // the first probe; at the 10 ms pace it would be about fifty
    up = true
    writeFileSync(file, 'ready\n') // as the program does in its bind-mounted directory
    await waited // within its 10 s: the fallback probe would come after 60 s
    expect(probes).toBe(2)
    looked.abort()
    rmSync(dir, { recursive: true, force: true })
  } finally {
    defaults.signalledIntervalMs = saved
  }
})

test('behavior: without saidReady, an http readiness probes at the usual pace until a 2xx', async () => {
  const port = await freePort()
  let probes = 0
  const server = createServer((_req, res) => {
    probes++
    res.statusCode = probes > 3 ? 204 : 503
    res.end()
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  await waitReady({ kind: 'http', port: 'rpc', path: '/healthz' }, () => `http://127.0.0.1:${port}`, { timeoutMs: 10_000, intervalMs: 10 })
  expect(probes).toBe(4)
})
