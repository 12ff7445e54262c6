import type { Server } from 'node:http'
import { createServer as createNetServer, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import { freePort } from '../../runtime/ports.js'
import { closeServer, rpcClient, rpcFail, RpcError, startRpcServer, type RpcSession } from './jsonrpc.js'

describe('startRpcServer with websocket', () => {
  let server: Server
  let url: string
  const sessions: RpcSession[] = []

  beforeAll(async () => {
    const port = await freePort()
    url = `127.0.0.1:${port}`
    server = await startRpcServer({
      host: '127.0.0.1',
      port,
      methods: { echo: (p) => p, fail: () => rpcFail(-32602, 'bad', { x: 1 }), only_ws: () => rpcFail(-32601, 'notifications not supported') },
      websocket: (session) => {
        sessions.push(session)
        return { only_ws: () => { session.notify('note', { n: 1 }); return 'ok' } }
      },
    })
  })
  afterAll(async () => {
    await closeServer(server)
  })

  function open(): Promise<{ ws: WebSocket; next(): Promise<any> }> {
    const ws = new WebSocket(`ws://${url}`)
    const queue: any[] = []
    const waiters: Array<(m: any) => void> = []
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString())
      const w = waiters.shift()
      if (w) w(m)
      else queue.push(m)
    })
    const next = () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r)))
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, next }))
      ws.once('error', reject)
    })
  }

  test('default: HTTP and WebSocket answer the same methods; session methods only on WebSocket', async () => {
    const client = rpcClient(`http://${url}`)
    expect(await client.call('echo', [1, 2])).toEqual([1, 2])
    await expect(client.call('only_ws')).rejects.toMatchObject({ code: -32601 })
    const { ws, next } = await open()
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'echo', params: ['a'] }))
    expect(await next()).toEqual({ jsonrpc: '2.0', id: 7, result: ['a'] })
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'only_ws', params: [] }))
    // The handler notifies before it returns: the notification comes first.
    expect([await next(), await next()]).toEqual([{ jsonrpc: '2.0', method: 'note', params: { n: 1 } }, { jsonrpc: '2.0', id: 8, result: 'ok' }])
    ws.terminate()
  })

  test('error: parse errors, batches and handler errors', async () => {
    const { ws, next } = await open()
    ws.send('{nope')
    expect(await next()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } })
    ws.send('[]')
    expect(await next()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'empty batch' } })
    ws.send(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'fail' }, { jsonrpc: '2.0', id: 2, method: 'missing' }, 'x']))
    expect(await next()).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'bad', data: { x: 1 } } },
      { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'the method missing does not exist/is not available' } },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'invalid request' } },
    ])
    ws.send(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'echo', params: [] })), { binary: true })
    expect(await next()).toEqual({ jsonrpc: '2.0', id: 3, result: [] })
    ws.terminate()
    const res = await fetch(`http://${url}`, { method: 'POST', body: '{"id":' })
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } })
    await expect(rpcClient(`http://${url}`).call('fail')).rejects.toBeInstanceOf(RpcError)
  })

  test('behavior: session close hooks run, and closeServer ends open WebSocket connections', async () => {
    const port = await freePort()
    let closed = 0
    const s = await startRpcServer({ host: '127.0.0.1', port, methods: {}, websocket: (session) => (session.onClose(() => closed++), {}) })
    const ws = new WebSocket(`ws://127.0.0.1:${port}`)
    await new Promise((r) => ws.once('open', r))
    const gone = new Promise((r) => ws.once('close', r))
    await closeServer(s)
    await gone
    await new Promise((r) => setTimeout(r, 50))
    expect(closed).toBe(1)
  })
})

describe('rpcClient over dead keep-alive sockets', () => {
  test('behavior: after a timeout the idle pooled sockets are dropped, so the next call dials afresh', async () => {
    // A server that stops answering on every connection it has seen (as a black-holed link does), while new
    // connections are served.
    const dead = new Set<unknown>()
    const { createServer } = await import('node:http')
    const server = createServer((req, res) => {
      if (dead.has(req.socket)) return // never answers
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => res.end(JSON.stringify({ jsonrpc: '2.0', id: JSON.parse(body).id, result: 'ok' })))
    })
    const sockets = new Set<unknown>()
    server.on('connection', (s) => sockets.add(s))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as { port: number }
    try {
      const client = rpcClient(`http://127.0.0.1:${port}`)
      // Four calls at once: four pooled keep-alive sockets.
      expect(await Promise.all([1, 2, 3, 4].map(() => client.call('x')))).toEqual(['ok', 'ok', 'ok', 'ok'])
      expect(sockets.size).toBe(4)
      for (const s of sockets) dead.add(s)
      await expect(client.call('x', [], 200)).rejects.toThrow(/timed out after 200 ms/)
      // Without dropping the idle ones, each of the three left would time out in turn.
      expect(await client.call('x', [], 2000)).toBe('ok')
    } finally {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  })
})

describe('rpcClient with a stop signal', () => {
  test('behavior: aborting ends a call in flight to a server that never answers at once, and later calls are not sent', async () => {
    const sockets: Socket[] = []
    const silent = createNetServer((socket) => void sockets.push(socket)) // takes the connection, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const stopping = new AbortController()
      const client = rpcClient(`http://127.0.0.1:${(silent.address() as { port: number }).port}`, 10_000, { signal: stopping.signal })
      const inFlight = client.call('eth_chainId')
      await new Promise((r) => setTimeout(r, 100))
      const started = Date.now()
      stopping.abort()
      await expect(inFlight).rejects.toThrow('cut short: stopping')
      expect(Date.now() - started).toBeLessThan(1_000) // not its 10 s timeout
      await expect(client.call('eth_chainId')).rejects.toThrow('not sent: stopping')
      expect(sockets).toHaveLength(1)
    } finally {
      for (const s of sockets) s.destroy()
      silent.close()
    }
  })
})
