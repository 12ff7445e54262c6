import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { closeServer } from '../shared/jsonrpc.js'
import { parseConfig } from './config.js'
import { startProxyd, type RunningProxyd } from './proxyd.js'

const servers: Server[] = []
let running: RunningProxyd | undefined
afterEach(async () => {
  await running?.stop()
  running = undefined
  await Promise.all(servers.splice(0).map(closeServer))
})

/** A JSON-RPC backend answering eth_chainId, echoing eth_getBlockByHash, and hanging on eth_hang. */
async function backendServer() {
  let calls = 0
  const server = createServer((req, res) => {
    let text = ''
    req.on('data', (c) => (text += c))
    req.on('end', () => {
      calls++
      const body = JSON.parse(text)
      if (body.method === 'eth_hang') return
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result: body.method === 'eth_chainId' ? '0x384' : { hash: body.params[0] } }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  servers.push(server)
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls }
}

async function start(extra = '') {
  const b = await backendServer()
  const toml = `
whitelist_error_message = "method not allowed here"
[server]
rpc_port = 0
max_body_size_bytes = 2000
timeout_seconds = 1
enable_served_by_header = true
[backends.a]
rpc_url = "${b.url}"
[backend_groups.main]
backends = ["a"]
[rpc_method_mappings]
eth_chainId = "main"
eth_getBlockByHash = "main"
eth_hang = "main"
[batch]
max_size = 3
[cache]
enabled = true
${extra}`
  running = await startProxyd(parseConfig(toml, 'test.toml'))
  return { backend: b, url: `http://127.0.0.1:${running.ports.rpc}` }
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as any, servedBy: res.headers.get('x-served-by') }
}
const call = (method: string, params: unknown[] = [], id: unknown = 1) => ({ jsonrpc: '2.0', id, method, params })

describe('proxyd HTTP front', () => {
  test('default: a mapped call is forwarded; /healthz answers OK; the served-by header names group/backend', async () => {
    const { url } = await start()
    expect(await post(url, call('eth_chainId'))).toEqual({ status: 200, body: { jsonrpc: '2.0', id: 1, result: '0x384' }, servedBy: 'main/a' })
    const health = await fetch(`${url}/healthz`)
    expect([health.status, await health.text()]).toEqual([200, 'OK'])
  })

  test('error: a method not in the mappings gets -32601 / 403 with the configured message', async () => {
    const { url, backend } = await start()
    expect(await post(url, call('admin_peers'))).toMatchObject({ status: 403, body: { id: 1, error: { code: -32601, message: 'method not allowed here' } } })
    expect(backend.calls()).toBe(0)
  })

  test('error: over the base rate -32016 / 429; over a method override in a batch, that element only', async () => {
    const { url } = await start('[rate_limit]\nbase_rate = 3\nbase_interval = "1m"\nerror_message = "slow down"\nmethod_overrides.eth_getBlockByHash = { limit = 1, interval = "1m" }\n')
    const batch = await post(url, [call('eth_getBlockByHash', ['0x1'], 1), call('eth_getBlockByHash', ['0x2'], 2)])
    expect(batch.status).toBe(200)
    expect(batch.body[0].result).toEqual({ hash: '0x1' })
    expect(batch.body[1].error).toEqual({ code: -32016, message: 'slow down' })
    await post(url, call('eth_chainId'))
    await post(url, call('eth_chainId'))
    expect(await post(url, call('eth_chainId'))).toMatchObject({ status: 429, body: { error: { code: -32016, message: 'slow down' } } })
  })

  test('error: batch limits, body size, parse errors and invalid requests', async () => {
    const { url } = await start()
    expect(await post(url, [call('eth_chainId'), call('eth_chainId'), call('eth_chainId'), call('eth_chainId')])).toMatchObject({ status: 413, body: { error: { code: -32014, message: 'too many RPC calls in batch request' } } })
    expect(await post(url, [])).toMatchObject({ status: 400, body: { error: { code: -32600, message: 'must specify at least one batch call' } } })
    expect(await post(url, call('eth_chainId', ['x'.repeat(3000)]))).toMatchObject({ status: 413, body: { error: { code: -32021 } } })
    expect(await post(url, '{nope')).toMatchObject({ status: 400, body: { error: { code: -32700, message: 'parse error' } } })
    expect(await post(url, { ...call('eth_chainId'), jsonrpc: '1.0' })).toMatchObject({ status: 400, body: { error: { code: -32600, message: 'invalid JSON-RPC version' } } })
    expect(await post(url, { ...call('eth_chainId'), method: '' })).toMatchObject({ status: 400, body: { error: { code: -32600, message: 'no method specified' } } })
    expect(await post(url, { ...call('eth_chainId'), id: { a: 1 } })).toMatchObject({ status: 400, body: { error: { code: -32600, message: 'invalid ID' } } })
    expect(await post(url, 5)).toMatchObject({ status: 400, body: { error: { code: -32600, message: 'invalid request' } } })
    const mixed = await post(url, [call('eth_chainId', [], 1), call('nope_method', [], 2)])
    expect(mixed.status).toBe(200)
    expect(mixed.body.map((r: any) => r.result ?? r.error.code)).toEqual(['0x384', -32601])
  })

  test('behavior: cacheable calls are answered from the cache', async () => {
    const { url, backend } = await start()
    await post(url, call('eth_getBlockByHash', ['0xab']))
    expect(await post(url, call('eth_getBlockByHash', ['0xab']))).toMatchObject({ body: { result: { hash: '0xab' } }, servedBy: 'cache' })
    expect(backend.calls()).toBe(1)
    expect(await running!.metrics.registry.getSingleMetricAsString('proxyd_cache_hits_total')).toMatch(/method="eth_getBlockByHash"} 1/)
  })

  test('error: a request over timeout_seconds gets -32015 / 504', async () => {
    const { url } = await start()
    expect(await post(url, call('eth_hang'))).toMatchObject({ status: 504, body: { error: { code: -32015, message: 'gateway timeout' } } })
  })

  test('behavior: metrics count forwards per backend and method (the second eth_chainId is a cache hit)', async () => {
    const { url } = await start()
    await post(url, call('eth_chainId'))
    await post(url, call('eth_getBlockByHash', ['0x1']))
    await post(url, call('eth_chainId'))
    const text = await running!.metrics.registry.getSingleMetricAsString('proxyd_rpc_forwards_total')
    expect(text).toMatch(/proxyd_rpc_forwards_total\{auth="none",backend_name="a",method_name="eth_chainId",source="http"} 1/)
    expect(text).toMatch(/method_name="eth_getBlockByHash",source="http"} 1/)
  })
})
