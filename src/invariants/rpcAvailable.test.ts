import { describe, expect, test } from 'vitest'
import type { ClientCall, HistoryEvent } from '../devnet/history.js'
import { healthyHistory } from './__fixtures__/history.js'
import { rpcAvailable } from './rpcAvailable.js'

const failed = (t: number, method = 'eth_getTransactionCount', via = 'proxyd'): ClientCall => ({ t, durationMs: 20, via, method, error: 'HTTP 503: no backend is currently healthy to serve traffic' })
const window = (name: string, targets: string[], start: number, end: number): HistoryEvent[] => [
  { t: start, kind: 'fault-start', name, targets, lasts: 'window' },
  { t: end, kind: 'fault-end', name, targets },
]

/** A healthy 30 s run with these client calls and fault windows. */
function run(calls: ClientCall[], events: HistoryEvent[] = []) {
  const history = healthyHistory({ untilMs: 30_000 })
  history.clients = calls
  history.events = events
  return rpcAvailable.check(history, { graceMs: 2000 })
}

describe('rpcAvailable', () => {
  test('default: successful calls, and failed calls sent straight to a node, violate nothing', () => {
    expect(run([{ t: 1000, durationMs: 3, via: 'proxyd', method: 'eth_chainId' }, failed(2000, 'eth_chainId', 'replica-0')])).toEqual([])
  })

  test('behavior: a call through proxyd that fails while every backend is healthy is reported with its error', () => {
    const call = failed(6000)
    expect(run([call])).toEqual([
      {
        invariant: 'rpcAvailable',
        t: 6000,
        message: 'eth_getTransactionCount through proxyd failed at t=6000ms (HTTP 503: no backend is currently healthy to serve traffic) while sequencer, replica-0 could serve it',
        evidence: [call],
      },
    ])
  })

  test('behavior: one backend down is not enough: the other could serve it', () => {
    const crash = window('crash', ['replica-0'], 5000, 9000)
    expect(run([failed(6000)], crash).map((v) => v.message)).toEqual([
      'eth_getTransactionCount through proxyd failed at t=6000ms (HTTP 503: no backend is currently healthy to serve traffic) while sequencer could serve it',
    ])
    expect(run([failed(6000)], crash)[0].evidence).toEqual([failed(6000), crash[0]])
  })

  test('behavior: no violation while proxyd itself, or every backend, is under a fault, nor within graceMs after', () => {
    expect(run([failed(6000)], window('pause', ['proxyd'], 5000, 9000))).toEqual([])
    expect(run([failed(6000)], [...window('crash', ['replica-0'], 5000, 9000), ...window('staleBackend', ['sequencer'], 4000, 7000)])).toEqual([])
    expect(run([failed(10_500)], window('partition', ['proxyd', 'replica-0', 'sequencer'], 5000, 9000))).toEqual([])
    expect(run([failed(11_500)], window('partition', ['proxyd', 'replica-0', 'sequencer'], 5000, 9000))).toHaveLength(1)
  })

  test('behavior: eth_sendRawTransaction needs a sequencing node: the sequencer down excuses it, a replica down does not', () => {
    const tx = failed(6000, 'eth_sendRawTransaction')
    expect(run([tx], window('crash', ['sequencer'], 5000, 9000))).toEqual([])
    expect(run([tx], window('crash', ['replica-0'], 5000, 9000)).map((v) => v.message)).toEqual([
      'eth_sendRawTransaction through proxyd failed at t=6000ms (HTTP 503: no backend is currently healthy to serve traffic) while sequencer could serve it',
    ])
  })
})
