import { createHash } from 'node:crypto'
import snappy from 'snappyjs'
import { bytesToHex, concatHex, hexToBytes, keccak256, numberToHex, recoverAddress, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount, sign } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { ProtocolError } from './errors.js'
import { gossipMessageId } from './gossip.js'
import { decodeGossipBlock, encodeGossipBlock, encodePayloadSSZ, gossipTopic, payloadSigningHash, type ExecutionPayload } from './payload.js'

const KEY: Hex = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a'
const signer = privateKeyToAccount(KEY).address
const payload: ExecutionPayload = {
  parentHash: `0x${'01'.repeat(32)}`,
  feeRecipient: '0x4200000000000000000000000000000000000011',
  stateRoot: `0x${'02'.repeat(32)}`,
  receiptsRoot: `0x${'03'.repeat(32)}`,
  logsBloom: `0x${'00'.repeat(256)}`,
  prevRandao: `0x${'04'.repeat(32)}`,
  blockNumber: 5n,
  gasLimit: 30_000_000n,
  gasUsed: 21_000n,
  timestamp: 1_700_000_010n,
  extraData: '0x',
  baseFeePerGas: 7n,
  blockHash: `0x${'05'.repeat(32)}`,
  transactions: ['0x7e01', '0x02aa'],
  withdrawals: [],
  blobGasUsed: 0n,
  excessBlobGas: 0n,
}
const ROOT: Hex = `0x${'09'.repeat(32)}`

describe('gossipTopic', () => {
  test('default', () => {
    expect([1, 2, 3, 4].map((v) => gossipTopic(901, v as 1 | 2 | 3 | 4))).toEqual([
      '/optimism/901/0/blocks',
      '/optimism/901/1/blocks',
      '/optimism/901/2/blocks',
      '/optimism/901/3/blocks',
    ])
  })
})

describe('payloadSigningHash', () => {
  test('default', () => {
    const bytes = Uint8Array.of(1, 2, 3)
    expect(payloadSigningHash(901n, bytes)).toBe(keccak256(concatHex([`0x${'00'.repeat(32)}`, numberToHex(901, { size: 32 }), keccak256(bytes)])))
  })
})

describe('encodeGossipBlock / decodeGossipBlock', () => {
  test('default: v3 round trip recovers the signer', async () => {
    const msg = await encodeGossipBlock({ payload, parentBeaconBlockRoot: ROOT, version: 3, l2ChainId: 901, signerPrivateKey: KEY })
    const raw = snappy.uncompress(msg)
    expect(raw.length).toBe(65 + 32 + encodePayloadSSZ(payload, 3).length)
    const out = await decodeGossipBlock(msg, { version: 3, l2ChainId: 901, expectedSigner: signer })
    expect(out.payload).toEqual(payload)
    expect(out.parentBeaconBlockRoot).toBe(ROOT)
    expect(out.signer).toBe(signer)
    expect(out.signature.length).toBe(2 + 130)
  })

  test('args: v2 has no beacon root', async () => {
    const { blobGasUsed: _b, excessBlobGas: _e, ...p2 } = payload
    const msg = await encodeGossipBlock({ payload: p2, version: 2, l2ChainId: 901, signerPrivateKey: KEY })
    const out = await decodeGossipBlock(msg, { version: 2, l2ChainId: 901 })
    expect(out.parentBeaconBlockRoot).toBeUndefined()
    expect(out.payload).toEqual(p2)
  })

  test('behavior: signature is over the chain id', async () => {
    const msg = await encodeGossipBlock({ payload, parentBeaconBlockRoot: ROOT, version: 3, l2ChainId: 901, signerPrivateKey: KEY })
    const out = await decodeGossipBlock(msg, { version: 3, l2ChainId: 902 })
    expect(out.signer).not.toBe(signer)
  })

  test('error: wrong signer', async () => {
    const msg = await encodeGossipBlock({ payload, parentBeaconBlockRoot: ROOT, version: 3, l2ChainId: 901, signerPrivateKey: KEY })
    await expect(decodeGossipBlock(msg, { version: 3, l2ChainId: 902, expectedSigner: signer })).rejects.toThrow(/expected/)
  })

  test('error: bad snappy', async () => {
    await expect(decodeGossipBlock(Uint8Array.of(0xff, 0xff, 0xff), { version: 3, l2ChainId: 901 })).rejects.toThrow(ProtocolError)
  })

  test('error: bad yParity and short message', async () => {
    const msg = await encodeGossipBlock({ payload, parentBeaconBlockRoot: ROOT, version: 3, l2ChainId: 901, signerPrivateKey: KEY })
    const raw = snappy.uncompress(msg)
    raw[64] = 27
    await expect(decodeGossipBlock(snappy.compress(raw), { version: 3, l2ChainId: 901 })).rejects.toThrow(/yParity/)
    await expect(decodeGossipBlock(snappy.compress(raw.subarray(0, 80)), { version: 3, l2ChainId: 901 })).rejects.toThrow(/too short/)
  })

  test('error: beacon root missing for v3', async () => {
    await expect(encodeGossipBlock({ payload, version: 3, l2ChainId: 901, signerPrivateKey: KEY })).rejects.toThrow(/parentBeaconBlockRoot/)
  })
})

