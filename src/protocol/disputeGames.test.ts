import { describe, expect, it } from 'vitest'
import { gameStatusName, proposalExtraData, proposalL2Block } from './disputeGames.js'

describe('dispute games', () => {
  it('default: extraData is abi.encode(uint256 l2Block), 32 bytes', () => {
    expect(proposalExtraData(12)).toBe(`0x${'0'.repeat(62)}0c`)
    expect(proposalL2Block(proposalExtraData(123_456n))).toBe(123_456n)
  })
  it('default: status names follow GameStatus', () => {
    expect([0, 1, 2].map(gameStatusName)).toEqual(['IN_PROGRESS', 'CHALLENGER_WINS', 'DEFENDER_WINS'])
  })
  it('error: extraData of another length and unknown statuses', () => {
    expect(() => proposalL2Block('0x01')).toThrow('expected 32 bytes of extraData, got 1')
    expect(() => gameStatusName(3)).toThrow('unknown game status 3')
  })
})
