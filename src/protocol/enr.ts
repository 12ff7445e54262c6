/**
 * Reading an ENR text record (EIP-778: `enr:` + base64url of RLP `[signature, seq, k1, v1, k2, v2, …]`)
 * structurally: record size, key order, the `v4` identity scheme with its 33-byte `secp256k1` key. The
 * signature is checked by the discv5 library when a node loads the record; this is the cheap check a
 * topology can run on its bootnode list.
 */
import { decodeRlp, asBytes, asList, asUint, type RlpItem } from './rlp.js'
import { ProtocolError } from './errors.js'

/** EIP-778: a record is at most 300 bytes. */
const MAX_RECORD_SIZE = 300

export interface EnrRecord {
  seq: bigint
  /** Keys (UTF-8) to values (byte strings; lists for keys such as `eth`). */
  pairs: Map<string, RlpItem>
  /** The compressed secp256k1 public key. */
  publicKey: Uint8Array
}

/** Decodes `enr:…`. @throws ProtocolError (`INVALID_ARGUMENT`) saying what is wrong. */
export function decodeEnrText(text: string): EnrRecord {
  const fail = (msg: string): never => {
    throw new ProtocolError('INVALID_ARGUMENT', msg)
  }
  if (!text.startsWith('enr:')) fail(`expected a record starting with "enr:", got ${JSON.stringify(text.slice(0, 16))}`)
  const body = text.slice(4)
  if (!/^[A-Za-z0-9_-]+$/.test(body)) fail('expected base64url (A-Z a-z 0-9 - _, no padding) after "enr:"')
  const raw = new Uint8Array(Buffer.from(body, 'base64url'))
  if (raw.length > MAX_RECORD_SIZE) fail(`record is ${raw.length} bytes, more than ${MAX_RECORD_SIZE}`)
  let list: RlpItem[]
  try {
    list = asList(decodeRlp(raw, 'INVALID_ARGUMENT'), 'record', 'INVALID_ARGUMENT')
  } catch (err) {
    return fail(`record is not an RLP list: ${(err as Error).message}`)
  }
  if (list.length < 2 || list.length % 2 !== 0) fail(`record must hold a signature, a sequence number and key/value pairs; got ${list.length} items`)
  asBytes(list[0], 'signature', 'INVALID_ARGUMENT')
  const seq = asUint(list[1], 8, 'sequence number', 'INVALID_ARGUMENT')
  const pairs = new Map<string, RlpItem>()
  let previous = ''
  for (let i = 2; i < list.length; i += 2) {
    const key = new TextDecoder().decode(asBytes(list[i], `key ${(i - 2) / 2}`, 'INVALID_ARGUMENT'))
    if (pairs.size > 0 && key <= previous) fail(`keys must be sorted and unique; "${key}" comes after "${previous}"`)
    pairs.set(key, list[i + 1])
    previous = key
  }
  const id = pairs.get('id')
  if (!(id instanceof Uint8Array) || new TextDecoder().decode(id) !== 'v4') fail('identity scheme must be "v4"')
  const publicKey = pairs.get('secp256k1')
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 33) fail('a v4 record needs a 33-byte "secp256k1" key')
  return { seq, pairs, publicKey: publicKey as Uint8Array }
}
