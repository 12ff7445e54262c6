import { describe, expect, test } from 'vitest'
import { SpecError } from '../errors.js'
import { defaults, parseTopology } from './index.js'

const FILE = 'devnet.yaml'

function errorOf(text: string): string {
  try {
    parseTopology(text, FILE)
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError)
    return (error as SpecError).message
  }
  throw new Error('expected a SpecError')
}

describe('settlement', () => {
  test('default', () => {
    expect(parseTopology('name: devnet\n', FILE).settlement).toEqual(defaults.settlement)
    expect(defaults.settlement.initBond).toBe(String(8n * 10n ** 16n))
  })

  test('args: game type, delays and init bond in ether, gwei or wei', () => {
    const s = (bond: string) => parseTopology(`settlement:\n  gameType: 254\n  proofMaturityDelaySeconds: 0\n  initBond: ${bond}\n`, FILE).settlement
    expect(s('1.5 ether')).toMatchObject({ gameType: 254, proofMaturityDelaySeconds: 0, initBond: '1500000000000000000' })
    expect(s('80 gwei').initBond).toBe('80000000000')
    expect(s('12345').initBond).toBe('12345')
  })

  test('error: zero proposal interval', () => {
    expect(errorOf('name: devnet\nsettlement:\n  proposalIntervalSeconds: 0\n')).toBe(
      `${FILE}:3 settlement.proposalIntervalSeconds: expected an integer >= 1, found 0`,
    )
  })

  test('error: a game type the factory does not register', () => {
    expect(errorOf('settlement:\n  gameType: 0\n')).toBe(
      `${FILE}:2 settlement.gameType: game type 0 (CANNON) is not registered in the devnet's DisputeGameFactory; expected 254 (FAST) and 255 (ALPHABET)`,
    )
  })

  test('error: an init bond that is not an amount', () => {
    expect(errorOf('settlement:\n  initBond: 0.1 wei\n')).toMatch(/^devnet\.yaml:2 settlement\.initBond: expected an amount such as 0\.08 ether/)
    expect(errorOf('settlement:\n  initBond: lots\n')).toMatch(/^devnet\.yaml:2 settlement\.initBond: expected an amount/)
  })

  test('error: an init bond larger than the proposer\'s balance', () => {
    expect(errorOf('settlement:\n  initBond: 10001 ether\n')).toBe(
      `${FILE}:2 settlement.initBond: expected at most the proposer's L1 balance (10000 ether, keys.roles.proposer = 2), found 10001 ether`,
    )
    expect(parseTopology('settlement:\n  initBond: 10000 ether\n', FILE).settlement.initBond).toBe(String(10n ** 22n))
  })

  test('error: split depth beyond the game depth limit', () => {
    expect(errorOf('settlement:\n  splitDepth: 122\n')).toMatch(/^devnet\.yaml:2 settlement\.splitDepth: expected an integer/)
  })

  test('error: a proposal interval whose blocks (and the gap until the anchor moves) do not fit 2^splitDepth leaves', () => {
    expect(errorOf('name: devnet\nsettlement:\n  splitDepth: 3\n')).toBe(
      `${FILE}:3 settlement.splitDepth: a game bisects up to 16 L2 blocks past the anchor (proposalIntervalSeconds 6 + maxClockDuration 10 until the anchor moves, at l2.blockTime 1 s) but 2^splitDepth = 8 leaves cover 8; expected splitDepth >= 4 or a shorter proposal interval`,
    )
    expect(errorOf('settlement:\n  splitDepth: 4\n  proposalIntervalSeconds: 7\n')).toMatch(/^devnet\.yaml:2 settlement\.splitDepth: a game bisects up to 17 L2 blocks .* expected splitDepth >= 5/)
    // Without splitDepth in the file, the interval it gave is what does not fit.
    expect(errorOf('settlement:\n  proposalIntervalSeconds: 20000\n')).toMatch(/^devnet\.yaml:2 settlement\.proposalIntervalSeconds: a game bisects up to 20010 L2 blocks .* 2\^splitDepth = 16384 leaves/)
  })

  test('behavior: exactly 2^splitDepth blocks fit; slower L2 blocks and FAST games (never bisected) pass', () => {
    expect(parseTopology('settlement:\n  splitDepth: 4\n', FILE).settlement.splitDepth).toBe(4)
    expect(parseTopology('l2:\n  blockTime: 2\nsettlement:\n  splitDepth: 3\n', FILE).settlement.splitDepth).toBe(3)
    expect(parseTopology('settlement:\n  gameType: 254\n  splitDepth: 1\n', FILE).settlement.splitDepth).toBe(1)
  })
})
