/** A raw JSON-RPC WebSocket client for the tests: requests by id, notifications by subscription. */
import WebSocket from 'ws'

export interface RpcMessage {
  id?: number | null
  result?: any
  error?: { code: number; message: string }
  method?: string
  params?: { subscription: string; result: any }
}

export class WsClient {
  readonly messages: RpcMessage[] = []
  #waiters: Array<() => void> = []
  #id = 1

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()))
      for (const w of this.#waiters.splice(0)) w()
    })
  }

  static async open(url: string): Promise<WsClient> {
    const socket = new WebSocket(url)
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return new WsClient(socket)
  }

  /** Waits for (and removes) the first message `match` accepts. */
  async next(match: (m: RpcMessage) => boolean, timeoutMs = 30_000): Promise<RpcMessage> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const i = this.messages.findIndex(match)
      if (i >= 0) return this.messages.splice(i, 1)[0]
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no matching WebSocket message within ${timeoutMs} ms; unmatched: ${this.summary()}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Sends a request and returns the whole response (result or error). */
  async request(method: string, params: unknown[] = []): Promise<RpcMessage> {
    const id = this.#id++
    this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    return this.next((m) => m.id === id)
  }

  /** `eth_subscribe`; throws on an error answer. */
  async subscribe(...params: unknown[]): Promise<string> {
    const res = await this.request('eth_subscribe', params)
    if (res.error) throw new Error(`eth_subscribe: ${res.error.message}`)
    return res.result
  }

  /** The next notification of subscription `id` that `match` accepts. */
  notification(id: string, match: (result: any) => boolean = () => true, timeoutMs?: number): Promise<any> {
    return this.next((m) => m.method === 'eth_subscription' && m.params?.subscription === id && match(m.params.result), timeoutMs).then((m) => m.params!.result)
  }

  /** One line per buffered message: id or subscription, block number, transaction, removed flag. */
  summary(): string {
    return this.messages
      .map((m) => {
        const r = m.params?.result
        if (!r) return `id=${m.id} ${m.error ? `error ${m.error.code}` : 'result'}`
        return `sub=${m.params!.subscription.slice(0, 10)} ${typeof r === 'string' ? r.slice(0, 10) : `block=${Number(r.number ?? r.blockNumber)} tx=${r.transactionHash?.slice(0, 10) ?? '-'} removed=${r.removed ?? '-'}`}`
      })
      .join('\n')
  }

  close(): void {
    this.socket.terminate()
  }
}
