import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { freePort } from '../../runtime/ports.js'
import { parseConfig } from './config.js'
import { startProxyd, type RunningProxyd } from './proxyd.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

/** A WebSocket JSON-RPC backend answering eth_chainId. */
async function wsBackend(): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  wss.on('connection', (c) => c.on('message', (d) => c.send(JSON.stringify({ jsonrpc: '2.0', id: JSON.parse(d.toString()).id, result: '0x385' }))))
  await new Promise((r) => wss.once('listening', r))
  closers.push(() => new Promise((r) => wss.close(() => r())))
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`
}

async function start(wsUrl: string): Promise<RunningProxyd> {
  const toml = `ws_backend_group = "main"\nws_method_whitelist = ["eth_chainId"]\n[server]\nrpc_port = 0\nws_port = ${await freePort()}\n[backends.a]\nrpc_url = "http://127.0.0.1:1"\nws_url = "${wsUrl}"\nmax_ws_conns = 1\n[backend_groups.main]\nbackends = ["a"]\n`
  const running = await startProxyd(parseConfig(toml, 'ws.toml'))
  closers.push(() => running.stop())
  return running
}

function client(port: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`)
  const messages: any[] = []
  ws.on('message', (d) => messages.push(JSON.parse(d.toString())))
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)))
  closers.push(async () => ws.close())
  return { ws, messages, closed, open: new Promise((r, j) => ws.once('open', r).once('error', j)) }
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20))
}

describe('proxyd WebSocket front', () => {
  test('default: whitelisted methods reach the backend, others get -32601', async () => {
    const running = await start(await wsBackend())
    const c = client(running.ports.ws!)
    await c.open
    c.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }))
    c.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'admin_peers', params: [] }))
    await until(() => c.messages.length === 2)
    expect(c.messages.find((m) => m.id === 1).result).toBe('0x385')
    expect(c.messages.find((m) => m.id === 2).error).toEqual({ code: -32601, message: 'rpc method is not whitelisted' })
  })

  test('error: over max_ws_conns the connection is closed with "no backend is currently healthy"', async () => {
    const running = await start(await wsBackend())
    const first = client(running.ports.ws!)
    await first.open
    const second = client(running.ports.ws!)
    expect(await second.closed).toBe(1013)
    first.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }))
    await until(() => first.messages.length === 1)
    expect(first.messages[0].result).toBe('0x385')
  })
})
