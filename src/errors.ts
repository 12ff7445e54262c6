/**
 * One error base for everything op-devnet throws on purpose.
 *
 * Every error carries a stable `code` (e.g. `DEVNET_SPEC_INVALID`) that callers and the CLI map to
 * exit codes, a one-line `shortMessage`, optional `details` and `metaMessages` (extra lines such as
 * the last log lines of a failed service) and an optional `cause`.
 */
export type DevnetErrorCode =
  | 'DEVNET_SPEC_INVALID'
  | 'DEVNET_SPEC_NOT_FOUND'
  | 'DEVNET_SERVICE_FAILED'
  | 'DEVNET_SERVICE_TIMEOUT'
  | 'DEVNET_RUNTIME_UNAVAILABLE'
  | 'DEVNET_NOT_RUNNING'
  | 'DEVNET_ALREADY_RUNNING'
  | 'DEVNET_RPC_ERROR'
  | 'DEVNET_USAGE'
  | 'DEVNET_INTERNAL'

export interface DevnetErrorOptions {
  code?: DevnetErrorCode
  details?: string
  metaMessages?: string[]
  cause?: unknown
}

export class DevnetError extends Error {
  override name = 'DevnetError'
  readonly code: DevnetErrorCode
  readonly shortMessage: string
  readonly details?: string
  readonly metaMessages?: string[]

  constructor(shortMessage: string, options: DevnetErrorOptions = {}) {
    const lines = [shortMessage]
    if (options.metaMessages?.length) lines.push('', ...options.metaMessages)
    if (options.details) lines.push('', `Details: ${options.details}`)
    super(lines.join('\n'), options.cause === undefined ? undefined : { cause: options.cause })
    this.code = options.code ?? 'DEVNET_INTERNAL'
    this.shortMessage = shortMessage
    if (options.details !== undefined) this.details = options.details
    if (options.metaMessages !== undefined) this.metaMessages = options.metaMessages
  }
}

/** A user file (topology, scenario) failed validation; the message names file, line and path. */
export class SpecError extends DevnetError {
  override name = 'SpecError'
  readonly file: string
  readonly line?: number
  readonly path: string

  constructor(args: { file: string; line?: number; path: string; message: string; cause?: unknown }) {
    const where = args.line === undefined ? args.file : `${args.file}:${args.line}`
    super(`${where} ${args.path || '(root)'}: ${args.message}`, {
      code: 'DEVNET_SPEC_INVALID',
      cause: args.cause,
    })
    this.file = args.file
    if (args.line !== undefined) this.line = args.line
    this.path = args.path
  }
}

/** A service did not start, did not become ready, or died; carries its last log lines. */
export class ServiceError extends DevnetError {
  override name = 'ServiceError'
  readonly service: string

  constructor(service: string, message: string, options: { logs?: string[]; cause?: unknown; timeout?: boolean } = {}) {
    super(`service "${service}": ${message}`, {
      code: options.timeout ? 'DEVNET_SERVICE_TIMEOUT' : 'DEVNET_SERVICE_FAILED',
      metaMessages: options.logs?.length ? [`last log lines of ${service}:`, ...options.logs.map((l) => `  ${l}`)] : undefined,
      cause: options.cause,
    })
    this.service = service
  }
}
