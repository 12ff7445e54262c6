import { connect, createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { closeServer, rpcClient, startRpcServer } from '../shared/jsonrpc.js'
import { LinkProxy, type LinkSpec } from './proxy.js'
import { prng, Shaper } from './shaper.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

/** An echo server on 127.0.0.1. */
async function echoServer(): Promise<number> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.pipe(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(() => {
    for (const s of sockets) s.destroy()
    return new Promise((resolve) => server.close(() => resolve()))
  })
  return (server.address() as { port: number }).port
}

async function proxyTo(port: number, spec: Partial<LinkSpec> = {}, seed = 'test') {
  const proxy = new LinkProxy(seed)
  closers.push(() => proxy.close())
  const link = await proxy.add({ from: 'a', to: 'b', port: 'rpc', class: 'rpc', target: { host: '127.0.0.1', port }, ...spec })
  return { proxy, port: link.listenPort }
}

/** A connected client with a way to read exactly `n` bytes; `closed` resolves with the error code, if any. */
async function client(port: number) {
  const socket = connect(port, '127.0.0.1')
  let buffered = Buffer.alloc(0)
  let wake = () => {}
  socket.on('data', (data: Buffer) => {
    buffered = Buffer.concat([buffered, data])
    wake()
  })
  const closed = new Promise<string>((resolve) => {
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
    socket.once('close', () => resolve('closed'))
  })
  await Promise.race([new Promise((resolve) => socket.once('connect', resolve)), closed])
  closers.push(async () => void socket.destroy())
  const read = async (n: number) => {
    while (buffered.length < n) await new Promise<void>((resolve) => (wake = resolve))
    const out = buffered.subarray(0, n)
    buffered = buffered.subarray(n)
    return out
  }
  /** Sends `text` and resolves with the ms until it came back. */
  const roundTrip = async (text: string) => {
    const t0 = performance.now()
    socket.write(text)
    expect((await read(Buffer.byteLength(text))).toString()).toBe(text)
    return performance.now() - t0
  }
  return { socket, read, roundTrip, closed }
}

describe('LinkProxy', () => {
  test('default: forwards both ways', async () => {
    const { port } = await proxyTo(await echoServer())
    const c = await client(port)
    await c.roundTrip('hello')
    await c.roundTrip('x'.repeat(200_000))
  })

  test('behavior: a cut resets carried connections and refuses new ones; heal restores', async () => {
    const { proxy, port } = await proxyTo(await echoServer())
    const c = await client(port)
    await c.roundTrip('before')
    expect(proxy.partition([['a'], ['b']], 'all').map((l) => l.id)).toEqual(['a>b:rpc'])
    expect(await c.closed).toBe('ECONNRESET')
    const refused = await client(port)
    expect(await refused.closed).toBe('ECONNRESET')
    expect(proxy.list()[0]).toMatchObject({ cut: true, connections: 0, resets: 2 })
    proxy.heal()
    await (await client(port)).roundTrip('after')
  })

  test('behavior: a p2p partition leaves rpc links up; services in no group form one more group', async () => {
    const target = await echoServer()
    const { proxy, port } = await proxyTo(target)
    const p2p = await proxy.add({ from: 'a', to: 'c', port: 'p2p', class: 'p2p', target: { host: '127.0.0.1', port: target } })
    expect(proxy.partition([['a']], 'p2p').map((l) => l.id)).toEqual(['a>c:p2p'])
    await (await client(port)).roundTrip('rpc still up')
    expect(await (await client(p2p.listenPort)).closed).toBe('ECONNRESET')
    expect(proxy.partition([['a', 'c']], 'all')).toEqual([expect.objectContaining({ id: 'a>b:rpc' })])
  })

  test('behavior: latency on the sender delays its direction by at least the delay', async () => {
    const { proxy, port } = await proxyTo(await echoServer())
    const c = await client(port)
    expect(proxy.setFault('a', { delayMs: 150 })).toEqual(['a>b:rpc'])
    expect(await c.roundTrip('slow')).toBeGreaterThanOrEqual(150)
    expect(proxy.setFault('b', { delayMs: 100 })).toEqual(['a>b:rpc']) // b's egress: the answers
    expect(await c.roundTrip('slower')).toBeGreaterThanOrEqual(250)
    proxy.setFault('a', undefined)
    proxy.setFault('b', undefined)
    expect(proxy.list()[0]).toMatchObject({ up: undefined, down: undefined })
  })

  test('behavior: bandwidth caps throughput', async () => {
    const { proxy, port } = await proxyTo(await echoServer())
    const c = await client(port)
    proxy.setFault('a', { bandwidthKbps: 256 }) // 32 000 bytes/s upstream
    const ms = await c.roundTrip('y'.repeat(64_000))
    // 64 000 bytes at 32 000 bytes/s, less the 4 KiB burst: at least 1.87 s
    expect(ms).toBeGreaterThanOrEqual(((64_000 - 4096) / 32_000) * 1000)
  })

  test('behavior: 100% loss holds data without closing; clearing the fault delivers it', async () => {
    const { proxy, port } = await proxyTo(await echoServer())
    const c = await client(port)
    proxy.setFault('a', { lossPercent: 100 })
    c.socket.write('held')
    const late = c.read(4)
    const outcome = await Promise.race([late.then(() => 'delivered'), new Promise((r) => setTimeout(r, 300, 'held'))])
    expect(outcome).toBe('held')
    proxy.setFault('a', undefined)
    expect((await late).toString()).toBe('held')
  })

  test('behavior: a target that is down resets the client', async () => {
    const dead = await echoServer()
    await closers.pop()!()
    const { port } = await proxyTo(dead)
    expect(await (await client(port)).closed).toBe('ECONNRESET')
  })

  test('behavior: the components\' keep-alive RPC client fails during a cut and reconnects after heal', async () => {
    const port = await echoServer() // a free port for the server
    await closers.pop()!()
    const server = await startRpcServer({ host: '127.0.0.1', port, methods: { ping: () => 'pong' } })
    closers.push(() => closeServer(server))
    const { proxy, port: proxied } = await proxyTo(port)
    const client = rpcClient(`http://127.0.0.1:${proxied}`, 2_000)
    expect(await client.call('ping')).toBe('pong') // a pooled keep-alive socket now exists
    proxy.partition([['a'], ['b']], 'all')
    await expect(client.call('ping')).rejects.toThrow(/ECONNRESET|socket hang up/)
    proxy.heal()
    expect(await client.call('ping')).toBe('pong')
    proxy.setFault('b', { lossPercent: 100 }) // a black hole: the call times out, nothing crashes
    await expect(client.call('ping', [], 300)).rejects.toThrow(/timed out after 300 ms/)
    proxy.setFault('b', undefined)
    expect(await client.call('ping')).toBe('pong')
  })

  test('error: a service in two groups', async () => {
    const { proxy } = await proxyTo(await echoServer())
    expect(() => proxy.partition([['a'], ['a', 'b']], 'all')).toThrow('service "a" is in more than one partition group')
  })
})

describe('Shaper', () => {
  const schedule = (seed: string) => {
    const shaper = new Shaper(prng(seed))
    shaper.fault = { delayMs: 100, jitterMs: 50, lossPercent: 10 }
    return Array.from({ length: 50 }, (_, i) => shaper.release(i * 1000, 100) - i * 1000)
  }

  test('behavior: the same seed gives the same delays, another seed others', () => {
    expect(schedule('7')).toEqual(schedule('7'))
    expect(schedule('8')).not.toEqual(schedule('7'))
    // delay ± jitter, plus 200 ms per loss drawn
    for (const d of schedule('7')) expect(d).toBeGreaterThanOrEqual(50)
    expect(schedule('7').some((d) => d >= 250)).toBe(true)
  })

  test('behavior: chunks never overtake each other', () => {
    const shaper = new Shaper(prng('x'))
    shaper.fault = { delayMs: 100, jitterMs: 100 }
    const times = Array.from({ length: 100 }, (_, i) => shaper.release(i, 10))
    expect(times).toEqual([...times].sort((a, b) => a - b))
  })
})

describe('the admin endpoint (serveLinks)', () => {
  async function admin() {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as { port: number }
    await new Promise((resolve) => probe.close(resolve))
    const { serveLinks } = await import('./index.js')
    closers.push(await serveLinks({ admin: { host: '127.0.0.1', port }, seed: 'test' }))
    return rpcClient(`http://127.0.0.1:${port}`, 5_000)
  }

  test('links_addAll adds a service\'s links in one call, in order, each on the port asked for or a free one; again, the same ports', async () => {
    const [echo, client0] = [await echoServer(), await admin()]
    const wanted = (await proxyTo(echo)).port // a port that is free again once that proxy closes
    await closers.pop()!()
    const specs = [
      { from: 'a', to: 'b', port: 'p2p', class: 'p2p', target: { host: '127.0.0.1', port: echo }, listenPort: wanted },
      { from: 'a', to: 'l1', port: 'rpc', class: 'rpc', target: { host: '127.0.0.1', port: echo } },
    ]
    const statuses = await client0.call<{ id: string; listenPort: number }[]>('links_addAll', [specs])
    expect(statuses.map((s) => s.id)).toEqual(['a>b:p2p', 'a>l1:rpc'])
    expect(statuses[0]!.listenPort).toBe(wanted)
    await (await client(statuses[1]!.listenPort)).roundTrip('ping') // echoed through the link
    expect((await client0.call<{ listenPort: number }[]>('links_addAll', [specs])).map((s) => s.listenPort)).toEqual(statuses.map((s) => s.listenPort))
    expect((await client0.call<unknown[]>('links_list')).length).toBe(2)
  })

  test('error: links_addAll names the spec that is not one, and adds none of the list', async () => {
    const client0 = await admin()
    const good = { from: 'a', to: 'b', port: 'rpc', class: 'rpc', target: { host: '127.0.0.1', port: 1 } }
    await expect(client0.call('links_addAll', [[good, { ...good, class: 'tcp' }]])).rejects.toThrow(/links_addAll: \[1\]: expected \{ from, to, port, class: p2p\|rpc.*"class":"tcp"/)
    await expect(client0.call('links_addAll', [good])).rejects.toThrow(/links_addAll: expected a list of link specs/)
    expect(await client0.call('links_list')).toEqual([])
  })
})
