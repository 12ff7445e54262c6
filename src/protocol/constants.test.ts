import { getAddress, keccak256, toEventSelector, toHex } from 'viem'
import { expect, test } from 'vitest'
import * as c from './constants.js'

test('default: event topics match their signatures', () => {
  expect(c.TRANSACTION_DEPOSITED_TOPIC).toBe(toEventSelector('TransactionDeposited(address,address,uint256,bytes)'))
  expect(c.CONFIG_UPDATE_TOPIC).toBe(toEventSelector('ConfigUpdate(uint256,uint8,bytes)'))
})

test('behavior: addresses are valid and distinct', () => {
  const all = [c.L1_INFO_DEPOSITOR_ADDRESS, c.L1_BLOCK_ADDRESS, c.L2_TO_L1_MESSAGE_PASSER_ADDRESS, c.SEQUENCER_FEE_VAULT_ADDRESS]
  for (const a of all) expect(getAddress(a).toLowerCase()).toBe(a.toLowerCase())
  expect(new Set(all).size).toBe(all.length)
})

test('behavior: unsafe block signer slot is keccak256("systemconfig.unsafeblocksigner")', () => {
  expect(c.UNSAFE_BLOCK_SIGNER_SLOT).toBe(keccak256(toHex('systemconfig.unsafeblocksigner')))
})

test('behavior: frame overhead is 16 + 2 + 4 + 1', () => {
  expect(c.FRAME_OVERHEAD).toBe(c.CHANNEL_ID_LENGTH + 2 + 4 + 1)
})
