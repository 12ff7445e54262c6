import { describe, expect, test } from 'vitest'
import type { GameSample } from '../devnet/history.js'
import { hash, healthyHistory } from './__fixtures__/history.js'
import { proposalsValid } from './proposalsValid.js'

const game = (t: number, index: number, root: string, honest: string | undefined, more: Partial<GameSample> = {}): GameSample => ({
  t,
  index,
  address: `0x${String(index).padStart(40, '0')}`,
  gameType: 255,
  l2Block: 10 + index,
  rootClaim: root,
  ...(honest ? { honestRoot: honest } : {}),
  status: 'IN_PROGRESS',
  createdAt: 1000 + t / 1000,
  claims: 1,
  rootCountered: false,
  ...more,
})

describe('proposalsValid', () => {
  test('default: an honest game resolving DEFENDER_WINS and a wrong one countered and lost pass', () => {
    const history = healthyHistory()
    history.games = [
      game(1000, 0, hash(1), hash(1)),
      game(2000, 1, hash(9), hash(2)),
      game(4000, 1, hash(9), hash(2), { claims: 2, rootCountered: true }),
      game(12_000, 0, hash(1), hash(1), { status: 'DEFENDER_WINS' }),
      game(16_000, 1, hash(9), hash(2), { claims: 2, rootCountered: true, status: 'CHALLENGER_WINS' }),
    ]
    expect(proposalsValid.check(history)).toEqual([])
  })

  test('behavior: a wrong root resolving DEFENDER_WINS is reported', () => {
    const history = healthyHistory()
    const won = game(14_000, 0, hash(9), hash(1), { status: 'DEFENDER_WINS' })
    history.games = [game(1000, 0, hash(9), hash(1)), won]
    expect(proposalsValid.check(history, { counterMs: 60_000 })).toEqual([
      {
        invariant: 'proposalsValid',
        t: 14_000,
        message: `game 0 (${won.address}) resolved DEFENDER_WINS with root ${hash(9)}, but the output root at block 10 is ${hash(1)}`,
        evidence: [won],
      },
    ])
  })

  test('behavior: a wrong root that won before its block was safe is judged on the honest root read after', () => {
    const history = healthyHistory()
    // Resolved while its block was still unsafe (a 4 s clock at --speed 4); the block was safe a round later.
    const won = game(3000, 0, hash(9), undefined, { status: 'DEFENDER_WINS' })
    history.games = [game(1000, 0, hash(9), undefined), won, game(4000, 0, hash(9), hash(1), { status: 'DEFENDER_WINS' })]
    expect(proposalsValid.check(history, { counterMs: 60_000 }).map((v) => [v.t, v.message])).toEqual([
      [3000, `game 0 (${won.address}) resolved DEFENDER_WINS with root ${hash(9)}, but the output root at block 10 is ${hash(1)}`],
    ])
    // Never learned at all: not judged.
    history.games = [game(1000, 0, hash(9), undefined), won]
    expect(proposalsValid.check(history, { counterMs: 60_000 })).toEqual([])
  })

  test('behavior: a game an L1 reorg replaced at the same index is judged on its own', () => {
    const history = healthyHistory()
    // Index 0 held a wrong root, countered; a reorg removed it and an honest game took index 0 and resolved.
    // Read as one game, the honest one's DEFENDER_WINS would look like the wrong root winning.
    history.games = [
      game(1000, 0, hash(9), hash(1)),
      game(3000, 0, hash(9), hash(1), { claims: 2, rootCountered: true }),
      game(5000, 0, hash(1), hash(1)),
      game(15_000, 0, hash(1), hash(1), { status: 'DEFENDER_WINS' }),
    ]
    expect(proposalsValid.check(history)).toEqual([])
    // And a wrong root replacing an honest game is still held to its deadline.
    history.games = [game(1000, 0, hash(1), hash(1)), game(5000, 0, hash(9), hash(1))]
    expect(proposalsValid.check(history, { counterMs: 5000 }).map((v) => v.t)).toEqual([10_000])
  })

  test('behavior: a wrong game an L1 reorg removed before its deadline is not reported; one replaced only after it is', () => {
    const history = healthyHistory()
    // Seen once with a wrong root (samples come on changes); 12 s later another game holds index 2 (the
    // reorg dropped the first and its attack): nothing was left to counter by the deadline.
    history.games = [game(1000, 2, hash(9), hash(2)), game(13_000, 2, hash(2), hash(2), { l2Block: 29 }), game(40_000, 2, hash(2), hash(2), { l2Block: 29, status: 'DEFENDER_WINS' })]
    expect(proposalsValid.check(history)).toEqual([])
    // Replaced only 24 s after it was seen wrong: it may have stood uncountered past the deadline.
    history.games = [game(1000, 2, hash(9), hash(2)), game(25_000, 2, hash(2), hash(2), { l2Block: 29 })]
    expect(proposalsValid.check(history).map((v) => v.t)).toEqual([16_000])
  })

  test('behavior: an honest root resolving CHALLENGER_WINS is reported', () => {
    const history = healthyHistory()
    const lost = game(14_000, 0, hash(1), hash(1), { claims: 3, rootCountered: true, status: 'CHALLENGER_WINS' })
    history.games = [game(1000, 0, hash(1), hash(1)), lost]
    expect(proposalsValid.check(history)).toEqual([
      {
        invariant: 'proposalsValid',
        t: 14_000,
        message: `game 0 (${lost.address}) resolved CHALLENGER_WINS, but its root ${hash(1)} is the output root at block 10: an honest proposal lost`,
        evidence: [lost],
      },
    ])
  })

  test('behavior: a root an L1 reorg made wrong is judged by the honest root read last, from when it changed', () => {
    const history = healthyHistory()
    // Honest when proposed; at 20 s a reorg changed the chain at block 10, and the root was countered at 28 s.
    history.games = [game(1000, 0, hash(1), hash(1)), game(20_000, 0, hash(1), hash(2)), game(28_000, 0, hash(1), hash(2), { claims: 2, rootCountered: true })]
    expect(proposalsValid.check(history, { counterMs: 10_000 })).toEqual([])
    history.games.push(game(40_000, 0, hash(1), hash(2), { claims: 2, rootCountered: true, status: 'CHALLENGER_WINS' }))
    expect(proposalsValid.check(history, { counterMs: 10_000 })).toEqual([])
    // Counted from the change, the deadline is 30 s: countering at 31 s is late.
    history.games = [game(1000, 0, hash(1), hash(1)), game(20_000, 0, hash(1), hash(2)), game(31_000, 0, hash(1), hash(2), { claims: 2, rootCountered: true })]
    expect(proposalsValid.check(history, { counterMs: 10_000 }).map((v) => v.t)).toEqual([30_000])
    // Resolved DEFENDER_WINS past the deadline from the change, uncountered: the wrong root won.
    history.games = [game(1000, 0, hash(1), hash(1)), game(20_000, 0, hash(1), hash(2)), game(31_000, 0, hash(1), hash(2), { status: 'DEFENDER_WINS' })]
    expect(proposalsValid.check(history, { counterMs: 10_000 }).map((v) => v.message)).toEqual([expect.stringMatching(/resolved DEFENDER_WINS/)])
    // Resolved 1 s after the change, well before it: the clock ran out before the challenger could act.
    history.games = [game(1000, 0, hash(1), hash(1)), game(20_000, 0, hash(1), hash(2)), game(21_000, 0, hash(1), hash(2), { status: 'DEFENDER_WINS' })]
    expect(proposalsValid.check(history, { counterMs: 10_000 })).toEqual([])
  })

  test('behavior: a wrong root left uncountered past counterMs is reported', () => {
    const history = healthyHistory()
    const first = game(1000, 0, hash(9), hash(1))
    history.games = [first, game(9000, 0, hash(9), hash(1), { claims: 2, rootCountered: true })]
    const [v] = proposalsValid.check(history, { counterMs: 5000 })
    expect(v).toMatchObject({ invariant: 'proposalsValid', t: 6000, message: expect.stringMatching(/game 0 .* wrong root for block 10 and was not countered within 5000 ms/) })
  })

  test('behavior: a challenger outage moves the deadline; games without a known honest root are not judged', () => {
    const history = healthyHistory()
    history.events.push(
      { t: 500, kind: 'fault-start', name: 'challengerOutage', targets: ['challenger'], lasts: 'window' },
      { t: 8000, kind: 'fault-end', name: 'challengerOutage', targets: ['challenger'], by: 'challengerResume' },
    )
    history.games = [game(1000, 0, hash(9), hash(1)), game(11_000, 0, hash(9), hash(1), { claims: 2, rootCountered: true }), game(1000, 1, hash(8), undefined)]
    expect(proposalsValid.check(history, { counterMs: 5000 })).toEqual([])
    expect(proposalsValid.check(history, { counterMs: 2000 })).toHaveLength(1)
  })
})
