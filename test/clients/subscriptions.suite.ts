/** WebSocket on each node's L2 RPC port: plain calls, `newHeads`, `logs` with filters, `newPendingTransactions`. */
import { createWalletClient, http, keccak256, numberToHex, pad, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import type { ClientContext } from './context.js'
import { PING_TOPIC } from './emitter.js'
import { WsClient } from './ws.js'

export function subscriptionSuite(get: () => ClientContext): void {
  describe('WebSocket', () => {
    test('default: the descriptor lists elWs per node and the L1 ws, and both answer', async () => {
      const { devnet } = get()
      const services = devnet.descriptor().services
      for (const s of services.filter((x) => x.role === 'sequencer' || x.role === 'replica')) expect(s.endpoints.elWs).toBe(s.endpoints.el.replace('http://', 'ws://'))
      const l1 = services.find((s) => s.role === 'l1')!
      expect(l1.endpoints.ws).toBe(l1.endpoints.rpc.replace('http://', 'ws://'))
      const ws = await WsClient.open(l1.endpoints.ws)
      try {
        expect((await ws.request('eth_chainId')).result).toBe(numberToHex(devnet.topology.l1.chainId))
        const heads = await ws.subscribe('newHeads')
        expect(Number((await ws.notification(heads)).number)).toBeGreaterThan(0)
      } finally {
        ws.close()
      }
    })

    for (const node of ['sequencer', 'replica'] as const) {
      test(`behavior: calls, newHeads, logs and pending transactions over WebSocket (${node})`, async () => {
        const ctx = get()
        const ws = await WsClient.open(node === 'sequencer' ? ctx.elWs : ctx.replicaElWs)
        try {
          expect((await ws.request('eth_chainId')).result).toBe(numberToHex(ctx.devnet.topology.l2.chainId))
          const heads = await ws.subscribe('newHeads')
          const mine = await ws.subscribe('logs', { address: ctx.emitter, topics: [PING_TOPIC, pad(ctx.account.address)] })
          const anyOf = await ws.subscribe('logs', { address: [ctx.emitter, '0x0000000000000000000000000000000000000001'], topics: [[PING_TOPIC], null] })
          const others = await ws.subscribe('logs', { topics: [PING_TOPIC, pad('0x0000000000000000000000000000000000000001')] })
          const pending = await ws.subscribe('newPendingTransactions')
          const pendingFull = await ws.subscribe('newPendingTransactions', true)
          expect(new Set([heads, mine, anyOf, others, pending, pendingFull]).size).toBe(6)
          const first = await ws.notification(heads)
          const second = await ws.notification(heads)
          expect(Number(second.number)).toBe(Number(first.number) + 1)
          expect(second.parentHash).toBe(first.hash)
          expect(second).not.toHaveProperty('transactions')
          expect(second.stateRoot).toMatch(/^0x[0-9a-f]{64}$/)
          // A Ping sent through this node's RPC: its pending hash, then its log on both matching subscriptions.
          const wallet = createWalletClient({ account: ctx.account, chain: ctx.devnet.l2().chain, transport: http(node === 'sequencer' ? ctx.el : ctx.replicaEl) })
          const request = await wallet.prepareTransactionRequest({ to: ctx.emitter, data: pad(numberToHex(42)) })
          const raw = await wallet.signTransaction(request)
          const hash: Hex = await wallet.sendRawTransaction({ serializedTransaction: raw })
          expect(hash).toBe(keccak256(raw))
          expect(await ws.notification(pending, (h) => h === hash)).toBe(hash)
          const tx = await ws.notification(pendingFull, (t) => t.hash === hash)
          expect(tx).toMatchObject({ from: ctx.account.address.toLowerCase(), to: ctx.emitter.toLowerCase(), input: pad(numberToHex(42)), blockNumber: null })
          const log = await ws.notification(mine, (l) => l.transactionHash === hash)
          expect(log).toMatchObject({ address: ctx.emitter.toLowerCase(), topics: [PING_TOPIC, pad(ctx.account.address.toLowerCase() as Hex)], data: pad(numberToHex(42)), removed: false })
          expect((await ws.notification(anyOf, (l) => l.transactionHash === hash)).logIndex).toBe(log.logIndex)
          // The block that holds it was announced by newHeads.
          await ws.notification(heads, (h) => h.hash === log.blockHash)
          expect(ws.messages.some((m) => m.params?.subscription === others)).toBe(false)
          expect((await ws.request('eth_unsubscribe', [heads])).result).toBe(true)
          expect((await ws.request('eth_unsubscribe', [heads])).error?.message).toBe('subscription not found')
        } finally {
          ws.close()
        }
      })
    }
  })
}
