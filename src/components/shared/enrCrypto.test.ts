import { randomBytes } from 'node:crypto'
import { defaultCrypto, ENR, SignableENR } from '@chainsafe/enr'
import { expect, test } from 'vitest'
import { enrCrypto, useEnrCrypto, VERIFIED_MAX, verifiedCount } from './enrCrypto.js'

const keys = Array.from({ length: 6 }, () => Uint8Array.from(randomBytes(32)))
const msg = new TextEncoder().encode('an ENR content')

test('behavior: the same public keys, node IDs and signatures as the library’s default scheme', () => {
  for (const key of keys) {
    const pub = enrCrypto.publicKey(key)
    expect(pub).toEqual(defaultCrypto.publicKey(key))
    expect(enrCrypto.nodeId(pub)).toBe(defaultCrypto.nodeId(pub))
    // RFC 6979 nonces: the very same bytes, and each side verifies the other's.
    const sig = enrCrypto.sign(key, msg)
    expect(sig).toEqual(defaultCrypto.sign(key, msg))
    expect(defaultCrypto.verify(pub, msg, sig)).toBe(true)
    expect(enrCrypto.verify(pub, msg, defaultCrypto.sign(key, msg))).toBe(true)
  }
})

test('behavior: installed, it signs the very record the default signs, and decodes records with their signature checked', () => {
  const record = () => {
    const enr = SignableENR.createV4(keys[0])
    enr.ip = '127.0.0.1'
    enr.udp = 30303
    enr.seq = 7n
    return enr.encodeTxt()
  }
  const byDefault = record() // before the install: the library's own scheme
  useEnrCrypto()
  expect(record()).toBe(byDefault)
  const decoded = ENR.decodeTxt(byDefault)
  expect(decoded.nodeId).toBe(defaultCrypto.nodeId(defaultCrypto.publicKey(keys[0])))
  // Another record's signature on this content: the decode must refuse it.
  const other = ENR.decodeTxt(byDefault)
  const forged = new ENR(other.kvs, other.seq, ENR.decodeTxt(SignableENR.createV4(keys[1]).encodeTxt()).signature)
  expect(() => ENR.decodeTxt(forged.encodeTxt())).toThrow(/verify/)
})

test('error: a wrong message, a changed signature, another key or malformed input does not verify', () => {
  const pub = enrCrypto.publicKey(keys[1])
  const sig = enrCrypto.sign(keys[1], msg)
  expect(enrCrypto.verify(pub, msg, sig)).toBe(true)
  expect(enrCrypto.verify(pub, new TextEncoder().encode('another content'), sig)).toBe(false)
  const flipped = Uint8Array.from(sig)
  flipped[10] ^= 1
  expect(enrCrypto.verify(pub, msg, flipped)).toBe(false)
  expect(enrCrypto.verify(enrCrypto.publicKey(keys[2]), msg, sig)).toBe(false)
  expect(enrCrypto.verify(pub, msg, sig.subarray(0, 63))).toBe(false)
  expect(enrCrypto.verify(pub.subarray(0, 20), msg, sig)).toBe(false)
  expect(() => enrCrypto.nodeId(pub.subarray(0, 20))).toThrow()
})

test('behavior: an answer is kept per content, signature and key; a record seen again is not checked again, a changed one is', () => {
  const pub = enrCrypto.publicKey(keys[3])
  const content = new TextEncoder().encode(`a record ${Math.random()}`)
  const sig = enrCrypto.sign(keys[3], content)
  const before = verifiedCount()
  expect(enrCrypto.verify(pub, content, sig)).toBe(true)
  expect(verifiedCount()).toBe(Math.min(before + 1, VERIFIED_MAX))
  expect(enrCrypto.verify(pub, content, sig)).toBe(true)
  expect(verifiedCount()).toBe(Math.min(before + 1, VERIFIED_MAX))
  // The same signature on other content, or with another key, is its own question: no.
  expect(enrCrypto.verify(pub, new TextEncoder().encode('other content'), sig)).toBe(false)
  expect(enrCrypto.verify(enrCrypto.publicKey(keys[4]), content, sig)).toBe(false)
  expect(enrCrypto.verify(pub, content, sig)).toBe(true)
  // Bounded: many records later (malformed ones, refused at once), still at most VERIFIED_MAX answers.
  for (let i = 0; i < VERIFIED_MAX + 10; i++) enrCrypto.verify(pub, Uint8Array.of(i & 0xff, i >> 8), sig.subarray(0, 63))
  expect(verifiedCount()).toBe(VERIFIED_MAX)
})
