/**
 * Bad client input gets op-geth's JSON-RPC errors, never a crash or a hung connection: malformed JSON
 * (-32700), invalid requests and batches (-32600), unknown methods (-32601), unknown subscriptions
 * (-32601), subscriptions over HTTP (-32601), a WebSocket frame that is not JSON (-32700, and the
 * connection keeps serving).
 */
import { describe, expect, test } from 'vitest'
import { rpc } from '../helpers.js'
import type { ClientContext } from './context.js'
import { WsClient } from './ws.js'

async function post(url: string, body: string): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  return res.json()
}

export function errorSuite(get: () => ClientContext): void {
  describe('bad input', () => {
    test('error: HTTP bodies', async () => {
      const { el } = get()
      expect((await post(el, '{"jsonrpc":"2.0","id":1,"method":')).error).toEqual({ code: -32700, message: 'parse error' })
      expect((await post(el, '{"jsonrpc":"2.0","id":1,"method":"no_such_method","params":[]}')).error.code).toBe(-32601)
      expect((await post(el, '{"jsonrpc":"2.0","id":1}')).error.code).toBe(-32600)
      expect((await post(el, '[]')).error).toEqual({ code: -32600, message: 'empty batch' })
      const batch = await post(el, JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
        { jsonrpc: '2.0', id: 2, method: 'no_such_method', params: [] },
        42,
      ]))
      expect(batch.map((r: { id: unknown }) => r.id)).toEqual([1, 2, null])
      expect(batch[0].result).toBe(`0x${get().devnet.topology.l2.chainId.toString(16)}`)
      expect(batch[1].error.code).toBe(-32601)
      expect(batch[2].error.code).toBe(-32600)
      const big = JSON.stringify(Array.from({ length: 1001 }, (_, id) => ({ jsonrpc: '2.0', id, method: 'eth_chainId', params: [] })))
      expect((await post(el, big)).error).toEqual({ code: -32600, message: 'batch too large' })
      expect((await post(el, '{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}')).error).toEqual({ code: -32601, message: 'notifications not supported' })
      expect((await post(el, '{"jsonrpc":"2.0","id":1,"method":"anvil_mine","params":[]}')).error.code).toBe(-32601)
      // The server is still fine.
      expect(await rpc(el, 'eth_chainId')).toMatch(/^0x/)
    })

    test('error: WebSocket frames and subscriptions', async () => {
      const ws = await WsClient.open(get().elWs)
      try {
        ws.socket.send('this is not json')
        expect((await ws.next((m) => m.id === null)).error).toEqual({ code: -32700, message: 'parse error' })
        expect((await ws.request('eth_subscribe', ['noSuchThing'])).error).toEqual({ code: -32601, message: 'no "noSuchThing" subscription in eth namespace' })
        expect((await ws.request('eth_subscribe', [])).error?.code).toBe(-32602)
        expect((await ws.request('eth_subscribe', ['logs', { address: '0x12' }])).error?.code).toBe(-32602)
        expect((await ws.request('eth_unsubscribe', ['0x1234'])).error).toEqual({ code: -32000, message: 'subscription not found' })
        expect((await ws.request('no_such_method')).error?.code).toBe(-32601)
        ws.socket.send('[]')
        expect((await ws.next((m) => m.id === null)).error?.code).toBe(-32600)
        // The connection still serves requests.
        expect((await ws.request('eth_chainId')).result).toMatch(/^0x/)
      } finally {
        ws.close()
      }
    })
  })
}
