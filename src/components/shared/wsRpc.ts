/**
 * A JSON-RPC client over one WebSocket, for a server that answers both on one port (anvil does): a call is one
 * frame each way instead of an HTTP exchange, which was most of the cost of a rollup node's calls to its own
 * anvil (one per engine step, several per block). The socket opens at the first call, and again at the next
 * call after it closed; calls in flight when it closes fail. `url` is the server's HTTP URL.
 */
import { WebSocket } from 'ws'
import { RpcError, type RpcClient } from './jsonrpc.js'

export interface WsRpcClient extends RpcClient {
  /** Closes the socket; calls in flight fail, later ones open a new socket. */
  close(): void
}

/** A JSON-RPC answer (or anything else a server sends), as parsed from one frame. */
export interface RpcFrame {
  id?: unknown
  result?: unknown
  error?: { code?: number; message?: string; data?: unknown }
}

/**
 * JSON-RPC calls in flight over WebSockets, matched to their answers by id: the one mechanism behind
 * {@link wsRpcClient} and `subscribe`'s calls beside its notifications (`subscription.ts`).
 */
export class WsCalls {
  private readonly pending = new Map<number, { method: string; ws: WebSocket; resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>()

  /** `firstId`: ids below it are the owner's own requests (the subscription's is 1). */
  constructor(private readonly url: string, private nextId = 1) {}

  /** Sends the call on `ws`: its result, or an error for an error answer, no answer within `timeoutMs`, a failed send or {@link fail}. */
  call<T>(ws: WebSocket, method: string, params: unknown[], timeoutMs: number): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(id)?.reject(new Error(`${method}: no answer from ${this.url} within ${timeoutMs} ms`)), timeoutMs)
      this.pending.set(id, { method, ws, resolve: resolve as (value: unknown) => void, reject, timer })
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }), (error) => {
        if (error) this.settle(id)?.reject(new Error(`${method}: not sent to ${this.url}: ${error.message}`))
      })
    })
  }

  /** Settles the call `frame` answers, an error answer as the HTTP client (`rpcClient`) reports it; false if it answers none. */
  answer(frame: RpcFrame): boolean {
    const call = typeof frame.id === 'number' ? this.settle(frame.id) : undefined
    if (!call) return false
    const error = frame.error
    if (error) call.reject(new RpcError(error.code ?? -32603, `${call.method}: ${error.message ?? 'error'}`, error.data, error.message))
    else call.resolve(frame.result)
    return true
  }

  /** Fails the calls in flight on `ws` (every one without it) with `why`. */
  fail(why: string, ws?: WebSocket): void {
    for (const [id, call] of [...this.pending]) if (!ws || call.ws === ws) this.settle(id)?.reject(new Error(why))
  }

  private settle(id: number) {
    const call = this.pending.get(id)
    if (!call) return undefined
    this.pending.delete(id)
    clearTimeout(call.timer)
    return call
  }
}

/**
 * @example
 * const rpc = wsRpcClient(`http://127.0.0.1:${port}`, 30_000)
 * await rpc.call('evm_mine', [{ timestamp, blocks: 1 }])
 */
export function wsRpcClient(url: string, defaultTimeoutMs = 10_000): WsRpcClient {
  const wsUrl = url.replace(/^http/, 'ws')
  let socket: Promise<WebSocket> | undefined
  const calls = new WsCalls(url)

  const connect = (timeoutMs: number): Promise<WebSocket> => {
    const opened: Promise<WebSocket> = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { handshakeTimeout: timeoutMs, perMessageDeflate: false })
      ws.once('open', () => resolve(ws))
      ws.on('error', (error) => reject(new Error(`connection to ${url}: ${error.message}`)))
      ws.on('message', (data) => {
        try {
          calls.answer(JSON.parse(String(data)) as RpcFrame)
        } catch {
          // not an answer of ours
        }
      })
      ws.once('close', () => {
        if (socket === opened) socket = undefined
        reject(new Error(`connection to ${url} closed`))
        calls.fail(`connection to ${url} closed before the answer`, ws)
      })
    })
    opened.catch(() => {
      if (socket === opened) socket = undefined // the next call tries again
    })
    return opened
  }

  return {
    url,
    async call<T>(method: string, params: unknown[] = [], timeoutMs = defaultTimeoutMs): Promise<T> {
      socket ??= connect(timeoutMs)
      return calls.call<T>(await socket, method, params, timeoutMs)
    },
    close() {
      const current = socket
      socket = undefined
      void current?.then((ws) => ws.close(), () => {})
    },
  }
}
