import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { closeServer } from '../shared/jsonrpc.js'
import { Backend, backoffMs, BackendError } from './backend.js'
import type { GroupConfig } from './config.js'
import { errors, ProxydRpcError } from './errors.js'
import { BackendGroup } from './group.js'
import { createMetrics } from './metrics.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer))
})

/** An HTTP server answering each POST with `answer(n)` (n = 1-based call count): a JSON-RPC body or an HTTP status. */
async function backendServer(answer: (n: number, body: any) => { status?: number; body?: unknown }) {
  let calls = 0
  const server = createServer((req, res) => {
    let text = ''
    req.on('data', (c) => (text += c))
    req.on('end', () => {
      const a = answer(++calls, JSON.parse(text))
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json' }).end(a.body === undefined ? 'oops' : JSON.stringify(a.body))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  servers.push(server)
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls }
}

const ok = (result: unknown) => (_n: number, body: any) => ({ body: { jsonrpc: '2.0', id: body.id, result } })
const opts = { responseTimeoutMs: 1000, maxResponseSizeBytes: 1e6, maxRetries: 0, outOfServiceMs: 10_000, maxLatencyThresholdMs: 10_000, maxDegradedLatencyThresholdMs: 5_000, maxErrorRateThreshold: 0.5 }
const backend = (name: string, url: string, over: Partial<typeof opts> = {}, maxRps = 0, sleeps: number[] = []) =>
  new Backend(
    { name, rpcUrl: url, maxRps, maxWsConns: 0, skipPeerCount: true, skipIsSyncingCheck: true, forcedCandidate: false },
    { ...opts, ...over },
    createMetrics(),
    async (ms) => void sleeps.push(ms),
  )
const group = (strategy: GroupConfig['routingStrategy'], backends: Backend[]) =>
  new BackendGroup({ name: 'g', backends: backends.map((b) => b.name), routingStrategy: strategy, pollerIntervalMs: 1000, banPeriodMs: 1000, maxUpdateThresholdMs: 1000, maxBlockLag: 8, minPeerCount: 0 }, backends, createMetrics())
const req = (method = 'eth_chainId', params: unknown[] = []) => ({ jsonrpc: '2.0', id: 7, method, params })

describe('backend and groups', () => {
  test('args: proxyd backoff is 2^i s plus jitter, at most 3 s', () => {
    expect([backoffMs(0, () => 0), backoffMs(1, () => 0.5), backoffMs(2, () => 0.99), backoffMs(5, () => 0)]).toEqual([1000, 2125, 3000, 3000])
  })

  test('default: a backend answer keeps the client id; a JSON-RPC error passes through', async () => {
    const s = await backendServer((n, body) => (n === 1 ? ok('0x1')(n, body) : { body: { jsonrpc: '2.0', id: body.id, error: { code: 3, message: 'execution reverted' } } }))
    const g = group('fallback', [backend('a', s.url)])
    expect((await g.forward(req())).res).toEqual({ jsonrpc: '2.0', id: 7, result: '0x1' })
    expect((await g.forward(req())).res.error).toEqual({ code: 3, message: 'execution reverted' })
  })

  test('behavior: retries with backoff, then succeeds', async () => {
    const s = await backendServer((n, body) => (n < 3 ? { status: 502 } : ok('0x2')(n, body)))
    const sleeps: number[] = []
    const b = backend('a', s.url, { maxRetries: 2 }, 0, sleeps)
    expect((await b.forward(req())).result).toBe('0x2')
    expect(sleeps.length).toBe(2)
    expect(sleeps[0]).toBeGreaterThanOrEqual(1000)
    expect(sleeps[1]).toBeGreaterThanOrEqual(2000)
  })

  test('behavior: fallback fails over to the next backend; once half of 10+ requests failed the backend is unhealthy and tried last', async () => {
    const dead = await backendServer(() => ({ status: 500 }))
    const live = await backendServer(ok('0x3'))
    const a = backend('a', dead.url)
    const g = group('fallback', [a, backend('b', live.url)])
    for (let i = 0; i < 9; i++) expect((await g.forward(req())).servedBy).toBe('g/b')
    // proxyd counts the error rate from 10 requests on: 9 failures leave it healthy, the 10th does not.
    expect([dead.calls(), a.errorRate(), a.healthy()]).toEqual([9, 0, true])
    await g.forward(req())
    expect([dead.calls(), a.errorRate(), a.healthy()]).toEqual([10, 1, false])
    const served = await g.forward(req())
    expect([served.res.result, served.servedBy, dead.calls()]).toEqual(['0x3', 'g/b', 10])
  })

  test('behavior: one timeout among many answers leaves a backend healthy; slow answers make it degraded, then unhealthy', async () => {
    let delay = 0
    const s = await backendServer(ok('0x1'))
    const hang = createServer((_req, res) => setTimeout(() => res.end(JSON.stringify({ jsonrpc: '2.0', id: 7, result: '0x2' })), delay))
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()))
    servers.push(hang)
    const b = backend('a', s.url)
    for (let i = 0; i < 12; i++) await b.forward(req())
    const timedOut = backend('t', `http://127.0.0.1:${(hang.address() as AddressInfo).port}`, { responseTimeoutMs: 100 })
    delay = 0
    for (let i = 0; i < 12; i++) await timedOut.forward(req())
    delay = 300
    await expect(timedOut.forward(req())).rejects.toThrow(/did not answer within 100 ms/)
    expect([timedOut.errorRate(), timedOut.healthy()]).toEqual([1 / 13, true])
    const slow = backend('s', `http://127.0.0.1:${(hang.address() as AddressInfo).port}`, { maxDegradedLatencyThresholdMs: 100, maxLatencyThresholdMs: 1_000 })
    delay = 150
    await slow.forward(req())
    expect([slow.healthy(), slow.degraded()]).toEqual([true, true])
    const slower = backend('s2', `http://127.0.0.1:${(hang.address() as AddressInfo).port}`, { maxLatencyThresholdMs: 100 })
    await slower.forward(req())
    expect(slower.healthy()).toBe(false)
    expect(b.healthy() && !b.degraded()).toBe(true)
  })

  test('error: every backend failing answers -32011', async () => {
    const dead = await backendServer(() => ({ status: 500 }))
    const g = group('fallback', [backend('a', dead.url)])
    await expect(g.forward(req())).rejects.toEqual(new ProxydRpcError(errors.noBackends))
    await expect(backend('x', dead.url).forward(req())).rejects.toBeInstanceOf(BackendError)
  })

  test('error: over max_rps the backend is over capacity and the next one serves', async () => {
    const a = await backendServer(ok('a'))
    const b = await backendServer(ok('b'))
    // max_rps counts per wall-clock second: both calls of a pair go in at the start of one.
    const startOfSecond = () => new Promise((r) => setTimeout(r, 1005 - (Date.now() % 1000)))
    const limited = backend('a', a.url, {}, 1)
    await startOfSecond()
    await expect(limited.forward(req())).resolves.toMatchObject({ result: 'a' })
    await expect(limited.forward(req())).rejects.toEqual(new ProxydRpcError(errors.backendOverCapacity))
    const g = group('fallback', [backend('a', a.url, {}, 1), backend('b', b.url)])
    await startOfSecond()
    expect([(await g.forward(req())).res.result, (await g.forward(req())).res.result]).toEqual(['a', 'b'])
  })

  test('error: a timeout or an oversized answer is a backend failure', async () => {
    const slow = await backendServer(ok('0x'.padEnd(2000, '0')))
    await expect(backend('big', slow.url, { maxResponseSizeBytes: 100 }).forward(req())).rejects.toThrow(/response too large/)
    const hang = createServer(() => {})
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()))
    servers.push(hang)
    await expect(backend('hang', `http://127.0.0.1:${(hang.address() as AddressInfo).port}`, { responseTimeoutMs: 100 }).forward(req())).rejects.toThrow(/did not answer within 100 ms/)
  })

  test('behavior: multicall sends eth_sendRawTransaction to every backend, first success wins', async () => {
    const failing = await backendServer((_n, body) => ({ body: { jsonrpc: '2.0', id: body.id, error: { code: -32000, message: 'nonce too low' } } }))
    const a = await backendServer(ok('0xhash'))
    const b = await backendServer(ok('0xhash'))
    const g = group('multicall', [backend('f', failing.url), backend('a', a.url), backend('b', b.url)])
    expect((await g.forward(req('eth_sendRawTransaction', ['0x02']))).res.result).toBe('0xhash')
    await new Promise((r) => setTimeout(r, 50))
    expect([failing.calls(), a.calls(), b.calls()]).toEqual([1, 1, 1])
    await g.forward(req('eth_chainId'))
    expect(failing.calls() + a.calls() + b.calls()).toBe(4)
    const allFail = group('multicall', [backend('f', failing.url)])
    expect((await allFail.forward(req('eth_sendRawTransaction', ['0x02']))).res.error!.message).toBe('nonce too low')
  })
})
