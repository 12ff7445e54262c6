/** ethers v6 against the lite L2: provider calls without a signer, receipts, a WebSocket subscription. */
import { Contract, JsonRpcProvider, Network, WebSocketProvider } from 'ethers'
import { describe, expect, test } from 'vitest'
import { L1_BLOCK_ADDRESS } from '../../src/protocol/constants.js'
import type { ClientContext } from './context.js'

export function ethersSuite(get: () => ClientContext): void {
  describe('ethers v6', () => {
    const network = () => Network.from(get().devnet.topology.l2.chainId)

    test('behavior: provider calls and receipts', async () => {
      const ctx = get()
      const provider = new JsonRpcProvider(ctx.el, network(), { staticNetwork: network() })
      try {
        expect((await provider.getNetwork()).chainId).toBe(BigInt(ctx.devnet.topology.l2.chainId))
        const l1Block = new Contract(L1_BLOCK_ADDRESS, ['function number() view returns (uint64)', 'function basefee() view returns (uint256)'], provider)
        expect(await l1Block.number()).toBeGreaterThan(0n)
        expect(await l1Block.basefee()).toBeGreaterThan(0n)
        expect(await provider.estimateGas({ to: ctx.emitter, data: '0x' })).toBeGreaterThan(21_000n)
        const safe = await provider.getBlock('safe')
        const finalized = await provider.getBlock('finalized')
        expect(safe!.number).toBeGreaterThanOrEqual(finalized!.number)
        const receipt = await provider.getTransactionReceipt(ctx.pingTx)
        expect(receipt!.status).toBe(1)
        expect(receipt!.logs[0].address.toLowerCase()).toBe(ctx.emitter.toLowerCase())
        expect(receipt!.fee).toBe(receipt!.gasUsed * receipt!.gasPrice)
        const raw = await provider.send('eth_getTransactionReceipt', [ctx.pingTx])
        expect(BigInt(raw.l1Fee)).toBeGreaterThan(0n)
        const logs = await provider.getLogs({ address: ctx.emitter, fromBlock: 0 })
        expect(logs.length).toBeGreaterThan(0)
        expect((await provider.getFeeData()).maxFeePerGas).toBeGreaterThan(0n)
      } finally {
        provider.destroy()
      }
    })

    test('behavior: a block subscription over WebSocket', async () => {
      const ctx = get()
      const provider = new WebSocketProvider(ctx.elWs, network(), { staticNetwork: network() })
      try {
        const seen: number[] = []
        await provider.on('block', (n: number) => void seen.push(n))
        const deadline = Date.now() + 20_000
        while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
        expect(seen.length).toBeGreaterThanOrEqual(3)
        expect(seen[2]).toBe(seen[0] + 2)
        expect(await provider.getBlockNumber()).toBeGreaterThanOrEqual(seen[0])
      } finally {
        await provider.destroy()
      }
    })
  })
}
