import { describe, expect, test } from 'vitest'
import { BLOCK_PARAM_INDEX, resolveBlockTag, resolveBlockTags } from './blockTags.js'

const heads = { safe: 12, finalized: 4 }

describe('resolveBlockTags', () => {
  test('default: safe and finalized become the node heads; other tags stay', () => {
    expect(resolveBlockTags('eth_getBlockByNumber', ['safe', false], heads)).toEqual(['0xc', false])
    expect(resolveBlockTags('eth_getBalance', ['0xabc', 'finalized'], heads)).toEqual(['0xabc', '0x4'])
    expect(resolveBlockTags('eth_getStorageAt', ['0xabc', '0x0', 'safe'], heads)).toEqual(['0xabc', '0x0', '0xc'])
    for (const tag of ['latest', 'pending', 'earliest', '0x5']) expect(resolveBlockTags('eth_call', [{}, tag], heads)).toEqual([{}, tag])
  })

  test('args: with a latest head (a frozen RPC), latest and pending resolve too', () => {
    const frozen = { ...heads, latest: 20 }
    expect(resolveBlockTags('eth_getBlockByNumber', ['latest', false], frozen)).toEqual(['0x14', false])
    expect(resolveBlockTags('eth_call', [{}, 'pending'], frozen)).toEqual([{}, '0x14'])
    expect(resolveBlockTags('eth_getLogs', [{ fromBlock: 'safe', toBlock: 'latest' }], frozen)).toEqual([{ fromBlock: '0xc', toBlock: '0x14' }])
    expect(resolveBlockTags('eth_getBalance', ['0xabc', 'earliest'], frozen)).toEqual(['0xabc', 'earliest'])
  })

  test('args: every method with a block parameter, at its position', () => {
    for (const [method, index] of Object.entries(BLOCK_PARAM_INDEX)) {
      const params = Array.from({ length: index + 1 }, (_, i) => (i === index ? 'safe' : `p${i}`))
      expect(resolveBlockTags(method, params, heads)[index], method).toBe('0xc')
      expect(resolveBlockTags(method, params, heads).slice(0, index)).toEqual(params.slice(0, index))
    }
  })

  test('args: EIP-1898 objects and log filters', () => {
    expect(resolveBlockTag({ blockNumber: 'finalized' }, heads)).toEqual({ blockNumber: '0x4' })
    const byHash = { blockHash: '0x01', requireCanonical: true }
    expect(resolveBlockTag(byHash, heads)).toBe(byHash)
    expect(resolveBlockTags('eth_getLogs', [{ fromBlock: 'finalized', toBlock: 'safe', address: '0xa' }], heads)).toEqual([{ fromBlock: '0x4', toBlock: '0xc', address: '0xa' }])
    expect(resolveBlockTags('eth_getLogs', [{ blockHash: '0x01' }], heads)).toEqual([{ blockHash: '0x01' }])
  })

  test('behavior: missing parameters and unknown methods pass unchanged, inputs are not mutated', () => {
    const params = ['0xabc']
    expect(resolveBlockTags('eth_getBalance', params, heads)).toBe(params)
    expect(resolveBlockTags('eth_chainId', ['safe'], heads)).toEqual(['safe'])
    const filter = { fromBlock: 'safe' }
    resolveBlockTags('eth_getLogs', [filter], heads)
    expect(filter).toEqual({ fromBlock: 'safe' })
  })
})
