import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { Http1Pool, TooLargeError } from './http1.js'

const servers: Array<Server | HttpServer> = []
const pools: Http1Pool[] = []
afterEach(async () => {
  for (const p of pools.splice(0)) p.close()
  for (const s of servers.splice(0)) {
    ;(s as HttpServer).closeAllConnections?.()
    await new Promise((r) => s.close(r))
  }
})

async function listen<S extends Server | HttpServer>(s: S): Promise<{ server: S; url: URL }> {
  servers.push(s)
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  return { server: s, url: new URL(`http://127.0.0.1:${(s.address() as AddressInfo).port}/rpc?x=1`) }
}

function pool(url: URL, max = 64): Http1Pool {
  const p = new Http1Pool(url, max)
  pools.push(p)
  return p
}

/** A raw TCP server: `onRequest(socket, n)` is called for each complete request head + body seen on a connection (n from 1). */
function rawServer(onRequest: (socket: Socket, n: number, request: string) => void): Server & { connections: number } {
  const s = createServer((socket) => {
    s.connections++
    let buf = ''
    let n = 0
    socket.on('data', (d) => {
      buf += d.toString('latin1')
      for (;;) {
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return
        const length = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0)
        if (buf.length < end + 4 + length) return
        const request = buf.slice(0, end + 4 + length)
        buf = buf.slice(end + 4 + length)
        onRequest(socket, ++n, request)
      }
    })
    socket.on('error', () => {})
  }) as Server & { connections: number }
  s.connections = 0
  return s
}

const ok = (body: string, extra = '') => `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`

