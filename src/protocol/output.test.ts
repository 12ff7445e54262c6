import { concatHex, keccak256, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { ProtocolError } from './errors.js'
import { OUTPUT_VERSION_V0, outputRootV0 } from './output.js'

describe('outputRootV0', () => {
  const stateRoot: Hex = `0x${'01'.repeat(32)}`
  const messagePasserStorageRoot: Hex = `0x${'02'.repeat(32)}`
  const blockHash: Hex = `0x${'03'.repeat(32)}`

  test('default', () => {
    expect(OUTPUT_VERSION_V0).toBe(`0x${'00'.repeat(32)}`)
    expect(outputRootV0({ stateRoot, messagePasserStorageRoot, blockHash })).toBe(
      keccak256(concatHex([`0x${'00'.repeat(32)}`, stateRoot, messagePasserStorageRoot, blockHash])),
    )
  })

  test('behavior: field order matters', () => {
    expect(outputRootV0({ stateRoot: blockHash, messagePasserStorageRoot, blockHash: stateRoot })).not.toBe(
      outputRootV0({ stateRoot, messagePasserStorageRoot, blockHash }),
    )
  })

  test('error: short hash', () => {
    expect(() => outputRootV0({ stateRoot: '0x01', messagePasserStorageRoot, blockHash })).toThrow(ProtocolError)
  })
})
