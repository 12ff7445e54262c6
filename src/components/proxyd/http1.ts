/**
 * proxyd's backend transport: a pool of kept-alive HTTP/1.1 connections to one backend, written on
 * `node:net`. It sends `POST` requests with a JSON body and reads the answer (status line, headers, a
 * `Content-Length`, chunked or read-to-close body), one request per connection at a time. node:http's
 * client builds a ClientRequest, an IncomingMessage and a stream per call; doing only this much took
 * proxyd's forwarding cost per call down by a third (`npm run bench`, group proxyd).
 *
 * A kept-alive connection the backend closed while idle (its keep-alive timeout) is found out only
 * when it is used: a request whose reused connection closes before a single byte of the answer is sent
 * again, once, on a new connection, as Go's transport does. Every other failure rejects.
 */
import { connect, type Socket } from 'node:net'

export interface Http1Answer {
  status: number
  body: Buffer
}

/** The answer is over the size limit; the connection is closed. */
export class TooLargeError extends Error {
  override name = 'TooLargeError'
}

const CRLF2 = Buffer.from('\r\n\r\n')

/** Reads one HTTP/1.1 answer at a time from a connection's bytes. */
class AnswerParser {
  private buf: Buffer = Buffer.alloc(0)
  private head?: { status: number; length?: number; chunked: boolean; close: boolean }
  private chunks: Buffer[] = []
  private size = 0
  /** Bytes of the answer received so far (0: the backend has sent nothing yet). */
  received = 0

  constructor(private readonly maxSize: number) {}

  /** Feeds bytes; returns the answer when complete, with whether the connection must be closed. */
  push(data: Buffer): { answer: Http1Answer; close: boolean } | undefined {
    this.received += data.length
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data
    for (;;) {
      if (!this.head) {
        const end = this.buf.indexOf(CRLF2)
        if (end < 0) {
          if (this.buf.length > 64 * 1024) throw new Error('answer headers over 64 KiB')
          return undefined
        }
        const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n')
        this.buf = this.buf.subarray(end + 4)
        const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0])
        if (!m) throw new Error(`not an HTTP/1.x answer: ${JSON.stringify(lines[0].slice(0, 40))}`)
        const status = Number(m[2])
        let length: number | undefined
        let chunked = false
        let close = m[1] === '0'
        for (let i = 1; i < lines.length; i++) {
          const colon = lines[i].indexOf(':')
          if (colon < 0) continue
          const name = lines[i].slice(0, colon).trim().toLowerCase()
          const value = lines[i].slice(colon + 1).trim().toLowerCase()
          if (name === 'content-length') length = Number(value)
          else if (name === 'transfer-encoding') chunked = value.split(',').some((v) => v.trim() === 'chunked')
          else if (name === 'connection') close = value.includes('close') ? true : value.includes('keep-alive') ? false : close
        }
        if (status >= 100 && status < 200) continue // an interim answer (100 Continue): the real one follows
        if (length !== undefined && !(Number.isSafeInteger(length) && length >= 0)) throw new Error('invalid Content-Length')
        if (length !== undefined && length > this.maxSize) throw new TooLargeError(`backend response too large (over ${this.maxSize} bytes)`)
        this.head = { status, length: chunked ? undefined : length, chunked, close: close || (!chunked && length === undefined) }
      }
      const h = this.head
      if (h.length !== undefined) {
        if (this.buf.length < h.length) return undefined
        const body = this.buf.subarray(0, h.length)
        this.buf = this.buf.subarray(h.length)
        return this.done(body, h.close)
      }
      if (!h.chunked) {
        // No length and not chunked: the body runs until the backend closes (see end()).
        this.take(this.buf)
        this.buf = Buffer.alloc(0)
        return undefined
      }
      // Chunked: <hex size>[;ext]\r\n<data>\r\n ... 0\r\n[trailers]\r\n
      const eol = this.buf.indexOf('\r\n')
      if (eol < 0) return undefined
      const size = parseInt(this.buf.subarray(0, eol).toString('latin1').split(';')[0].trim(), 16)
      if (!Number.isSafeInteger(size) || size < 0) throw new Error('invalid chunk size')
      if (size === 0) {
        const end = this.buf.indexOf(CRLF2, eol)
        if (end < 0) return undefined
        this.buf = this.buf.subarray(end + 4)
        return this.done(Buffer.concat(this.chunks), h.close)
      }
      if (this.buf.length < eol + 2 + size + 2) return undefined
      this.take(this.buf.subarray(eol + 2, eol + 2 + size))
      this.buf = this.buf.subarray(eol + 2 + size + 2)
    }
  }

  /** The backend closed the connection: completes a read-to-close body, else the answer is cut short. */
  end(): { answer: Http1Answer; close: boolean } | undefined {
    if (this.head && this.head.length === undefined && !this.head.chunked) return this.done(Buffer.concat(this.chunks), true)
    return undefined
  }

  private take(b: Buffer): void {
    this.size += b.length
    if (this.size > this.maxSize) throw new TooLargeError(`backend response too large (over ${this.maxSize} bytes)`)
    this.chunks.push(b)
  }

  private done(body: Buffer, close: boolean): { answer: Http1Answer; close: boolean } {
    const answer = { status: this.head!.status, body }
    if (this.buf.length) close = true // bytes after the answer: nothing was asked for them
    return { answer, close }
  }
}

