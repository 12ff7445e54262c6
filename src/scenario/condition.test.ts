import { describe, expect, test } from 'vitest'
import { healthyHistory, l1Sample, sample } from '../invariants/__fixtures__/history.js'
import { ConditionError, formatCondition, parseCondition, parseTerm } from './condition.js'
import { evaluateCondition, explainCondition, historyView, type ConditionView } from './evaluate.js'
import { parseProxydMetrics } from './recorder.js'

const view: ConditionView = {
  heads: {
    sequencer: { unsafe: 20, safe: 15, finalized: 8 },
    'replica-0': { unsafe: 19, safe: 12, finalized: 8 },
    l1: { head: 10, safe: 8, finalized: 6 },
  },
  marks: { before: 14 },
}

const holds = (text: string) => evaluateCondition(parseCondition(text), view)

function reason(text: string, context = {}): string {
  try {
    parseCondition(text, context)
  } catch (error) {
    expect(error).toBeInstanceOf(ConditionError)
    return (error as ConditionError).reason
  }
  throw new Error('expected a ConditionError')
}

describe('parseCondition', () => {
  test('default', () => {
    expect(parseCondition('replica-0.safe >= 10')).toEqual({
      text: 'replica-0.safe >= 10',
      comparisons: [{ left: { kind: 'head', node: 'replica-0', head: 'safe', offset: 0 }, op: '>=', right: { kind: 'number', value: 10 } }],
    })
  })

  test('args: offsets, marks, l1 heads and "and", with or without spaces', () => {
    const condition = parseCondition('replica-0.unsafe>=sequencer.unsafe-2 and replica-0.safe < $before + 3 and l1.finalized!=0')
    expect(condition.comparisons).toEqual([
      { left: { kind: 'head', node: 'replica-0', head: 'unsafe', offset: 0 }, op: '>=', right: { kind: 'head', node: 'sequencer', head: 'unsafe', offset: -2 } },
      { left: { kind: 'head', node: 'replica-0', head: 'safe', offset: 0 }, op: '<', right: { kind: 'mark', name: 'before', offset: 3 } },
      { left: { kind: 'head', node: 'l1', head: 'finalized', offset: 0 }, op: '!=', right: { kind: 'number', value: 0 } },
    ])
    expect(formatCondition(condition)).toBe('replica-0.unsafe >= sequencer.unsafe - 2 and replica-0.safe < $before + 3 and l1.finalized != 0')
    expect(parseTerm(' $x - 1 ')).toEqual({ kind: 'mark', name: 'x', offset: -1 })
  })

  test('args: proxyd values and the requests it served per node', () => {
    expect(parseCondition('proxyd.group == 1 and proxyd.latest > $f + 3 and replica-0.served > $s', { nodes: ['replica-0'], marks: ['f', 's'], proxyd: true }).comparisons).toEqual([
      { left: { kind: 'head', node: 'proxyd', head: 'group', offset: 0 }, op: '==', right: { kind: 'number', value: 1 } },
      { left: { kind: 'head', node: 'proxyd', head: 'latest', offset: 0 }, op: '>', right: { kind: 'mark', name: 'f', offset: 3 } },
      { left: { kind: 'head', node: 'replica-0', head: 'served', offset: 0 }, op: '>', right: { kind: 'mark', name: 's', offset: 0 } },
    ])
  })

  test('error: reasons', () => {
    expect(reason('')).toBe('expected a number, "<node>.<head>" or "$<mark>", found the end')
    expect(reason('replica-0.sfe >= 3')).toBe('unknown head "sfe"')
    expect(reason('l1.unsafe > 1')).toBe('unknown head "unsafe" of l1; expected one of: head, safe, finalized')
    expect(reason('replica-0 >= 3')).toBe('expected "<node>.<head>", found "replica-0"')
    expect(reason('replica-0. >= 3')).toBe('expected a head after "replica-0.", found ">="')
    expect(reason('replica-0.safe => 3')).toBe('expected an operator (>=, <=, ==, !=, >, <), found "=>"')
    expect(reason('replica-0.safe >= 3x')).toBe('expected a number, "<node>.<head>" or "$<mark>", found "3x"')
    expect(reason('replica-0.safe >= 3 and')).toBe('expected a number, "<node>.<head>" or "$<mark>", found the end')
    expect(reason('replica-0.safe >= 3 && sequencer.safe > 1')).toBe('expected "and" or the end, found "&&"')
    expect(reason('replica-0.safe >= sequencer.safe -')).toBe('expected a number after "-", found the end')
    expect(reason('$ > 1')).toBe('expected a mark name after "$", found ">"')
    expect(reason('x.safe > 1', { nodes: ['sequencer'] })).toBe('unknown node "x"; expected one of: sequencer, l1')
    expect(reason('x.safe > 1', { nodes: ['sequencer'], proxyd: true })).toBe('unknown node "x"; expected one of: sequencer, l1, proxyd')
    expect(reason('proxyd.latest > 1', { nodes: ['sequencer'] })).toBe('unknown node "proxyd"; expected one of: sequencer, l1')
    expect(reason('proxyd.safe > 1', { proxyd: true })).toBe('unknown value "safe" of proxyd; expected one of: latest, group, backsteps')
    expect(reason('$a > 1', { marks: ['b'] })).toBe('unknown mark "$a"; set it with a "mark" step before this one')
    expect(reason('games.won > 1')).toBe('unknown count "won" of games; expected one of: total, inProgress, challengerWins, defenderWins')
    expect(new ConditionError('a', 'b').message).toBe('cannot parse condition "a": b')
  })
})

