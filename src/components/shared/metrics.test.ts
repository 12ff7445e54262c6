import { afterEach, expect, test } from 'vitest'
import type { Server } from 'node:http'
import { freePort } from '../../runtime/ports.js'
import { closeServer, startRpcServer } from './jsonrpc.js'
import { serviceMetrics } from './metrics.js'

let server: Server | undefined
afterEach(async () => {
  if (server) await closeServer(server)
  server = undefined
})

test('default: op-service info, up and txmgr counters under the namespace', async () => {
  const m = serviceMetrics('op_x', 'v9')
  m.up.set(1)
  m.txPublished.inc()
  m.txConfirmed.labels('success').inc(2)
  const text = await m.registry.metrics()
  expect(text).toContain('op_x_info{version="v9"} 1')
  expect(text).toContain('op_x_up 1')
  expect(text).toContain('op_x_txmgr_publish_total 1')
  expect(text).toContain('op_x_txmgr_confirm_total{status="success"} 2')
})

test('behavior: startRpcServer with a registry answers GET /metrics beside JSON-RPC; without one, 405', async () => {
  const m = serviceMetrics('op_y', 'v1')
  const port = await freePort()
  server = await startRpcServer({ host: '127.0.0.1', port, methods: { ping: () => 'pong' }, metrics: m.registry })
  const res = await fetch(`http://127.0.0.1:${port}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toContain('text/plain')
  expect(await res.text()).toContain('op_y_info{version="v1"} 1')
  await closeServer(server)
  server = await startRpcServer({ host: '127.0.0.1', port, methods: {} })
  expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(405)
})