describe('Http1Pool (proxyd backend transport)', () => {
  it('default: POSTs the body to the URL path and keeps one connection for sequential calls', async () => {
    const seen: string[] = []
    const { server, url } = await listen(rawServer((socket, _n, request) => {
      seen.push(request)
      socket.write(ok('{"result":1}'))
    }))
    const p = pool(url)
    for (let i = 0; i < 5; i++) {
      const a = await p.post(`{"i":${i}}`, 1000, 1024)
      expect([a.status, a.body.toString()]).toEqual([200, '{"result":1}'])
    }
    expect(server.connections).toBe(1)
    expect(seen[0]).toMatch(/^POST \/rpc\?x=1 HTTP\/1\.1\r\n/)
    expect(seen[0]).toMatch(/\r\nHost: 127\.0\.0\.1:\d+\r\n/)
    expect(seen[4].endsWith('\r\n\r\n{"i":4}')).toBe(true)
  })

  it('behavior: reads a chunked answer that arrives in pieces, with trailers, and keeps the connection', async () => {
    const { server, url } = await listen(rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n{"res')
      setTimeout(() => socket.write('ult"\r\n'), 10)
      setTimeout(() => socket.write('4;ext=1\r\n:42}\r\n0\r\nX-Trailer: y\r\n\r\n'), 20)
    }))
    const p = pool(url)
    expect((await p.post('{}', 1000, 1024)).body.toString()).toBe('{"result":42}')
    expect((await p.post('{}', 1000, 1024)).body.toString()).toBe('{"result":42}')
    expect(server.connections).toBe(1)
  })

  it('behavior: a node:http backend (chunked by default) answers through the pool, and its idle close is survived', async () => {
    const http = createHttpServer((req, res) => {
      req.resume()
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":"0x1"}'))
    })
    http.keepAliveTimeout = 50
    const { url } = await listen(http)
    const p = pool(url)
    expect((await p.post('{}', 1000, 1024)).body.toString()).toBe('{"result":"0x1"}')
    await new Promise((r) => setTimeout(r, 150)) // the server closed the kept-alive connection
    expect((await p.post('{}', 1000, 1024)).body.toString()).toBe('{"result":"0x1"}')
  })

  it('behavior: an answer without a length is read until the backend closes; Connection: close is not reused', async () => {
    const { server, url } = await listen(rawServer((socket, _n, request) => {
      if (request.includes('"toClose"')) socket.end('HTTP/1.0 200 OK\r\n\r\n{"result":"to-close"}')
      else socket.write(ok('{"result":"c"}', 'Connection: close\r\n'))
    }))
    const p = pool(url)
    expect((await p.post('{"toClose":1}', 1000, 1024)).body.toString()).toBe('{"result":"to-close"}')
    expect((await p.post('{}', 1000, 1024)).body.toString()).toBe('{"result":"c"}')
    expect((await p.post('{}', 1000, 1024)).body.toString()).toBe('{"result":"c"}')
    expect(server.connections).toBe(3)
  })

  it('behavior: a reused connection closed before answering is retried once on a new one; a new one is not', async () => {
    let requests = 0
    let answer = true
    const { server, url } = await listen(rawServer((socket) => {
      requests++
      if (answer) socket.write(ok('{"result":1}'))
      else socket.destroy() // the keep-alive race: the backend closes as the next request arrives
    }))
    const p = pool(url)
    await p.post('{}', 1000, 1024)
    answer = false
    server.once('connection', () => (answer = true)) // the new connection answers
    expect((await p.post('{}', 1000, 1024)).body.toString()).toBe('{"result":1}')
    expect([server.connections, requests]).toEqual([2, 3])
    answer = false
    const fresh = pool(url)
    await expect(fresh.post('{}', 1000, 1024)).rejects.toThrow(/closed the connection without answering/)
    expect([server.connections, requests]).toEqual([3, 4])
  })

  it('error: no answer within the timeout rejects and closes the connection', async () => {
    let closed = false
    const { url } = await listen(rawServer((socket) => socket.on('close', () => (closed = true))))
    await expect(pool(url).post('{}', 100, 1024)).rejects.toThrow('did not answer within 100 ms')
    await new Promise((r) => setTimeout(r, 50))
    expect(closed).toBe(true)
  })

  it('behavior: close() fails an exchange in flight at once, without a retry, and refuses new posts', async () => {
    const { server, url } = await listen(rawServer(() => {})) // takes requests, never answers
    const p = pool(url)
    const inFlight = p.post('{}', 10_000, 1024)
    await new Promise((r) => setTimeout(r, 50))
    const started = Date.now()
    p.close()
    await expect(inFlight).rejects.toThrow()
    expect(Date.now() - started).toBeLessThan(1_000) // not its 10 s timeout
    await expect(p.post('{}', 10_000, 1024)).rejects.toThrow('the connection pool to the backend is closed')
    expect(server.connections).toBe(1)
  })

  it('error: an answer over the size limit rejects with TooLargeError, by Content-Length or by chunks', async () => {
    const { url } = await listen(rawServer((socket, _n, request) => {
      if (request.includes('"chunked"')) socket.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n${'x'.repeat(16)}\r\n10\r\n${'x'.repeat(16)}\r\n0\r\n\r\n`)
      else socket.write(ok('x'.repeat(100)))
    }))
    const p = pool(url)
    await expect(p.post('{}', 1000, 99)).rejects.toBeInstanceOf(TooLargeError)
    await expect(p.post('{"chunked":1}', 1000, 20)).rejects.toBeInstanceOf(TooLargeError)
    expect((await p.post('{}', 1000, 100)).body.length).toBe(100)
  })

  it('error: a backend that does not speak HTTP, or cuts its answer short, or is not listening, rejects', async () => {
    const { url } = await listen(rawServer((socket, _n, request) => {
      if (request.includes('"short"')) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{"res')
      else socket.write('SSH-2.0-OpenSSH\r\n\r\n')
    }))
    const p = pool(url)
    await expect(p.post('{}', 1000, 1024)).rejects.toThrow(/not an HTTP\/1\.x answer/)
    await expect(p.post('{"short":1}', 1000, 1024)).rejects.toThrow(/in the middle of its answer/)
    const closedPort = (await listen(createServer())).url
    await new Promise((r) => servers.pop()!.close(r))
    await expect(pool(closedPort).post('{}', 1000, 1024)).rejects.toThrow(/ECONNREFUSED/)
    expect(() => new Http1Pool(new URL('https://127.0.0.1:1/'))).toThrow(/only http:\/\/ backends/)
  })

  it('behavior: never opens more than maxSockets connections; the rest wait their turn', async () => {
    let active = 0
    let peak = 0
    const { server, url } = await listen(rawServer((socket) => {
      peak = Math.max(peak, ++active)
      setTimeout(() => {
        active--
        socket.write(ok('{"result":1}'))
      }, 20)
    }))
    const p = pool(url, 2)
    const answers = await Promise.all(Array.from({ length: 8 }, () => p.post('{}', 2000, 1024)))
    expect(answers.every((a) => a.status === 200)).toBe(true)
    expect(peak).toBe(2)
    expect(server.connections).toBe(2)
  })
})
