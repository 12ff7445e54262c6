/**
 * The OP Stack protocol layer: pure encoders, decoders and rules shared by the lite rollup node
 * and batcher (frames, channels, batches, deposits, L1 info, payloads, gossip, output roots).
 */
export * from './errors.js'
export * from './constants.js'
export * from './types.js'
export * from './rollupConfig.js'
export * from './frame.js'
export * from './channel.js'
export * from './batch.js'
export * from './spanBatch.js'
export * from './batchValidity.js'
export * from './spanBatchValidity.js'
export * from './deposit.js'
export * from './l1Info.js'
export * from './inbox.js'
export * from './output.js'
export * from './payload.js'
