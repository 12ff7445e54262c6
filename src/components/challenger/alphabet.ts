/**
 * The alphabet execution trace exactly as contracts-bedrock 0.17.3's AlphabetVM steps it. The VM's state is
 * `abi.encode(traceIndex, claim)`; a claim is the state's keccak256 with byte 0 = 1 (VM status INVALID).
 * - From the absolute prestate (`abi.encode(uint256(0x60))`) the VM reads local data key 4, the disputed
 *   L2 block number D, and moves to `(N << 4, 0x60 + (N << 4))` with N = D - 1: trace index 0.
 * - From any other state it increments both words.
 * So in the execution subgame disputing block D, trace index i (0..7) holds state `(N << 4) + i` twice offset.
 */
import { concat, encodeAbiParameters, keccak256, type Hex } from 'viem'

/** `abi.encode(uint256(0x60))`: the state data whose hash is the absolute prestate. */
export const ABSOLUTE_PRESTATE_DATA: Hex = encodeAbiParameters([{ type: 'uint256' }], [0x60n])

/** A state's claim: keccak256 of its data with the high byte set to 1. */
export function alphabetClaim(stateData: Hex): Hex {
  return concat(['0x01', `0x${keccak256(stateData).slice(4)}`])
}

/** The absolute prestate claim (status byte 3, UNFINISHED), as the game is deployed with. */
export const ABSOLUTE_PRESTATE: Hex = concat(['0x03', `0x${keccak256(ABSOLUTE_PRESTATE_DATA).slice(4)}`])

/** The VM state after trace index `i` of the subgame disputing L2 block `disputedBlock`. */
export function alphabetState(disputedBlock: bigint, i: bigint): Hex {
  const base = (disputedBlock - 1n) << 4n
  return encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [base + i, 0x60n + base + i])
}

/** The honest claim at trace index `i` of the subgame disputing `disputedBlock`. */
export function alphabetTraceClaim(disputedBlock: bigint, i: bigint): Hex {
  return alphabetClaim(alphabetState(disputedBlock, i))
}

/** The state data a step needs to execute trace index `i`: the prestate for 0, else the state at `i - 1`. */
export function alphabetPreState(disputedBlock: bigint, i: bigint): Hex {
  return i === 0n ? ABSOLUTE_PRESTATE_DATA : alphabetState(disputedBlock, i - 1n)
}
