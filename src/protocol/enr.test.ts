import { SignableENR } from '@chainsafe/enr'
import { hexToBytes } from 'viem'
import { describe, expect, it } from 'vitest'
import { decodeEnrText } from './enr.js'
import { encodeOpStackEntry } from './opstackEnr.js'

// EIP-778's example record.
const EIP778 = 'enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8'

describe('decodeEnrText', () => {
  it("default: EIP-778's example record", () => {
    const r = decodeEnrText(EIP778)
    expect(r.seq).toBe(1n)
    expect([...r.pairs.keys()]).toEqual(['id', 'ip', 'secp256k1', 'udp'])
    expect(Buffer.from(r.publicKey).toString('hex')).toBe('03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138')
  })

  it('behavior: reads the opstack entry of a record the discv5 library signed', () => {
    const enr = SignableENR.createV4(hexToBytes(`0x${'22'.repeat(32)}`))
    enr.set('opstack', encodeOpStackEntry(901))
    expect(decodeEnrText(enr.encodeTxt()).pairs.get('opstack')).toEqual(encodeOpStackEntry(901))
  })

  it('error: not enr:, not base64url, not RLP, no v4 key', () => {
    expect(() => decodeEnrText('enode://x')).toThrow('expected a record starting with "enr:"')
    expect(() => decodeEnrText('enr:abc=')).toThrow('expected base64url')
    expect(() => decodeEnrText('enr:AAAA')).toThrow('record is not an RLP list')
    expect(() => decodeEnrText(`enr:${Buffer.from([0xc2, 0x80, 0x01]).toString('base64url')}`)).toThrow('identity scheme must be "v4"')
  })
})
