import { describe, expect, test } from 'vitest'
import type { HistoryEvent } from '../devnet/history.js'
import { healthyHistory } from './__fixtures__/history.js'
import { transactionsLand } from './transactionsLand.js'

const load = (t: number, missing: string[], on = 'proxyd'): HistoryEvent => ({ t, kind: 'note', name: 'load', targets: [on], details: { seed: 1, sent: 12, failed: 0, landed: 12 - missing.length, missing } })

describe('transactionsLand', () => {
  test('default: loads whose transactions all landed violate nothing', () => {
    const history = healthyHistory()
    history.events = [load(9000, [])]
    expect(transactionsLand.check(history)).toEqual([])
  })

  test('behavior: a load with accepted transactions that never landed is reported, naming them', () => {
    const history = healthyHistory()
    const missing = ['0x01', '0x02', '0x03', '0x04']
    history.events = [load(9000, missing), load(12_000, ['0x05'], 'replica-0')]
    expect(transactionsLand.check(history)).toEqual([
      { invariant: 'transactionsLand', t: 9000, message: '4 of 12 accepted transactions sent to proxyd never landed: 0x01, 0x02, 0x03, ...', evidence: [history.events[0]] },
      { invariant: 'transactionsLand', t: 12_000, node: 'replica-0', message: '1 of 12 accepted transactions sent to replica-0 never landed: 0x05', evidence: [history.events[1]] },
    ])
  })
})
