import { createServer, type Server } from 'node:http'
import { afterEach, expect, test } from 'vitest'
import { freePort } from '../ports.js'
import { defaults } from '../waits.js'
import { waitReady } from './readiness.js'

const servers: Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

test('behavior: until a lite program says it is ready, probes through its published port wait for the fallback pace; once it says so, the next comes at once', async () => {
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
    let said = false
    const waited = waitReady({ kind: 'http', port: 'rpc', path: '/healthz' }, () => `http://127.0.0.1:${port}`, { timeoutMs: 10_000, intervalMs: 10, saidReady: () => said })
    await new Promise((r) => setTimeout(r, 500))
    expect(probes).toBe(1) // the first probe; at the 10 ms pace it would be about fifty
    up = true
    said = true
    await waited // within its 10 s: the fallback probe would come after 60 s
    expect(probes).toBe(2)
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
