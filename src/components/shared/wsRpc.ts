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

interface Pending {
  method: string
  ws: WebSocket
  resolve: (value: unknown) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

/**
 * @example
 * const rpc = wsRpcClient(`http://127.0.0.1:${port}`, 30_000)
 * await rpc.call('evm_mine', [{ timestamp, blocks: 1 }])
 */
export function wsRpcClient(url: string, defaultTimeoutMs = 10_000): WsRpcClient {
  const wsUrl = url.replace(/^http/, 'ws')
  let socket: Promise<WebSocket> | undefined
  let nextId = 1
  const pending = new Map<number, Pending>()
  const settle = (id: number): Pending | undefined => {
    const call = pending.get(id)
    if (!call) return undefined
    pending.delete(id)
    clearTimeout(call.timer)
    return call
  }

  const connect = (timeoutMs: number): Promise<WebSocket> => {
    const opened: Promise<WebSocket> = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { handshakeTimeout: timeoutMs, perMessageDeflate: false })
      ws.once('open', () => resolve(ws))
      ws.on('error', (error) => reject(new Error(`connection to ${url}: ${error.message}`)))
      ws.on('message', (data) => {
        let msg: { id?: number; result?: unknown; error?: { code: number; message: string; data?: unknown } }
        try {
          msg = JSON.parse(String(data))
        } catch {
          return // not an answer of ours
        }
        const call = typeof msg.id === 'number' ? settle(msg.id) : undefined
        if (!call) return
        if (msg.error) call.reject(new RpcError(msg.error.code, `${call.method}: ${msg.error.message}`, msg.error.data, msg.error.message))
        else call.resolve(msg.result)
      })
      ws.once('close', () => {
        if (socket === opened) socket = undefined
        reject(new Error(`connection to ${url} closed`))
        for (const [id, call] of [...pending]) if (call.ws === ws) settle(id)?.reject(new Error(`connection to ${url} closed before the answer`))
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
      const ws = await socket
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => settle(id)?.reject(new Error(`request to ${url} (${method}) timed out after ${timeoutMs} ms`)), timeoutMs)
        pending.set(id, { method, ws, resolve: resolve as (value: unknown) => void, reject, timer })
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }), (error) => {
          if (error) settle(id)?.reject(new Error(`request to ${url} (${method}) not sent: ${error.message}`))
        })
      })
    },
    close() {
      const current = socket
      socket = undefined
      void current?.then((ws) => ws.close(), () => {})
    },
  }
}
