import { keccak256, toHex, type Address, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { ABSOLUTE_PRESTATE_DATA, alphabetState, alphabetTraceClaim } from './alphabet.js'
import { depth, move, traceAncestor, traceIndex } from './position.js'
import { solve, type Claim, type GameTree } from './solver.js'

const US: Address = '0x00000000000000000000000000000000000000a1'
const THEM: Address = '0x00000000000000000000000000000000000000b2'
const ZERO: Address = '0x0000000000000000000000000000000000000000'
const output = (block: bigint): Hex => keccak256(toHex(`output ${block}`))
const outputAt = async (block: bigint) => output(block)
const junk = (n: number): Hex => keccak256(toHex(`junk ${n}`))

/** A claim tree of a game with split depth 2 (max depth 6), anchor block 10, proposing block 14. */
function tree(...claims: Array<[parentIndex: number, position: bigint, claim: Hex, claimant?: Address]>): GameTree {
  return {
    splitDepth: 2,
    maxDepth: 6,
    startingBlock: 10n,
    postBlock: 14n,
    claims: claims.map(([parentIndex, position, claim, claimant = THEM], index) => ({ index, parentIndex, position, claim, claimant, counteredBy: ZERO, bond: 0n, clock: 0n }) satisfies Claim),
  }
}
const ROOT = 2 ** 32 - 1

describe('positions', () => {
  test('default: LibPosition arithmetic', () => {
    expect([depth(1n), depth(2n), depth(7n), depth(64n)]).toEqual([0, 1, 2, 6])
    expect([move(1n, true), move(2n, true), move(2n, false), move(5n, false)]).toEqual([2n, 4n, 6n, 10n])
    expect([traceIndex(1n, 2), traceIndex(2n, 2), traceIndex(4n, 2), traceIndex(64n, 6)]).toEqual([3n, 1n, 0n, 0n])
    expect([traceAncestor(7n), traceAncestor(6n), traceAncestor(3n)]).toEqual([1n, 6n, 1n])
  })
})

describe('solve', () => {
  test('default: a wrong root is attacked with the honest output at the midpoint', async () => {
    const { agreeWithRoot, actions } = await solve(tree([ROOT, 1n, junk(0)]), outputAt)
    expect(agreeWithRoot).toBe(false)
    expect(actions).toEqual([{ kind: 'move', parentIndex: 0, disputed: junk(0), claim: output(12n), isAttack: true, position: 2n }])
  })

  test('behavior: an honest root is defended: a wrong counter is attacked, a right one defended; dishonest paths are left alone', async () => {
    // Claim 3 counters the dishonest claim 1: not ours to answer.
    const agreed = tree([ROOT, 1n, output(14n)], [0, 2n, junk(1)], [0, 2n, output(12n)], [1, 4n, junk(3)])
    const { agreeWithRoot, actions } = await solve(agreed, outputAt)
    expect(agreeWithRoot).toBe(true)
    expect(actions).toEqual([
      { kind: 'move', parentIndex: 1, disputed: junk(1), claim: output(11n), isAttack: true, position: 4n },
      { kind: 'move', parentIndex: 2, disputed: output(12n), claim: output(13n), isAttack: false, position: 6n },
    ])
    // claim 3 already is the honest answer to claim 1: it is not repeated.
    expect((await solve(tree([ROOT, 1n, output(14n)], [0, 2n, junk(1)], [1, 4n, output(11n), US]), outputAt)).actions).toEqual([])
  })

  test('behavior: below the split the alphabet trace of the disputed block; at the max depth a step from the absolute prestate', async () => {
    // Disputed block: the output at position 4 (attacked by the execution subgame's root) is block 11.
    const game = tree(
      [ROOT, 1n, junk(0)],
      [0, 2n, output(12n), US],
      [1, 4n, junk(2)],
      [2, 8n, alphabetTraceClaim(11n, 7n), US],
      [3, 16n, junk(4)],
      [4, 32n, alphabetTraceClaim(11n, 1n), US],
      [5, 64n, junk(6)],
    )
    expect((await solve(game, outputAt)).actions).toEqual([{ kind: 'step', claimIndex: 6, isAttack: true, stateData: ABSOLUTE_PRESTATE_DATA, localData: { ident: 4n, execLeafIdx: 6n } }])
    // Agreeing with the claim at the max depth (trace index 0): a defence executing index 1 from it.
    game.claims[6].claim = alphabetTraceClaim(11n, 0n)
    expect((await solve(game, outputAt)).actions).toEqual([{ kind: 'step', claimIndex: 6, isAttack: false, stateData: alphabetState(11n, 0n) }])
    // Once countered, nothing is left to do.
    game.claims[6].counteredBy = US
    expect((await solve(game, outputAt)).actions).toEqual([])
  })

  test('behavior: the execution subgame is not defended at its root; a wrong exec root is attacked', async () => {
    const game = tree([ROOT, 1n, output(14n)], [0, 2n, junk(1)], [1, 4n, output(11n), US], [2, 8n, junk(3)])
    expect((await solve(game, outputAt)).actions).toEqual([{ kind: 'move', parentIndex: 3, disputed: junk(3), claim: alphabetTraceClaim(11n, 3n), isAttack: true, position: 16n }])
  })
})
