/**
 * Minimal JSON-RPC 2.0 for the lite components: an HTTP client with per-call timeouts and a server
 * with batch support, `GET /healthz`, optionally `GET /metrics` (Prometheus) and WebSocket on the same
 * port (for subscriptions).
 * Kept here (not viem) because the components call many non-standard methods (anvil_*, evm_*,
 * optimism_*) on hot paths. Error codes follow geth: -32700 parse error, -32600 invalid request or
 * batch, -32601 unknown method, -32000 anything a handler throws without a code.
 */
import { chmodSync, rmSync } from 'node:fs'
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Registry } from 'prom-client'
import { WebSocketServer, type WebSocket } from 'ws'
import { sendMetrics } from './metrics.js'

export class RpcError extends Error {
  override name = 'RpcError'
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
    /** The server's message without the method prefix (for proxies that pass errors on). */
    readonly serverMessage: string = message,
  ) {
    super(message)
  }
}

export interface RpcClient {
  readonly url: string
  call<T = unknown>(method: string, params?: unknown[], timeoutMs?: number): Promise<T>
}

let nextId = 1

/**
 * A JSON-RPC client for `url` over one keep-alive HTTP agent (node:http is ~2x faster than fetch on
 * loopback, which matters when a node re-executes hundreds of blocks). Errors answered by the
 * server throw `RpcError`; transport errors throw as they are. Once `signal` aborts (the component
 * stops), calls in flight and later ones fail at once: a stop does not wait out a call to a node that
 * does not answer (a paused one held a challenger's stop for its 10 s timeout). With `socketPath` it
 * speaks HTTP over that unix socket (`url` then only gives the path part and names it in errors).
 */
export function rpcClient(url: string, defaultTimeoutMs = 10_000, { signal, socketPath }: { signal?: AbortSignal; socketPath?: string } = {}): RpcClient {
  const target = new URL(url)
  const agent = new Agent({ keepAlive: true, maxSockets: 16 })
  const post = (body: string, timeoutMs: number) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      if (signal?.aborted) return reject(new Error(`request to ${url} not sent: stopping`))
      const req = httpRequest(
        {
          ...(socketPath ? { socketPath } : { host: target.hostname, port: target.port || 80 }),
          path: target.pathname + target.search,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (c: string) => (text += c))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
          res.on('error', reject)
        },
      )
      req.setTimeout(timeoutMs, () => {
        req.destroy(new Error(`request to ${url} timed out after ${timeoutMs} ms`))
        // The idle keep-alive sockets likely took the same dead path (a black-holed connection behind a
        // link proxy, a peer that moved networks): drop them, so the next call dials afresh instead of
        // timing out once per pooled socket.
        for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy()
      })
      const abort = () => req.destroy(new Error(`request to ${url} cut short: stopping`))
      signal?.addEventListener('abort', abort, { once: true })
      req.on('close', () => signal?.removeEventListener('abort', abort))
      req.on('error', reject)
      req.end(body)
    })
  return {
    url,
    async call<T>(method: string, params: unknown[] = [], timeoutMs = defaultTimeoutMs): Promise<T> {
      const res = await post(JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }), timeoutMs)
      let body: { result?: T; error?: { code: number; message: string; data?: unknown } }
      try {
        body = JSON.parse(res.text)
      } catch {
        throw new RpcError(-32700, `${method}: invalid JSON from ${url} (HTTP ${res.status}): ${res.text.slice(0, 200)}`)
      }
      if (body.error) throw new RpcError(body.error.code, `${method}: ${body.error.message}`, body.error.data, body.error.message)
      return body.result as T
    },
  }
}

export type RpcHandler = (params: unknown[]) => unknown | Promise<unknown>

export interface RpcServerOptions {
  host: string
  port: number
  /**
   * A unix socket to listen on instead of `host` and `port` (an existing file there is replaced; the
   * socket is made connectable by every user, as a TCP port on loopback is).
   */
  path?: string
  /** Method table; a missing method answers -32601. */
  methods: Record<string, RpcHandler>
  /** Called for methods not in the table before answering -32601 (e.g. a proxy). */
  fallback?: (method: string, params: unknown[], raw: unknown) => Promise<unknown>
  /** Body of `GET /healthz`. */
  health?: () => unknown
  /** Prometheus registry answered on `GET /metrics`. */
  metrics?: Registry
  /**
   * Accept WebSocket connections on the same port. Called once per connection; the methods it returns
   * answer on that connection before `methods` (e.g. `eth_subscribe` bound to the session).
   */
  websocket?: (session: RpcSession) => Record<string, RpcHandler>
}

/** One WebSocket connection of a server started with `websocket`. */
export interface RpcSession {
  /** Sends a JSON-RPC notification `{ jsonrpc, method, params }` if the connection is still open. */
  notify(method: string, params: unknown): void
  /** Runs `fn` once when the connection closes. */
  onClose(fn: () => void): void
}

