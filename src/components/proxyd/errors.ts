/** proxyd's JSON-RPC errors with the HTTP status it answers them with (proxyd's backend.go). */

export interface ProxydError {
  code: number
  message: string
  /** HTTP status of a single (non-batch) request that fails with this error. */
  http: number
}

const err = (code: number, message: string, http: number): ProxydError => ({ code, message, http })

export const errors = {
  parse: err(-32700, 'parse error', 400),
  internal: err(-32000, 'internal error', 500),
  methodNotWhitelisted: err(-32601, 'rpc method is not whitelisted', 403),
  backendOffline: err(-32010, 'backend offline', 503),
  noBackends: err(-32011, 'no backend is currently healthy to serve traffic', 503),
  backendOverCapacity: err(-32012, 'backend is over capacity', 429),
  backendBadResponse: err(-32013, 'backend returned an invalid response', 500),
  tooManyBatchRequests: err(-32014, 'too many RPC calls in batch request', 413),
  gatewayTimeout: err(-32015, 'gateway timeout', 504),
  overRateLimit: err(-32016, 'over rate limit', 429),
  blockOutOfRange: err(-32019, 'block is out of range', 400),
  requestBodyTooLarge: err(-32021, 'request body too large', 413),
} as const

/** An invalid JSON-RPC request (-32600, HTTP 400) with proxyd's message. */
export function invalidRequest(message: string): ProxydError {
  return err(-32600, message, 400)
}

/** `e` with its message replaced (configured messages such as `whitelist_error_message`). */
export function withMessage(e: ProxydError, message: string | undefined): ProxydError {
  return message ? { ...e, message } : e
}

/** Thrown inside proxyd to answer a request with a proxyd error. */
export class ProxydRpcError extends Error {
  constructor(readonly error: ProxydError) {
    super(error.message)
  }
}
