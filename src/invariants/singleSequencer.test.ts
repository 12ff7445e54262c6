import { describe, expect, test } from 'vitest'
import type { BlockClaim } from '../devnet/history.js'
import { hash, healthyHistory } from './__fixtures__/history.js'
import { singleSequencer } from './singleSequencer.js'

const claim = (t: number, number: number, by: string, via: BlockClaim['via'], fork = 0): BlockClaim => ({ t, number, hash: hash(number, fork), by, via })

describe('singleSequencer', () => {
  test('default: a history without conductors (no claims) passes', () => {
    expect(singleSequencer.check(healthyHistory())).toEqual([])
  })

  test('behavior: the same block sequenced by one node and committed by every conductor passes', () => {
    const h = healthyHistory()
    h.claims = [claim(100, 11, 'seq-0', 'sequenced'), claim(200, 11, 'seq-0', 'committed'), claim(200, 11, 'seq-1', 'committed'), claim(300, 12, 'seq-1', 'sequenced')]
    expect(singleSequencer.check(h)).toEqual([])
  })

  test('behavior: two blocks at one height fire once, naming both blocks and their senders', () => {
    const h = healthyHistory()
    const a = claim(100, 11, 'seq-0', 'sequenced')
    const b = claim(150, 11, 'seq-1', 'sequenced', 1)
    h.claims = [claim(300, 11, 'seq-1', 'committed', 1), b, a, claim(400, 12, 'seq-0', 'sequenced')]
    const v = singleSequencer.check(h)
    expect(v).toEqual([
      {
        invariant: 'singleSequencer',
        t: 150,
        node: 'seq-1',
        message: `two blocks at L2 height 11: ${a.hash} (sequenced by seq-0, t=100ms) and ${b.hash} (sequenced by seq-1, t=150ms)`,
        evidence: [a, b],
      },
    ])
  })
})
