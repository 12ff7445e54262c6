import { describe, expect, test } from 'vitest'
import { RpcCache } from './cache.js'

describe('RpcCache', () => {
  test('default: caches immutable calls until the ttl', () => {
    let now = 0
    const c = new RpcCache(1000, 10, () => now)
    c.put('eth_chainId', [], '0x384')
    c.put('eth_getBlockByHash', ['0x1', false], { number: '0x1' })
    expect(c.get('eth_chainId', [])).toBe('0x384')
    expect(c.get('eth_getBlockByHash', ['0x1', false])).toEqual({ number: '0x1' })
    expect(c.get('eth_getBlockByHash', ['0x1', true])).toBeUndefined()
    now = 1000
    expect(c.get('eth_chainId', [])).toBeUndefined()
  })

  test('behavior: head-dependent calls and empty results are not cached; clear empties', () => {
    const c = new RpcCache(1000)
    c.put('eth_blockNumber', [], '0x1')
    c.put('eth_getTransactionReceipt', ['0xaa'], null)
    expect(c.get('eth_blockNumber', [])).toBeUndefined()
    expect(c.get('eth_getTransactionReceipt', ['0xaa'])).toBeUndefined()
    c.put('net_version', [], '901')
    c.clear()
    expect(c.get('net_version', [])).toBeUndefined()
  })

  test('behavior: the oldest entry goes when full', () => {
    const c = new RpcCache(1000, 1)
    c.put('eth_chainId', [], '0x1')
    c.put('net_version', [], '1')
    expect(c.get('eth_chainId', [])).toBeUndefined()
    expect(c.get('net_version', [])).toBe('1')
  })
})
