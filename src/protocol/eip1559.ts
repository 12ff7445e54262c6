/**
 * EIP-1559 base fee of the next L2 block with the OP Stack parameters (Canyon and later:
 * denominator 250, elasticity 6). The lite sequencer and every replica compute it the same way and
 * set it on their anvil before each block, so re-executed blocks reproduce the sequencer's hash.
 */

/** Canyon+ `eip1559DenominatorCanyon`. */
export const OP_EIP1559_DENOMINATOR = 250n
/** OP `eip1559Elasticity`. */
export const OP_EIP1559_ELASTICITY = 6n

export interface ParentFeeFields {
  gasLimit: bigint
  gasUsed: bigint
  baseFeePerGas: bigint
}

/** Base fee of the block after `parent`, per EIP-1559 with OP parameters. */
export function nextBaseFee(
  parent: ParentFeeFields,
  denominator: bigint = OP_EIP1559_DENOMINATOR,
  elasticity: bigint = OP_EIP1559_ELASTICITY,
): bigint {
  const target = parent.gasLimit / elasticity
  const base = parent.baseFeePerGas
  if (target === 0n || parent.gasUsed === target) return base
  if (parent.gasUsed > target) {
    const delta = (base * (parent.gasUsed - target)) / target / denominator
    return base + (delta > 1n ? delta : 1n)
  }
  const delta = (base * (target - parent.gasUsed)) / target / denominator
  return base > delta ? base - delta : 0n
}