describe('gossip signatures', () => {
  /** The 65-byte signature and the signed bytes of an encoded message. */
  const parts = (msg: Uint8Array) => {
    const raw = snappy.uncompress(msg)
    return { sig: raw.subarray(0, 65), body: raw.subarray(65) }
  }

  test('behavior: the bytes viem’s sign makes (RFC 6979, low s), and the signer viem’s recoverAddress finds', async () => {
    for (const key of [KEY, generatePrivateKey(), generatePrivateKey(), generatePrivateKey()]) {
      const { sig, body } = parts(await encodeGossipBlock({ payload, parentBeaconBlockRoot: ROOT, version: 3, l2ChainId: 901, signerPrivateKey: key }))
      const hash = payloadSigningHash(901, body)
      const byViem = await sign({ hash, privateKey: key })
      expect(bytesToHex(sig)).toBe(concatHex([byViem.r, byViem.s, numberToHex(byViem.yParity!, { size: 1 })]))
      const out = await decodeGossipBlock(await encodeGossipBlock({ payload, parentBeaconBlockRoot: ROOT, version: 3, l2ChainId: 901, signerPrivateKey: key }), { version: 3, l2ChainId: 901 })
      expect(out.signer).toBe(await recoverAddress({ hash, signature: bytesToHex(sig) }))
      expect(out.signer).toBe(privateKeyToAccount(key).address)
    }
  })

  test('behavior: a high-s twin of a signature recovers what viem recovers from it', async () => {
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    const msg = await encodeGossipBlock({ payload, parentBeaconBlockRoot: ROOT, version: 3, l2ChainId: 901, signerPrivateKey: KEY })
    const { sig, body } = parts(msg)
    const twin = Uint8Array.from(sig)
    twin.set(hexToBytes(numberToHex(N - BigInt(bytesToHex(sig.subarray(32, 64))), { size: 32 })), 32)
    twin[64] = 1 - sig[64]
    const viem = await recoverAddress({ hash: payloadSigningHash(901, body), signature: bytesToHex(twin) }).catch(() => 'refused')
    const ours = await decodeGossipBlock(snappy.compress(Uint8Array.from([...twin, ...body])), { version: 3, l2ChainId: 901 }).then((o) => o.signer, () => 'refused')
    expect(ours).toBe(viem)
    expect(ours).toBe(signer) // op-node (geth's ecrecover) takes a high s here too
  })

  test('error: a signature whose r is not on the curve, or zero, cannot be recovered', async () => {
    const { body } = parts(await encodeGossipBlock({ payload, parentBeaconBlockRoot: ROOT, version: 3, l2ChainId: 901, signerPrivateKey: KEY }))
    for (const bad of [new Uint8Array(65), Uint8Array.from([...new Uint8Array(32).fill(0xff), ...new Uint8Array(32).fill(1), 0])]) {
      await expect(decodeGossipBlock(snappy.compress(Uint8Array.from([...bad, ...body])), { version: 3, l2ChainId: 901 })).rejects.toThrow(/cannot recover signer/)
    }
  })
})

