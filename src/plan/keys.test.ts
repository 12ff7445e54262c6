import { expect, test } from 'vitest'
import { defaultTopology } from '../topology/index.js'
import { devKeys } from './keys.js'

test('default', () => {
  const keys = devKeys(defaultTopology())
  expect(keys.admin).toEqual({
    index: 0,
    address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  })
  expect(keys.batcher.address).toBe('0x70997970C51812dc3A010C7d01b50e0d17dc79C8')
  expect(keys.proposer.address).toBe('0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC')
  expect(keys.challenger.address).toBe('0x90F79bf6EB2c4f870365E785982E1f101E93b906')
  expect(keys.sequencer).toEqual({
    index: 4,
    address: '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
    privateKey: '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  })
  expect(keys.accounts).toHaveLength(10)
  expect(keys.accounts[9].address).toBe('0xa0Ee7A142d267C1f36714E4a8F75612F20a79720')
})

test('args: roles and fundedAccounts', () => {
  const t = defaultTopology()
  t.keys.roles.batcher = 7
  t.keys.fundedAccounts = 8
  const keys = devKeys(t)
  expect(keys.batcher).toEqual(keys.accounts[7])
  expect(keys.accounts.map((a) => a.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
})
