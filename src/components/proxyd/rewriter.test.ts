import { describe, expect, test } from 'vitest'
import { errors } from './errors.js'
import { rewrite } from './rewriter.js'

const c = { latest: 100, safe: 90, finalized: 80 }

describe('rewrite', () => {
  test('default: eth_blockNumber is answered with consensus latest', () => {
    expect(rewrite(c, 'eth_blockNumber', [])).toEqual({ kind: 'response', result: '0x64' })
  })

  test('behavior: latest / safe / finalized become consensus numbers', () => {
    expect(rewrite(c, 'eth_getBlockByNumber', ['latest', false])).toEqual({ kind: 'request', params: ['0x64', false] })
    expect(rewrite(c, 'eth_getBalance', ['0xabc', 'safe'])).toEqual({ kind: 'request', params: ['0xabc', '0x5a'] })
    expect(rewrite(c, 'eth_getStorageAt', ['0xabc', '0x0', 'finalized'])).toEqual({ kind: 'request', params: ['0xabc', '0x0', '0x50'] })
    expect(rewrite(c, 'eth_call', [{ to: '0x1' }, { blockNumber: 'latest' }])).toEqual({ kind: 'request', params: [{ to: '0x1' }, { blockNumber: '0x64' }] })
  })

  test('behavior: a missing block parameter means latest', () => {
    expect(rewrite(c, 'eth_getBalance', ['0xabc'])).toEqual({ kind: 'request', params: ['0xabc', '0x64'] })
  })

  test('behavior: numbers at or below consensus, hashes, pending and earliest pass unchanged', () => {
    expect(rewrite(c, 'eth_getBlockByNumber', ['0x64', false])).toEqual({ kind: 'none' })
    expect(rewrite(c, 'eth_getBlockByNumber', ['pending', false])).toEqual({ kind: 'none' })
    expect(rewrite(c, 'eth_getCode', ['0xabc', { blockHash: `0x${'11'.repeat(32)}` }])).toEqual({ kind: 'none' })
    expect(rewrite(c, 'eth_chainId', [])).toEqual({ kind: 'none' })
  })

  test('error: a block above consensus latest is out of range', () => {
    expect(rewrite(c, 'eth_getBlockByNumber', ['0x65', false])).toEqual({ kind: 'error', error: errors.blockOutOfRange })
    expect(rewrite(c, 'eth_call', [{}, { blockNumber: '0x99' }])).toEqual({ kind: 'error', error: errors.blockOutOfRange })
    expect(rewrite(c, 'eth_getLogs', [{ fromBlock: '0x1', toBlock: '0x200' }])).toEqual({ kind: 'error', error: errors.blockOutOfRange })
  })

  test('error: a malformed block parameter is a parse error', () => {
    expect(rewrite(c, 'eth_getBlockByNumber', ['tomorrow', false])).toEqual({ kind: 'error', error: errors.parse })
    expect(rewrite(c, 'eth_getLogs', ['nope'])).toEqual({ kind: 'error', error: errors.parse })
  })

  test('behavior: eth_getLogs ranges get their missing bound and tags rewritten', () => {
    expect(rewrite(c, 'eth_getLogs', [{ fromBlock: '0x1' }])).toEqual({ kind: 'request', params: [{ fromBlock: '0x1', toBlock: '0x64' }] })
    expect(rewrite(c, 'eth_getLogs', [{ fromBlock: 'safe', toBlock: 'latest' }])).toEqual({ kind: 'request', params: [{ fromBlock: '0x5a', toBlock: '0x64' }] })
    expect(rewrite(c, 'eth_getLogs', [{ blockHash: '0x12' }])).toEqual({ kind: 'none' })
  })
})
