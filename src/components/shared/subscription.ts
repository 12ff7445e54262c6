/**
 * One `eth_subscribe` kept alive over a WebSocket: it connects, subscribes, hands every notification's
 * `result` to `onResult`, and after any close or error connects again (backoff 250 ms doubling to
 * `maxBackoffMs`). `live` is true between the subscription's answer and the next close, so a caller can
 * know whether notifications flow. A link that is cut resets the socket; a link that only goes silent is
 * the caller's to notice (the rollup node keeps polling, over the same socket with `call` while it is live).
 */
import { WebSocket } from 'ws'
import { WsCalls, type RpcFrame } from './wsRpc.js'

export interface Subscription {
  /** Whether notifications are flowing (subscribed, socket open). */
  readonly live: boolean
  /**
   * A JSON-RPC call over the subscription's socket, while it is live: a poll beside the notifications
   * costs one frame each way instead of an HTTP exchange. Rejects when the subscription is not live, when
   * the socket closes before the answer, or after `timeoutMs`; an error answer rejects with its message.
   */
  call<R>(method: string, params: unknown[], timeoutMs: number): Promise<R>
  close(): void
}

export interface SubscribeOptions {
  /** Longest wait between reconnects, ms. @default 2000 */
  maxBackoffMs?: number
  /** Called when `live` changes. */
  onLive?: (live: boolean) => void
  /** Longest wait for the socket to open and the subscription to be answered, ms. @default 5000 */
  handshakeMs?: number
}

export function subscribe<T>(url: string, params: unknown[], onResult: (result: T) => void, opts: SubscribeOptions = {}): Subscription {
  const maxBackoff = opts.maxBackoffMs ?? 2_000
  const handshakeMs = opts.handshakeMs ?? 5_000
  let ws: WebSocket | undefined
  let live = false
  let closed = false
  let backoff = 250
  let retry: NodeJS.Timeout | undefined
  // Calls in flight on the current socket (1 is the subscription's own request).
  const calls = new WsCalls(url, 2)

  const setLive = (value: boolean) => {
    if (live === value) return
    live = value
    opts.onLive?.(value)
  }

  const connect = () => {
    retry = undefined
    if (closed) return
    const socket = new WebSocket(url, { handshakeTimeout: handshakeMs })
    ws = socket
    let subId: string | undefined
    const answerTimer = setTimeout(() => socket.terminate(), handshakeMs)
    socket.on('open', () => socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params })))
    socket.on('message', (data) => {
      let msg: RpcFrame & { method?: string; params?: { subscription?: string; result?: T } }
      try {
        msg = JSON.parse(data.toString())
      } catch {
        return
      }
      if (calls.answer(msg)) return // an answer to a call (ids from 2)
      if (msg.id === 1) {
        clearTimeout(answerTimer)
        if (typeof msg.result !== 'string') {
          // The server refuses the subscription: no point hammering it faster than the longest backoff.
          backoff = maxBackoff
          socket.close()
          return
        }
        subId = msg.result
        backoff = 250
        setLive(true)
        return
      }
      const note = msg.params
      if (msg.method === 'eth_subscription' && note && note.subscription === subId && note.result !== undefined) onResult(note.result)
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(answerTimer)
      if (ws === socket) ws = undefined
      setLive(false)
      calls.fail(`${url}: connection closed`)
      if (closed) return
      retry = setTimeout(connect, backoff)
      backoff = Math.min(backoff * 2, maxBackoff)
    })
  }
  connect()

  return {
    get live() {
      return live
    },
    call<R>(method: string, params: unknown[], timeoutMs: number): Promise<R> {
      const socket = ws
      if (!live || !socket) return Promise.reject(new Error(`${url}: subscription not live`))
      return calls.call<R>(socket, method, params, timeoutMs)
    },
    close() {
      closed = true
      if (retry) clearTimeout(retry)
      ws?.terminate()
      setLive(false)
      calls.fail(`${url}: subscription closed`)
    },
  }
}