/** geth's limit on the number of requests in one batch. */
export const MAX_BATCH_LENGTH = 1000

/** Thrown by handlers to answer with a specific JSON-RPC error. */
export function rpcFail(code: number, message: string, data?: unknown): never {
  throw new RpcError(code, message, data)
}

const METHOD_NOT_FOUND = -32601

async function handleOne(opts: RpcServerOptions, req: any, methods: Record<string, RpcHandler> = opts.methods): Promise<unknown> {
  const id = req?.id ?? null
  if (!req || typeof req !== 'object' || typeof req.method !== 'string') {
    return { jsonrpc: '2.0', id, error: { code: -32600, message: 'invalid request' } }
  }
  const params = Array.isArray(req.params) ? req.params : req.params === undefined ? [] : [req.params]
  try {
    const handler = Object.hasOwn(methods, req.method) ? methods[req.method] : undefined
    let result: unknown
    if (handler) result = await handler(params)
    else if (opts.fallback) result = await opts.fallback(req.method, params, req)
    else throw new RpcError(METHOD_NOT_FOUND, `the method ${req.method} does not exist/is not available`)
    return { jsonrpc: '2.0', id, result: result === undefined ? null : result }
  } catch (err) {
    if (err instanceof RpcError) return { jsonrpc: '2.0', id, error: { code: err.code, message: err.serverMessage, ...(err.data === undefined ? {} : { data: err.data }) } }
    return { jsonrpc: '2.0', id, error: { code: -32000, message: err instanceof Error ? err.message : String(err) } }
  }
}

const PARSE_ERROR = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } }

/** Answers one parsed message (a request or a batch) as geth does; `undefined` for nothing to send. */
async function handleMessage(opts: RpcServerOptions, parsed: unknown, methods?: Record<string, RpcHandler>): Promise<unknown> {
  if (!Array.isArray(parsed)) return handleOne(opts, parsed, methods)
  if (parsed.length === 0) return { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'empty batch' } }
  if (parsed.length > MAX_BATCH_LENGTH) return { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'batch too large' } }
  return Promise.all(parsed.map((r) => handleOne(opts, r, methods)))
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Starts an HTTP JSON-RPC server; resolves once it listens. */
export async function startRpcServer(opts: RpcServerOptions): Promise<Server> {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('access-control-allow-origin', '*')
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-headers', '*')
      res.writeHead(204).end()
      return
    }
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(opts.health?.() ?? { ok: true }))
      return
    }
    if (req.method === 'GET' && req.url === '/metrics' && opts.metrics) {
      sendMetrics(opts.metrics, res)
      return
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end()
      return
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(await readBody(req))
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' })
      res.end(JSON.stringify(PARSE_ERROR))
      return
    }
    const out = await handleMessage(opts, parsed)
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out, bigintReplacer))
  })
  server.keepAliveTimeout = 30_000
  if (opts.websocket) acceptWebSockets(server, opts, opts.websocket)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    const listening = () => {
      server.off('error', reject)
      try {
        if (opts.path) chmodSync(opts.path, 0o666)
        resolve()
      } catch (err) {
        server.close()
        reject(err)
      }
    }
    if (opts.path) {
      rmSync(opts.path, { force: true })
      server.listen(opts.path, listening)
    } else server.listen(opts.port, opts.host, listening)
  })
  return server
}

/** WebSocket upgrades on `server`: each text frame is a request or batch; a frame that is not JSON gets -32700. */
function acceptWebSockets(server: Server, opts: RpcServerOptions, open: NonNullable<RpcServerOptions['websocket']>): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 128 * 1024 * 1024 })
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, opts, open))
  })
  sockets.set(server, wss)
}

/** The WebSocket side of each server, so `closeServer` can end its connections too. */
const sockets = new WeakMap<Server, WebSocketServer>()

function serveSocket(ws: WebSocket, opts: RpcServerOptions, open: NonNullable<RpcServerOptions['websocket']>): void {
  const closers: Array<() => void> = []
  const send = (msg: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg, bigintReplacer))
  }
  const session: RpcSession = {
    notify: (method, params) => send({ jsonrpc: '2.0', method, params }),
    onClose: (fn) => closers.push(fn),
  }
  const methods = { ...opts.methods, ...open(session) }
  ws.on('error', () => ws.terminate())
  ws.on('close', () => {
    for (const fn of closers.splice(0)) fn()
  })
  ws.on('message', async (data, isBinary) => {
    let parsed: unknown
    try {
      parsed = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString())
    } catch {
      send(PARSE_ERROR)
      return
    }
    send(await handleMessage(opts, parsed, methods))
  })
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `0x${value.toString(16)}` : value
}

export function closeServer(server: Server): Promise<void> {
  const wss = sockets.get(server)
  if (wss) {
    for (const client of wss.clients) client.terminate()
    wss.close()
  }
  return new Promise((resolve) => {
    server.closeAllConnections?.()
    server.close(() => resolve())
  })
}
