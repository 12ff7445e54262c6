import { bytesToHex, getAddress, keccak256, type Address } from 'viem'
import { concatBytes, uintToBytes } from './bytes.js'

/**
 * op-deployer's batch inbox address for an L2 chain: `0x00 ++ keccak256(uint256_be(chainId))[0:19]`.
 * The authoritative value is still rollup.json's `batch_inbox_address`.
 */
export function batchInboxAddress(l2ChainId: bigint | number): Address {
  const hash = keccak256(uintToBytes(BigInt(l2ChainId), 32, 'chain id'), 'bytes')
  return getAddress(bytesToHex(concatBytes(Uint8Array.of(0), hash.subarray(0, 19))))
}
