import { describe, expect, test } from 'vitest'
import { batchInboxAddress } from './inbox.js'

describe('batchInboxAddress', () => {
  test('default: reference examples', () => {
    expect(batchInboxAddress(901).toLowerCase()).toBe('0x00289c189bee4e70334629f04cd5ed602b6600eb')
    expect(batchInboxAddress(2151908n).toLowerCase()).toBe('0x00a4fe4c6aaa0729d7699c387e7f281dd64afa2a')
    expect(batchInboxAddress(16584).toLowerCase()).toBe('0x0098faa3fd68e74587cfad4029165ae7a85a73b5')
  })

  test('behavior: checksummed output', () => {
    expect(batchInboxAddress(901)).toMatch(/^0x00[0-9a-fA-F]{38}$/)
  })
})