export class Http1Pool {
  private readonly idle: Array<{ socket: Socket; release(): void }> = []
  private readonly waiting: Array<() => void> = []
  /** Connections with an exchange in flight. */
  private readonly busy = new Set<Socket>()
  private closed = false
  private open = 0
  private readonly host: string
  private readonly port: number
  private readonly head: string

  constructor(
    url: URL,
    private readonly maxSockets = 64,
  ) {
    if (url.protocol !== 'http:') throw new Error(`${url.href}: only http:// backends are supported`)
    this.host = url.hostname.replace(/^\[|\]$/g, '')
    this.port = Number(url.port || 80)
    this.head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nConnection: keep-alive\r\nContent-Length: `
  }

  /** POSTs `body`; rejects on a transport failure, after `timeoutMs`, or with TooLargeError over `maxSize` bytes. */
  async post(body: string, timeoutMs: number, maxSize: number): Promise<Http1Answer> {
    if (this.closed) throw new Error('the connection pool to the backend is closed')
    const payload = Buffer.from(body, 'utf8')
    const message = Buffer.concat([Buffer.from(`${this.head}${payload.length}\r\n\r\n`, 'latin1'), payload])
    const deadline = Date.now() + timeoutMs
    const first = await this.acquire()
    const reused = first !== undefined
    try {
      return await this.exchange(first ?? this.dial(), message, deadline, timeoutMs, maxSize)
    } catch (err) {
      if (!(reused && err instanceof UnansweredError) || this.closed) throw err
      return await this.exchange(this.dial(), message, deadline, timeoutMs, maxSize)
    } finally {
      this.open--
      this.waiting.shift()?.()
    }
  }

  /** Closes the idle connections (after the backend failed: they may never answer). */
  destroyIdle(): void {
    for (const { socket } of this.idle.splice(0)) socket.destroy()
  }

  /** Closes every connection, those with an exchange in flight too (they fail at once), and refuses new posts. */
  close(): void {
    this.closed = true
    this.destroyIdle()
    for (const socket of this.busy) socket.destroy()
  }

  /** Waits for a free slot; returns an idle connection if one is kept, else undefined (dial one). */
  private async acquire(): Promise<Socket | undefined> {
    while (this.open >= this.maxSockets) await new Promise<void>((r) => this.waiting.push(r))
    this.open++
    const kept = this.idle.pop()
    kept?.release()
    return kept?.socket
  }

  private dial(): Socket {
    const s = connect({ host: this.host, port: this.port, noDelay: true })
    s.setKeepAlive(true, 30_000)
    return s
  }

  private exchange(socket: Socket, message: Buffer, deadline: number, timeoutMs: number, maxSize: number): Promise<Http1Answer> {
    return new Promise<Http1Answer>((resolve, reject) => {
      const parser = new AnswerParser(maxSize)
      const timer = setTimeout(() => fail(new Error(`did not answer within ${timeoutMs} ms`)), Math.max(0, deadline - Date.now()))
      this.busy.add(socket)
      const cleanup = () => {
        this.busy.delete(socket)
        clearTimeout(timer)
        socket.off('data', onData)
        socket.off('end', onEnd)
        socket.off('close', onClose)
        socket.off('error', onError)
      }
      const fail = (err: Error) => {
        cleanup()
        socket.destroy()
        reject(err)
      }
      const finish = (r: { answer: Http1Answer; close: boolean }) => {
        cleanup()
        if (r.close || socket.destroyed) socket.destroy()
        else this.keep(socket)
        resolve(r.answer)
      }
      const onData = (d: Buffer) => {
        let r
        try {
          r = parser.push(d)
        } catch (err) {
          return fail(err as Error)
        }
        if (r) finish(r)
      }
      const onEnd = () => {
        const r = parser.end()
        if (r) return finish(r)
        fail(parser.received ? new Error('the backend closed the connection in the middle of its answer') : new UnansweredError('the backend closed the connection without answering'))
      }
      const onClose = () => onEnd()
      const onError = (err: Error) => fail(parser.received ? err : new UnansweredError(err.message))
      socket.on('data', onData)
      socket.on('end', onEnd)
      socket.on('close', onClose)
      socket.on('error', onError)
      socket.write(message)
    })
  }

  /** Keeps `socket` idle for the next request; it leaves the pool if the backend closes it meanwhile. */
  private keep(socket: Socket): void {
    const entry = {
      socket,
      release: () => {
        socket.off('end', drop)
        socket.off('close', drop)
        socket.off('error', drop)
        socket.off('data', drop)
      },
    }
    // The backend closed it, or sent bytes nobody asked for (the connection is out of step).
    const drop = () => {
      entry.release()
      const i = this.idle.indexOf(entry)
      if (i >= 0) this.idle.splice(i, 1)
      socket.destroy()
    }
    socket.on('end', drop)
    socket.on('close', drop)
    socket.on('error', drop)
    socket.on('data', drop)
    this.idle.push(entry)
  }
}

/** The connection failed or closed before any byte of the answer: nothing was answered. */
class UnansweredError extends Error {
  override name = 'UnansweredError'
}
