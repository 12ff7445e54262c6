import { keccak256, type Hex } from 'viem'
import { concatBytes, fixedBytes } from './bytes.js'
import { ZERO_HASH } from './types.js'

/** Output root version 0 (`bytes32(0)`). */
export const OUTPUT_VERSION_V0: Hex = ZERO_HASH

/** Inputs of a v0 output root. */
export interface OutputRootV0Args {
  stateRoot: Hex
  /** Storage root of the L2ToL1MessagePasser at the block. */
  messagePasserStorageRoot: Hex
  blockHash: Hex
}

/** `keccak256(version ++ stateRoot ++ messagePasserStorageRoot ++ blockHash)` with version 0. */
export function outputRootV0(args: OutputRootV0Args): Hex {
  return keccak256(
    concatBytes(
      fixedBytes(OUTPUT_VERSION_V0, 32, 'version'),
      fixedBytes(args.stateRoot, 32, 'state root'),
      fixedBytes(args.messagePasserStorageRoot, 32, 'message passer storage root'),
      fixedBytes(args.blockHash, 32, 'block hash'),
    ),
  )
}
