import { createServer, type Server } from 'node:http'
import { afterEach, expect, test } from 'vitest'
import { allocatePorts, freePort } from './ports.js'
import { WaitTimeoutError, defaults, waitFor, waitForHttp, waitForPort, waitForRpc } from './waits.js'

const servers: Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

/** A JSON-RPC server that errors for the first `failures` calls, then answers `0x1`. */
async function rpcServer(failures = 0, port?: number): Promise<string> {
  port ??= await freePort()
  let calls = 0
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(calls++ < failures ? { jsonrpc: '2.0', id: 1, error: { code: -32000, message: 'not yet' } } : { jsonrpc: '2.0', id: 1, result: '0x1' }))
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return `http://127.0.0.1:${port}`
}

test('default', async () => {
  const url = await rpcServer(3)
  expect(await waitForRpc(url, 'eth_chainId', [], { intervalMs: 10 })).toBe('0x1')
  await waitFor({ kind: 'port', port: 'rpc' }, () => url.replace('http', 'tcp'))
  await waitFor({ kind: 'rpc', port: 'rpc', method: 'eth_chainId' }, () => url)
})

test('behavior: an abort signal rejects early with its reason', async () => {
  const controller = new AbortController()
  setTimeout(() => controller.abort(new Error('process exited')), 100)
  const started = Date.now()
  await expect(waitForPort('127.0.0.1', await freePort(), { signal: controller.signal })).rejects.toThrow('process exited')
  expect(Date.now() - started).toBeLessThan(1_000)
})

test('behavior: allocatePorts returns distinct ports', async () => {
  const ports = await allocatePorts(5)
  expect(new Set(ports).size).toBe(5)
})

test('error: timeout names what was awaited and the last failure', async () => {
  const url = await rpcServer(Infinity)
  const error = await waitForRpc(url, 'eth_chainId', [], { timeoutMs: 200 }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(WaitTimeoutError)
  expect((error as WaitTimeoutError).code).toBe('DEVNET_SERVICE_TIMEOUT')
  expect((error as WaitTimeoutError).message).toContain(`timed out after 200 ms waiting for eth_chainId on ${url}`)
  expect((error as WaitTimeoutError).details).toBe(`eth_chainId on ${url} failed: not yet (code -32000)`)
})

test('behavior: a port that refuses until its server listens: the wait answers once it does; refused to the end, the details say so', async () => {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const refused = await waitForRpc(url, 'eth_chainId', [], { timeoutMs: 150, intervalMs: 10 }).catch((e: unknown) => e)
  expect((refused as WaitTimeoutError).details).toMatch(/ECONNREFUSED/)
  const answer = waitForRpc(url, 'eth_chainId', [], { timeoutMs: 5_000, intervalMs: 10 })
  await new Promise((r) => setTimeout(r, 200))
  await rpcServer(0, port)
  expect(await answer).toBe('0x1')
})

test('behavior: a service that says when it is ready (ready) is probed once at first, then at once when it says so', async () => {
  const saved = defaults.signalledIntervalMs
  defaults.signalledIntervalMs = 60_000 // the fallback pace: never reached in this test
  try {
    let probes = 0
    let up = false
    const port = await freePort()
    const server = createServer((_req, res) => {
      probes++
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(up ? { jsonrpc: '2.0', id: 1, result: '0x1' } : { jsonrpc: '2.0', id: 1, error: { code: -32000, message: 'not yet' } }))
    })
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
    let say!: () => void
    const ready = new Promise<void>((resolve) => (say = resolve))
    const waited = waitForRpc(`http://127.0.0.1:${port}`, 'eth_chainId', [], { ready, timeoutMs: 30_000 })
    await new Promise((r) => setTimeout(r, 400))
    expect(probes).toBe(1) // at the 50 ms pace it would have been 8
    up = true
    say()
    expect(await waited).toBe('0x1')
    expect(probes).toBe(2)
  } finally {
    defaults.signalledIntervalMs = saved
  }
})

test('behavior: after the service said it is ready, a probe that still fails is retried at the usual pace', async () => {
  const saved = defaults.signalledIntervalMs
  defaults.signalledIntervalMs = 60_000 // at the fallback pace the wait would time out
  try {
    const url = await rpcServer(3)
    expect(await waitForRpc(url, 'eth_chainId', [], { ready: Promise.resolve(), intervalMs: 10, timeoutMs: 5_000 })).toBe('0x1')
  } finally {
    defaults.signalledIntervalMs = saved
  }
})

test('behavior: an http readiness waits for a 2xx answer to GET <path>; another status to the end times out and says which', async () => {
  const port = await freePort()
  const seen: string[] = []
  let status = 503
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`)
    res.statusCode = status
    res.end(status === 200 ? 'OK' : 'starting')
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${port}`
  const refused = await waitForHttp(`${base}/healthz`, { timeoutMs: 150, intervalMs: 10 }).catch((e: unknown) => e)
  expect(refused).toBeInstanceOf(WaitTimeoutError)
  expect((refused as WaitTimeoutError).message).toContain(`waiting for GET ${base}/healthz`)
  expect((refused as WaitTimeoutError).details).toContain('HTTP 503')
  setTimeout(() => (status = 200), 100)
  await waitFor({ kind: 'http', port: 'rpc', path: '/healthz' }, () => base, { intervalMs: 10, timeoutMs: 5_000 })
  expect(new Set(seen)).toEqual(new Set(['GET /healthz']))
})
