import { FUNDED_BALANCE_WEI } from '../topology/types.js'

/** Genesis constants shared by L1 and L2. */
export const genesisDefaults = {
  /** @default 30_000_000 */
  gasLimit: 30_000_000,
  /** @default 1 gwei */
  baseFeePerGas: 1_000_000_000n,
  /** Balance of every funded dev account. @default 10000 ETH */
  balance: FUNDED_BALANCE_WEI,
  /** Ecotone fee scalars written into `system_config.scalar`. @default 810949 */
  blobBaseFeeScalar: 810_949,
  /** @default 1368 */
  baseFeeScalar: 1368,
}