describe('evaluateCondition', () => {
  test('behavior: each operator', () => {
    expect(holds('replica-0.safe >= 12')).toBe(true)
    expect(holds('replica-0.safe > 12')).toBe(false)
    expect(holds('replica-0.safe <= 12')).toBe(true)
    expect(holds('replica-0.safe < 12')).toBe(false)
    expect(holds('replica-0.safe == 12')).toBe(true)
    expect(holds('replica-0.safe != 12')).toBe(false)
  })

  test('behavior: offsets, marks, l1 and "and"', () => {
    expect(holds('replica-0.unsafe >= sequencer.unsafe - 1')).toBe(true)
    expect(holds('replica-0.unsafe >= sequencer.unsafe')).toBe(false)
    expect(holds('replica-0.safe < $before and l1.head == 10')).toBe(true)
    expect(holds('replica-0.safe < $before and l1.head == 11')).toBe(false)
    expect(holds('replica-0.safe + 3 > $before')).toBe(true)
  })

  test('behavior: a missing node or mark makes the comparison false', () => {
    expect(holds('replica-1.safe >= 0')).toBe(false)
    expect(holds('replica-1.safe < 0')).toBe(false)
    expect(holds('$nope >= 0')).toBe(false)
  })

  test('behavior: explainCondition shows the values seen', () => {
    expect(explainCondition(parseCondition('replica-0.safe < $before - 1 and replica-1.safe > 2'), view)).toBe(
      'replica-0.safe (12) < $before - 1 (13) and replica-1.safe (unknown) > 2',
    )
  })

  test('behavior: historyView takes the latest samples at or before t', () => {
    const history = healthyHistory({ untilMs: 3000 })
    history.samples.push(sample(2500, 'replica-0', { unsafe: 100, safe: 90, finalized: 80 }))
    history.l1.push(l1Sample(2500, 50))
    expect(historyView(history, { m: 1 }, 2600)).toEqual({
      heads: {
        sequencer: { unsafe: 12, safe: 8, finalized: 4, reorgs: 0 },
        'replica-0': { unsafe: 100, safe: 90, finalized: 80, reorgs: 0 },
        l1: { head: 50, safe: 48, finalized: 46 },
      },
      marks: { m: 1 },
    })
    expect(historyView(history).heads.sequencer).toEqual({ unsafe: 13, safe: 9, finalized: 5, reorgs: 0 })
  })

  test('behavior: games counts the latest status of each game at or before t', () => {
    const history = healthyHistory({ untilMs: 3000 })
    const game = { address: '0x01', gameType: 255, l2Block: 5, rootClaim: '0x02', createdAt: 1, claims: 1, rootCountered: false }
    history.games = [
      { ...game, t: 100, index: 0, status: 'IN_PROGRESS' },
      { ...game, t: 200, index: 1, status: 'IN_PROGRESS' },
      { ...game, t: 900, index: 0, status: 'CHALLENGER_WINS' },
    ]
    expect(historyView(history, {}, 500).heads.games).toEqual({ total: 2, inProgress: 2, challengerWins: 0, defenderWins: 0 })
    const condition = parseCondition('games.challengerWins >= 1 and games.total == 2', { nodes: ['sequencer'] })
    expect(evaluateCondition(condition, historyView(history))).toBe(true)
  })

  test('behavior: historyView has proxyd\'s latest sample, and each node\'s served count (0 before proxyd forwarded to it)', () => {
    const history = healthyHistory({ untilMs: 3000 })
    history.proxyd.push({ t: 1000, latest: 10, group: 2, forwards: { sequencer: 4 }, backsteps: 0 }, { t: 2000, latest: 9, group: 1, forwards: { sequencer: 7 }, backsteps: 1 })
    const { heads } = historyView(history, {}, 1500)
    expect([heads.proxyd, heads.sequencer.served, heads['replica-0'].served]).toEqual([{ latest: 10, group: 2, backsteps: 0 }, 4, 0])
    expect(historyView(history).heads.proxyd).toEqual({ latest: 9, group: 1, backsteps: 1 })
    expect(historyView(healthyHistory()).heads.proxyd).toBeUndefined()
  })

  test('behavior: parseProxydMetrics sums forwards per backend and reads the consensus group size', () => {
    const text = [
      '# HELP proxyd_rpc_forwards_total Count of total RPC requests forwarded to each backend.',
      'proxyd_rpc_forwards_total{auth="none",backend_name="sequencer",method_name="eth_chainId",source="http"} 3',
      'proxyd_rpc_forwards_total{auth="none",backend_name="sequencer",method_name="eth_call",source="http"} 4',
      'proxyd_rpc_forwards_total{auth="none",backend_name="replica-0",method_name="eth_call",source="http"} 2',
      'proxyd_group_consensus_count{backend_group_name="main"} 2',
    ].join('\n')
    expect(parseProxydMetrics(text)).toEqual({ group: 2, forwards: { sequencer: 7, 'replica-0': 2 } })
  })
})
