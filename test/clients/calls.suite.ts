/**
 * op-geth call semantics: `eth_call`, `eth_estimateGas` and `eth_createAccessList` charge no L1 fee, work
 * without `from` and from unfunded accounts once the L1 base fee is non-zero, and an explicit gas price
 * is charged as op-geth charges it (balance check, `gas * price` off the balance the EVM sees).
 */
import { createWalletClient, encodeFunctionData, http, parseAbi, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { startSequencerAtHead } from '../../src/faults/context.js'
import { L1_BLOCK_ADDRESS } from '../../src/protocol/constants.js'
import { rpc } from '../helpers.js'
import type { ClientContext } from './context.js'

const l1BlockAbi = parseAbi(['function number() view returns (uint64)', 'function basefee() view returns (uint256)'])
/** `bytes32(uint256(keccak256('eip1967.proxy.implementation')) - 1)` */
const EIP1967_IMPLEMENTATION_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'
/** Upstream's implementation address for predeploy 0x4200…0015. */
const L1_BLOCK_IMPLEMENTATION = '0xc0d3c0d3c0d3c0d3c0d3c0d3c0d3c0d3c0d30015'
const NUMBER = encodeFunctionData({ abi: l1BlockAbi, functionName: 'number' })
const UNFUNDED = '0x1111111111111111111111111111111111111111'
/** Returns `balance(caller)` (CALLER BALANCE PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN). */
const PROBE = '0x00000000000000000000000000000000000c0de1'
const BALANCE_OF_CALLER = '0x333160005260206000f3'
const probe = { [PROBE]: { code: BALANCE_OF_CALLER } }

async function rawCall(url: string, method: string, params: unknown[]): Promise<{ result?: any; error?: { code: number; message: string } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  return res.json() as Promise<{ result?: any; error?: { code: number; message: string } }>
}

export function callSuite(get: () => ClientContext): void {
  describe('calls', () => {
    test('default: the L1 base fee is non-zero (the case anvil charged in calls)', async () => {
      const fee = await rpc(get().el, 'eth_call', [{ to: L1_BLOCK_ADDRESS, data: encodeFunctionData({ abi: l1BlockAbi, functionName: 'basefee' }) }, 'latest'])
      expect(BigInt(fee)).toBeGreaterThan(0n)
    })

    for (const node of ['sequencer', 'replica'] as const) {
      test(`behavior: call, estimateGas and createAccessList without from and from an unfunded account (${node})`, async () => {
        const el = node === 'sequencer' ? get().el : get().replicaEl
        const rollup = node === 'sequencer' ? get().rollup : get().replicaRollup
        for (const from of [undefined, UNFUNDED]) {
          const tx = { ...(from ? { from } : {}), to: L1_BLOCK_ADDRESS, data: NUMBER }
          const number = BigInt(await rpc(el, 'eth_call', [tx, 'latest']))
          // It read 0 once on docker in CI (not reproduced): say what the node had then.
          const seen = number > 0n ? '' : JSON.stringify({ latest: await rpc(el, 'eth_getBlockByNumber', ['latest', false]).then((b) => b && { number: b.number, hash: b.hash, txs: b.transactions.length }), status: await rpc(rollup, 'optimism_syncStatus').then((st) => ({ unsafe: st.unsafe_l2, safe: st.safe_l2.number, l1: st.head_l1.number })) })
          expect(number, seen).toBeGreaterThan(0n)
          expect(Number(await rpc(el, 'eth_estimateGas', [tx]))).toBeGreaterThan(21_000)
          const list = await rpc(el, 'eth_createAccessList', [tx, 'latest'])
          // L1Block sits behind a proxy (as upstream lays it out): the proxy's implementation slot
          // (EIP-1967) and L1Block's slot 0, then the implementation, reached by delegatecall.
          expect(list.accessList).toEqual([
            { address: L1_BLOCK_ADDRESS, storageKeys: [`0x${'00'.repeat(32)}`, EIP1967_IMPLEMENTATION_SLOT] },
            { address: L1_BLOCK_IMPLEMENTATION, storageKeys: [] },
          ])
          expect(Number(list.gasUsed)).toBeGreaterThan(21_000)
        }
      })
    }

    test('behavior: createAccessList matches anvil for a funded sender, and reports reverts', async () => {
      const { el, account } = get()
      const tx = { from: account.address, to: L1_BLOCK_ADDRESS, data: NUMBER }
      // anvil's own answer for a funded sender (it pays the L1 fee there, which does not change the list or gas).
      const own = await rpc(el, 'eth_createAccessList', [tx, 'latest'])
      const list = await rpc(el, 'eth_createAccessList', [{ to: L1_BLOCK_ADDRESS, data: NUMBER }, 'latest'])
      expect(list).toEqual(own)
      const reverted = await rpc(el, 'eth_createAccessList', [{ to: L1_BLOCK_ADDRESS, data: '0xdeadbeef' }, 'latest'])
      expect(reverted.error).toBe('execution reverted')
    })

    test('behavior: the EVM sees the caller balance unchanged (no L1 fee), less gas * price when a price is given', async () => {
      const { el, account } = get()
      const block = await rpc(el, 'eth_blockNumber')
      const balance = BigInt(await rpc(el, 'eth_getBalance', [account.address, block]))
      const seen = async (extra: object) => BigInt(await rpc(el, 'eth_call', [{ from: account.address, to: PROBE, ...extra }, block, probe]))
      expect(await seen({})).toBe(balance)
      expect(await seen({ gasPrice: '0x0' })).toBe(balance)
      expect(await seen({ gas: '0x10000', gasPrice: '0x3b9aca00' })).toBe(balance - 0x10000n * 1_000_000_000n)
      // A balance given as a state override is the base as well.
      const override = BigInt(await rpc(el, 'eth_call', [{ from: UNFUNDED, to: PROBE }, block, { ...probe, [UNFUNDED]: { balance: '0x64' } }]))
      expect(override).toBe(100n)
    })

    test('behavior: debug_traceCall from an unfunded account', async () => {
      const trace = await rpc(get().el, 'debug_traceCall', [{ from: UNFUNDED, to: L1_BLOCK_ADDRESS, data: NUMBER }, 'latest', { tracer: 'callTracer' }])
      expect(trace).toMatchObject({ from: UNFUNDED, to: L1_BLOCK_ADDRESS.toLowerCase(), type: 'CALL' })
      expect(BigInt(trace.output)).toBeGreaterThan(0n)
    })

    test('error: an explicit gas price the sender cannot pay', async () => {
      const out = await rawCall(get().el, 'eth_call', [{ from: UNFUNDED, to: L1_BLOCK_ADDRESS, data: NUMBER, gas: '0x10000', gasPrice: '0x3b9aca00' }, 'latest'])
      expect(out.error?.message).toMatch(/insufficient funds/i)
      const est = await rawCall(get().el, 'eth_estimateGas', [{ from: UNFUNDED, to: L1_BLOCK_ADDRESS, data: NUMBER, value: '0x1' }])
      expect(est.error?.message).toMatch(/insufficient funds/i)
    })

    test('behavior: eth_fillTransaction (viem prepares every transaction with it) counts a tx waiting in the sequencer\'s pool, on the sequencer and on the replica', async () => {
      const { el, replicaEl, rollup, devnet } = get()
      const account = privateKeyToAccount(devnet.keys.accounts[9].privateKey)
      const latest = Number(await rpc(el, 'eth_getTransactionCount', [account.address, 'latest']))
      const fees = { maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n }
      // A stopped sequencer keeps what it is sent in its pool: the tx waits there, anvil has not seen it.
      await rpc(rollup, 'admin_stopSequencer')
      try {
        const raw = await account.signTransaction({ chainId: devnet.chains.l2.id, to: account.address, value: 1n, nonce: latest, gas: 21_000n, ...fees })
        await rpc(el, 'eth_sendRawTransaction', [raw])
        for (const url of [el, replicaEl]) {
          const { tx } = await rpc(url, 'eth_fillTransaction', [{ from: account.address, to: account.address, value: '0x1' }])
          expect([Number(tx.nonce), Number(tx.gas)]).toEqual([latest + 1, 21_000])
        }
        const wallet = createWalletClient({ account, chain: devnet.chains.l2, transport: http(el) })
        expect((await wallet.prepareTransactionRequest({ to: account.address, value: 1n, ...fees })).nonce).toBe(latest + 1)
        // A nonce given is kept.
        expect(Number((await rpc(el, 'eth_fillTransaction', [{ from: account.address, to: account.address, nonce: '0x63' }])).tx.nonce)).toBe(0x63)
      } finally {
        await startSequencerAtHead(rollup)
      }
    })

    test('error: a reverting call keeps its revert data', async () => {
      const out = await rawCall(get().el, 'eth_call', [{ to: PROBE }, 'latest', { [PROBE]: { code: '0x60aa60005260206000fd' } }])
      expect(out.error?.code).toBe(3)
      expect(out.error?.message).toMatch(/revert/)
      expect((out.error as { data?: Hex }).data).toBe(`0x${'00'.repeat(31)}aa`)
    })
  })
}
