/**
 * viem's public actions as an app uses them, against the lite L2 (op-stack chain formatters from
 * `viem/op-stack`): blocks, logs, calls and contract reads without an account, gas, receipts of deposit
 * and user transactions, proofs, fee history, access lists, and WebSocket watchers.
 */
import { createPublicClient, defineChain, http, numberToHex, pad, parseAbi, webSocket } from 'viem'
import { chainConfig } from 'viem/op-stack'
import { describe, expect, test } from 'vitest'
import { L1_BLOCK_ADDRESS } from '../../src/protocol/constants.js'
import type { ClientContext } from './context.js'
import { emitterAbi, PING_TOPIC } from './emitter.js'

const l1BlockAbi = parseAbi(['function number() view returns (uint64)', 'function basefee() view returns (uint256)'])

function chainOf(ctx: ClientContext) {
  return defineChain({
    ...chainConfig,
    id: ctx.devnet.topology.l2.chainId,
    name: 'lite L2',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [ctx.el], webSocket: [ctx.elWs] } },
  })
}

export function viemSuite(get: () => ClientContext): void {
  describe('viem', () => {
    const client = () => createPublicClient({ chain: chainOf(get()), transport: http(get().el) })

    test('behavior: getBlock with and without transactions', async () => {
      const c = client()
      const block = await c.getBlock()
      expect(block.transactions.every((t) => typeof t === 'string')).toBe(true)
      const full = await c.getBlock({ blockNumber: block.number, includeTransactions: true })
      expect(full.hash).toBe(block.hash)
      expect(full.transactions[0]).toMatchObject({ type: 'deposit', to: L1_BLOCK_ADDRESS.toLowerCase() })
      expect((await c.getBlock({ blockTag: 'safe' })).number).toBeLessThanOrEqual(block.number)
      expect((await c.getBlock({ blockTag: 'finalized' })).number).toBeGreaterThan(0n)
    })

    test('behavior: getLogs over ranges and topics', async () => {
      const ctx = get()
      const c = client()
      const { blockNumber } = await ctx.ping(11n)
      const all = await c.getLogs({ address: ctx.emitter, fromBlock: 0n, toBlock: 'latest' })
      expect(all.length).toBeGreaterThanOrEqual(2)
      const one = await c.getLogs({ address: ctx.emitter, fromBlock: blockNumber, toBlock: blockNumber })
      expect(one.map((l) => l.data)).toEqual([pad(numberToHex(11))])
      const byTopic = await c.getLogs({ event: emitterAbi[0], args: { from: ctx.account.address }, fromBlock: 0n })
      expect(byTopic.map((l) => l.args.value)).toEqual(expect.arrayContaining([7n, 11n]))
      expect(await c.getLogs({ event: emitterAbi[0], args: { from: L1_BLOCK_ADDRESS }, fromBlock: 0n })).toEqual([])
      const raw = await c.request({ method: 'eth_getLogs', params: [{ topics: [PING_TOPIC], fromBlock: '0x0' }] })
      expect(raw.length).toBe(all.length)
    })

    test('behavior: call, readContract and estimateGas without an account', async () => {
      const c = client()
      expect(await c.readContract({ address: L1_BLOCK_ADDRESS, abi: l1BlockAbi, functionName: 'number' })).toBeGreaterThan(0n)
      expect(await c.readContract({ address: L1_BLOCK_ADDRESS, abi: l1BlockAbi, functionName: 'basefee' })).toBeGreaterThan(0n)
      expect((await c.call({ to: L1_BLOCK_ADDRESS, data: '0x8381f58a' })).data).toMatch(/^0x0{48}/)
      expect(await c.estimateGas({ to: get().emitter, data: pad('0x01') })).toBeGreaterThan(21_000n)
      expect(await c.estimateGas({ account: get().account.address, to: get().emitter, data: pad('0x01') })).toBeGreaterThan(21_000n)
    })

    test('behavior: getTransactionReceipt with op-stack formatters, user and deposit transactions', async () => {
      const ctx = get()
      const c = client()
      const user = await c.getTransactionReceipt({ hash: ctx.pingTx })
      expect(user.status).toBe('success')
      expect(user.l1Fee).toBeGreaterThan(0n)
      expect(user.l1GasPrice).toBeGreaterThan(0n)
      expect(user.l1GasUsed).toBe(1600n)
      const block = await c.getBlock({ blockNumber: user.blockNumber })
      const deposit = await c.getTransactionReceipt({ hash: block.transactions[0] })
      expect(deposit.l1Fee).toBeNull()
      expect(deposit.depositNonce).toBeTypeOf('bigint')
      const tx = await c.getTransaction({ hash: block.transactions[0] })
      expect(tx.type).toBe('deposit')
    })

    test('behavior: getProof, getFeeHistory, estimateMaxPriorityFeePerGas, createAccessList', async () => {
      const ctx = get()
      const c = client()
      const proof = await c.getProof({ address: L1_BLOCK_ADDRESS, storageKeys: [pad('0x0')] })
      expect(proof.storageProof[0].value).toBeGreaterThan(0n)
      expect(proof.accountProof.length).toBeGreaterThan(0)
      const history = await c.getFeeHistory({ blockCount: 4, rewardPercentiles: [25, 75] })
      expect(history.baseFeePerGas.length).toBe(5)
      expect(history.reward?.length).toBe(4)
      expect(await c.estimateMaxPriorityFeePerGas()).toBeGreaterThanOrEqual(0n)
      const list = await c.createAccessList({ to: ctx.emitter, data: pad('0x01') })
      expect(list.accessList).toEqual([])
      expect(list.gasUsed).toBeGreaterThan(21_000n)
    })

    test('behavior: watchBlocks and watchContractEvent over WebSocket', async () => {
      const ctx = get()
      const ws = createPublicClient({ chain: chainOf(ctx), transport: webSocket(ctx.elWs) })
      try {
        const blocks: bigint[] = []
        const events: bigint[] = []
        const unwatchBlocks = ws.watchBlocks({ onBlock: (b) => void blocks.push(b.number), onError: () => {} })
        const unwatchEvents = ws.watchContractEvent({ address: ctx.emitter, abi: emitterAbi, eventName: 'Ping', onLogs: (logs) => events.push(...logs.map((l) => l.args.value!)), onError: () => {} })
        await new Promise((r) => setTimeout(r, 500))
        await ctx.ping(99n)
        const deadline = Date.now() + 20_000
        while ((blocks.length < 3 || !events.includes(99n)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
        unwatchBlocks()
        unwatchEvents()
        expect(events).toContain(99n)
        expect(blocks.length).toBeGreaterThanOrEqual(3)
        for (let i = 1; i < blocks.length; i++) expect(blocks[i]).toBe(blocks[i - 1] + 1n)
      } finally {
        await (ws.transport as { getRpcClient?: () => Promise<{ close(): void }> }).getRpcClient?.().then((r) => r.close())
      }
    })
  })
}