describe('gossipMessageId', () => {
  const topic = '/optimism/901/2/blocks'
  const expected = (domain: number, body: Uint8Array) => {
    const len = Buffer.alloc(8)
    len.writeBigUInt64LE(BigInt(topic.length))
    return new Uint8Array(createHash('sha256').update(Uint8Array.of(domain, 0, 0, 0)).update(len).update(topic).update(body).digest().subarray(0, 20))
  }
  test('behavior: raw data (not snappy) hashes with domain 0', () => {
    const raw = new TextEncoder().encode('\xff not snappy')
    expect(gossipMessageId(topic, raw)).toEqual(expected(0, raw))
  })
  test('behavior: snappy data hashes its decompressed bytes with domain 1', () => {
    const body = new TextEncoder().encode('a block payload')
    expect(gossipMessageId(topic, snappy.compress(body))).toEqual(expected(1, body))
  })
})

describe('decodeGossipBlock signer check', () => {
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
  const body = (data: Uint8Array) => snappy.uncompress(data)
  /** The message with its 65 signature bytes replaced. */
  const withSignature = (data: Uint8Array, sig: Uint8Array) => snappy.compress(Uint8Array.from([...sig, ...body(data).subarray(65)]))
  /** What recovery alone says: the signer's address, or an error. */
  const recovered = async (data: Uint8Array) => {
    const raw = body(data)
    const hash = payloadSigningHash(901, raw.subarray(65))
    const sig = raw.subarray(0, 65)
    if (sig[64]! > 1) return 'bad parity'
    return recoverAddress({ hash, signature: bytesToHex(sig) }).then((a) => a.toLowerCase(), () => 'unrecoverable')
  }
  const decided = (data: Uint8Array) =>
    decodeGossipBlock(data, { version: 2, l2ChainId: 901, expectedSigner: signer }).then((d) => d.signer.toLowerCase(), (e: ProtocolError) => e.message)

  test('behavior: with the signer\'s key known from a first recovery, every signature gets the answer recovery gives', async () => {
    const blocks = await Promise.all(Array.from({ length: 12 }, (_, i) => encodeGossipBlock({ payload: { ...payload, blockNumber: BigInt(i) }, version: 2, l2ChainId: 901, signerPrivateKey: KEY })))
    // The first decode recovers and keeps the key; the rest go through the known key.
    for (const data of blocks) expect(await decided(data)).toBe(signer.toLowerCase())
    const other = await encodeGossipBlock({ payload, version: 2, l2ChainId: 901, signerPrivateKey: generatePrivateKey() })
    const variants: Uint8Array[] = [other]
    for (const data of blocks.slice(0, 4)) {
      const sig = body(data).subarray(0, 65)
      const s = BigInt(bytesToHex(sig.subarray(32, 64)))
      // The same signature with high s and the other parity: the same key recovers (geth accepts it too).
      variants.push(withSignature(data, Uint8Array.from([...sig.subarray(0, 32), ...hexToBytes(numberToHex(n - s, { size: 32 })), sig[64]! ^ 1])))
      // The wrong parity alone: another key.
      variants.push(withSignature(data, Uint8Array.from([...sig.subarray(0, 64), sig[64]! ^ 1])))
      // r or s changed, r = 0, s = n: another key or nothing at all.
      for (const [i, b] of [[5, 1], [40, 0x80]] as const) {
        const changed = Uint8Array.from(sig)
        changed[i] ^= b
        variants.push(withSignature(data, changed))
      }
      variants.push(withSignature(data, Uint8Array.from([...new Uint8Array(32), ...sig.subarray(32)])))
      variants.push(withSignature(data, Uint8Array.from([...sig.subarray(0, 32), ...hexToBytes(numberToHex(n, { size: 32 })), sig[64]!])))
    }
    for (const data of variants) {
      const truth = await recovered(data)
      const answer = await decided(data)
      if (truth === signer.toLowerCase()) expect(answer).toBe(truth)
      else expect(answer, `recovery says ${truth}`).toMatch(/^(block signed by 0x[0-9a-fA-F]{40}, expected|cannot recover signer)/)
    }
    // The high-s variants are accepted, the parity flips refused: both kinds were really tried.
    const answers = await Promise.all(variants.map(decided))
    expect(answers.filter((a) => a === signer.toLowerCase())).toHaveLength(4)
  })
})
