import { expect, test } from 'vitest'
import { decodeFunctionData, getAddress, parseAbi, type Address } from 'viem'
import { L2_TO_L1_MESSAGE_PASSER_ADDRESS } from '../protocol/constants.js'
import { deriveSeed, seededRandom } from './random.js'
import { intrinsicGas, plannedCall, trafficPlan } from './traffic.js'

const recipients: Address[] = ['0x00000000000000000000000000000000000000aa', '0x00000000000000000000000000000000000000bb']
const plan = (seed: number) => trafficPlan(seed, { rate: 20, durationMs: 5000, recipients })

test('behavior: the same seed gives the same transaction sequence, another seed another one', () => {
  expect(plan(42)).toEqual(plan(42))
  expect(plan(42)).not.toEqual(plan(43))
  expect(seededRandom(7)()).toBe(seededRandom(7)())
  expect(deriveSeed(7, 3)).toBe(deriveSeed(7, 3))
  expect(deriveSeed(7, 3)).not.toBe(deriveSeed(7, 4))
})

test('behavior: timing and mix follow the rate within the duration', () => {
  const txs = plan(1)
  expect(txs.length).toBeGreaterThan(50) // ~100 expected at 20 tx/s over 5 s
  expect(txs.length).toBeLessThan(160)
  expect(txs.every((tx, i) => tx.atMs >= (txs[i - 1]?.atMs ?? 0) && tx.atMs < 5000)).toBe(true)
  expect(new Set(txs.map((tx) => tx.kind))).toEqual(new Set(['transfer', 'calldata']))
  for (const tx of txs) {
    if (tx.kind === 'transfer') expect(recipients).toContain(tx.to)
    else expect(tx.data.length).toBeGreaterThan(2)
  }
})

test('default: intrinsic gas counts calldata bytes', () => {
  expect(intrinsicGas('0x')).toBe(21_000n)
  expect(intrinsicGas('0x0001')).toBe(21_050n)
})

test('args: plannedCall of a withdrawal load initiates a withdrawal of the planned value and calldata', () => {
  const [transfer, calldata] = [plan(1).find((tx) => tx.kind === 'transfer')!, plan(1).find((tx) => tx.kind === 'calldata')!]
  expect(plannedCall(transfer)).toEqual({ to: transfer.to, value: transfer.value, data: '0x', gas: 21_000n })
  const w = plannedCall(calldata, true)
  expect(w.to).toBe(L2_TO_L1_MESSAGE_PASSER_ADDRESS)
  expect(w.value).toBe(1n) // a calldata tx plans no value; a withdrawal carries at least 1 wei
  const { functionName, args } = decodeFunctionData({ abi: parseAbi(['function initiateWithdrawal(address, uint256, bytes) payable']), data: w.data })
  expect(functionName).toBe('initiateWithdrawal')
  expect(args).toEqual([getAddress(calldata.to), 100_000n, calldata.data])
  expect(w.gas).toBe(intrinsicGas(w.data) + 100_000n)
  expect(plannedCall(transfer, true).value).toBe(transfer.value)
})
