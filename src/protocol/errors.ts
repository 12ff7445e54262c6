/** Stable machine-readable codes carried by {@link ProtocolError}. */
export type ProtocolErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_RLP'
  | 'INVALID_FRAME'
  | 'INVALID_BATCHER_TX'
  | 'INVALID_CHANNEL'
  | 'INVALID_BATCH'
  | 'INVALID_SPAN_BATCH'
  | 'INVALID_DEPOSIT'
  | 'INVALID_DEPOSIT_LOG'
  | 'INVALID_L1_INFO'
  | 'INVALID_SYSTEM_CONFIG'
  | 'INVALID_PAYLOAD'
  | 'INVALID_GOSSIP'
  | 'UNSUPPORTED_FORK'

/**
 * Thrown by the protocol layer for malformed or out-of-range input (bad bytes, values that do not
 * fit their wire width, unsupported versions). `code` is stable; the message says what was wrong.
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError'
  readonly code: ProtocolErrorCode

  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
  }
}
