/**
 * The `opstack` entry op-node puts in its discv5 ENR: `uvarint(chainId) ++ uvarint(version)`, version 0,
 * stored in the record as an RLP byte string (chain 901 -> `83 85 07 00` on the wire). Nodes keep only
 * peers whose entry names their chain and version 0.
 */
import { readUvarint, writeUvarint } from './bytes.js'
import { ProtocolError } from './errors.js'

/** The ENR key op-node uses. */
export const OPSTACK_ENR_KEY = 'opstack'

/** The decoded `opstack` entry. */
export interface OpStackEnrData {
  chainId: bigint
  version: bigint
}

/** The entry's value (the bytes inside the RLP string) for `chainId`, version 0. */
export function encodeOpStackEntry(chainId: number | bigint): Uint8Array {
  const id = writeUvarint(chainId)
  const out = new Uint8Array(id.length + 1)
  out.set(id)
  out[id.length] = 0 // uvarint(0)
  return out
}

/** Decodes the entry's value. @throws ProtocolError (`INVALID_ARGUMENT`) on a malformed value. */
export function decodeOpStackEntry(value: Uint8Array): OpStackEnrData {
  const chain = readUvarint(value, 0, 'opstack ENR entry chain id', 'INVALID_ARGUMENT')
  const version = readUvarint(value, chain.end, 'opstack ENR entry version', 'INVALID_ARGUMENT')
  if (version.end !== value.length) throw new ProtocolError('INVALID_ARGUMENT', `opstack ENR entry: ${value.length - version.end} trailing bytes`)
  return { chainId: chain.value, version: version.value }
}

/**
 * Why a peer's `opstack` entry does not qualify it for `chainId` (op-node's filter), or undefined when it
 * does: missing, malformed, another chain or a version other than 0.
 */
export function opStackMismatch(value: Uint8Array | undefined, chainId: number | bigint): string | undefined {
  if (value === undefined) return 'no opstack entry'
  let data: OpStackEnrData
  try {
    data = decodeOpStackEntry(value)
  } catch (err) {
    return (err as Error).message
  }
  if (data.chainId !== BigInt(chainId)) return `opstack chain id ${data.chainId}, expected ${chainId}`
  if (data.version !== 0n) return `opstack version ${data.version}, expected 0`
  return undefined
}
