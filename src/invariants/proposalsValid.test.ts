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
