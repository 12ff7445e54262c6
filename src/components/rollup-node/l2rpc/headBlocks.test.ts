/**
 * The L2 RPC's `safe` and `finalized` blocks on a real anvil: the blocks of the node's heads (by hash, not
 * anvil's own rule), read from the engine once per head and then kept, while `latest` is the engine's.
 */
import { expect, test } from 'vitest'
import type { Hex } from 'viem'
import { withAnvil } from '../../../devnet/throwawayAnvil.js'
import type { RpcClient } from '../../shared/jsonrpc.js'
import type { RollupNode } from '../node.js'
import { l2Rpc } from './index.js'

test('behavior: safe and finalized are the node heads\' blocks, read once each; latest is asked every time', async () => {
  await withAnvil([], async (anvil) => {
    await anvil.call('anvil_mine', ['0x5'])
    const calls: string[] = []
    const counting: RpcClient = { url: anvil.url, call: (method, params, timeoutMs) => (calls.push(method), anvil.call(method, params, timeoutMs)) }
    const ref = async (n: number) => ({ number: n, hash: (await anvil.call<{ hash: Hex }>('eth_getBlockByNumber', [`0x${n.toString(16)}`, false])).hash })
    const node = { engine: { rpc: counting }, conf: {}, cfg: { block_time: 1 }, log: { warn() {} }, unsafe: await ref(5), safe: await ref(3), finalized: await ref(1) }
    const { methods } = l2Rpc(node as unknown as RollupNode)
    const block = async (tag: string, full = false) => (await methods.eth_getBlockByNumber!([tag, full])) as { number: Hex; hash: Hex; transactions: unknown[] }
    expect(Number((await block('safe')).number)).toBe(3) // anvil's own rule would say 0 (head - 32)
    expect((await block('finalized')).hash).toBe(node.finalized.hash)
    const asked = calls.length
    expect((await block('safe')).hash).toBe(node.safe.hash)
    expect((await block('finalized')).hash).toBe(node.finalized.hash)
    expect(calls.length).toBe(asked) // kept
    await block('safe', true) // the full block is another answer: read once too
    expect(calls.length).toBe(asked + 1)
    node.safe = await ref(4)
    expect(Number((await block('safe')).number)).toBe(4)
    calls.length = 0
    await block('latest')
    await block('latest')
    expect(calls).toEqual(['eth_getBlockByNumber', 'eth_getBlockByNumber'])
  })
})
