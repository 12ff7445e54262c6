import { describe, expect, test } from 'vitest'
import { proposing } from './membership.js'

const dropped = () => Object.assign(new Error('2 UNKNOWN: raft proposal dropped'), { code: 2 })

describe('proposing (etcd writes while its raft leader moves)', () => {
  test('behavior: a dropped proposal is sent again until etcd takes it', async () => {
    let calls = 0
    const result = await proposing(async () => {
      if (++calls < 3) throw dropped()
      return 'applied'
    }, 5_000, 10)
    expect([result, calls]).toEqual(['applied', 3])
  })

  test('error: any other failure is thrown at once, not retried', async () => {
    let calls = 0
    await expect(proposing(async () => {
      calls++
      throw new Error('etcdserver: member not found')
    }, 5_000, 10)).rejects.toThrow('member not found')
    expect(calls).toBe(1)
  })

  test('error: a proposal still dropped after the deadline is thrown', async () => {
    let calls = 0
    await expect(proposing(async () => {
      calls++
      throw dropped()
    }, 50, 10)).rejects.toThrow('raft proposal dropped')
    expect(calls).toBeGreaterThan(1)
    expect(calls).toBeLessThanOrEqual(6)
  })
})
