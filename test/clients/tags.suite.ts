/**
 * Honest block tags: on every node's L2 RPC, `safe` and `finalized` mean the heads the rollup node
 * reports in `optimism_syncStatus`, in every method that takes a block parameter. Each answer for a tag
 * must equal the answer for an explicit number between the node's head before and after the call
 * (heads move while the test runs); anvil's own rule (latest − 32 / − 64) gives other blocks.
 */
import { encodeFunctionData, parseAbi, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { L1_BLOCK_ADDRESS } from '../../src/protocol/constants.js'
import { rpc, syncStatus } from '../helpers.js'
import type { ClientContext } from './context.js'

const hex = (n: number) => `0x${n.toString(16)}`
const l1BlockAbi = parseAbi(['function number() view returns (uint64)'])

export function tagSuite(get: () => ClientContext): void {
  describe('block tags', () => {
    for (const node of ['sequencer', 'replica'] as const) {
      test(`behavior: safe and finalized are the rollup node's heads in every block parameter (${node})`, async () => {
        const ctx = get()
        const el = node === 'sequencer' ? ctx.el : ctx.replicaEl
        const rollup = node === 'sequencer' ? ctx.rollup : ctx.replicaRollup
        const who = ctx.account.address
        const call = { to: L1_BLOCK_ADDRESS, data: encodeFunctionData({ abi: l1BlockAbi, functionName: 'number' }) }
        const methods: Array<[string, (block: unknown) => Promise<unknown>]> = [
          ['eth_getBlockByNumber', (b) => rpc(el, 'eth_getBlockByNumber', [b, false]).then((x) => x.hash)],
          ['eth_getBlockTransactionCountByNumber', (b) => rpc(el, 'eth_getBlockTransactionCountByNumber', [b])],
          ['eth_getUncleCountByBlockNumber', (b) => rpc(el, 'eth_getUncleCountByBlockNumber', [b])],
          ['eth_getBlockReceipts', (b) => rpc(el, 'eth_getBlockReceipts', [b]).then((rs) => rs.map((r: { transactionHash: Hex }) => r.transactionHash))],
          ['eth_getBalance', (b) => rpc(el, 'eth_getBalance', [who, b])],
          ['eth_getBalance (EIP-1898)', (b) => rpc(el, 'eth_getBalance', [who, { blockNumber: b }])],
          ['eth_getCode', (b) => rpc(el, 'eth_getCode', [ctx.emitter, b])],
          ['eth_getStorageAt', (b) => rpc(el, 'eth_getStorageAt', [L1_BLOCK_ADDRESS, '0x0', b])],
          ['eth_getTransactionCount', (b) => rpc(el, 'eth_getTransactionCount', [who, b])],
          ['eth_call', (b) => rpc(el, 'eth_call', [call, b])],
          ['eth_estimateGas', (b) => rpc(el, 'eth_estimateGas', [call, b])],
          ['eth_createAccessList', (b) => rpc(el, 'eth_createAccessList', [call, b])],
          ['eth_getProof', (b) => rpc(el, 'eth_getProof', [L1_BLOCK_ADDRESS, [`0x${'00'.repeat(32)}`], b]).then((p) => p.storageProof[0].value)],
          ['eth_feeHistory', (b) => rpc(el, 'eth_feeHistory', ['0x2', b, []]).then((f) => f.oldestBlock)],
          ['eth_getLogs', (b) => rpc(el, 'eth_getLogs', [{ fromBlock: '0x0', toBlock: b, address: ctx.emitter }]).then((ls) => ls.length)],
        ]
        for (const tag of ['safe', 'finalized'] as const) {
          const key = tag === 'safe' ? 'safe_l2' : 'finalized_l2'
          for (const [name, call] of methods) {
            // A failed call says which method, block and heads (one failed once in CI: eth_estimateGas on the
            // replica, "Insufficient funds", not reproduced).
            const fn = (b: string) => call(b).catch(async (err: Error) => {
              const s = await syncStatus(rollup)
              throw new Error(`${name}(${b}) on the ${node}: ${err.message} (unsafe ${s.unsafe_l2.number}, safe ${s.safe_l2.number}, finalized ${s.finalized_l2.number})`, { cause: err })
            })
            const before = (await syncStatus(rollup))[key].number
            const got = await fn(tag)
            const after = (await syncStatus(rollup))[key].number
            const expected: unknown[] = []
            for (let n = before; n <= after; n++) expected.push(await fn(hex(n)))
            expect(expected, `${name}(${tag}) on the ${node}: heads ${before}..${after}`).toContainEqual(got)
          }
          // eth_getLogs with the tag as fromBlock: logs from the head up.
          const before = (await syncStatus(rollup))[key].number
          const logs = await rpc(el, 'eth_getLogs', [{ fromBlock: tag, toBlock: 'latest' }])
          expect(logs.every((l: { blockNumber: Hex }) => Number(l.blockNumber) >= before)).toBe(true)
        }
        // The heads differ from anvil's own rule in a healthy devnet (safe lags unsafe by far less than 32).
        const s = await syncStatus(rollup)
        expect(s.safe_l2.number).toBeGreaterThan(s.unsafe_l2.number - 32)
        const safe = await rpc(el, 'eth_getBlockByNumber', ['safe', false])
        expect(Number(safe.number)).toBeGreaterThanOrEqual(s.safe_l2.number)
        expect(Number(safe.number)).toBeGreaterThan(s.unsafe_l2.number - 32)
      })
    }
  })
}
