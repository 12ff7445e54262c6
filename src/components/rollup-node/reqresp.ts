/**
 * op-node's req-resp block sync over libp2p streams (`/opstack/req/payload_by_number/<chainId>/0`): the
 * server answers from the node's engine with op-node's rate limits (20 requests/s overall with bursts of 40,
 * 4/s per peer with bursts of 15: a request waits for its token, up to 20 s), and the client fetches one
 * block by number from one peer.
 */
import type { Stream } from '@libp2p/interface'
import type { Hex } from 'viem'
import { payloadFromRpcBlock, payloadVersionFor, type PayloadWithBeaconRoot } from '../../protocol/payload.js'
import {
  decodePayloadRequest, decodePayloadResponse, encodeErrorResponse, encodePayloadRequest, encodePayloadResponse, maxBlockAt,
  MAX_RESPONSE_SIZE, ResultCode,
} from '../../protocol/reqresp.js'
import type { RollupConfig } from '../../protocol/types.js'
import type { Engine } from './engine.js'
import { rawTransactionOf } from './l2rpc/rawTx.js'
import type { Logger } from '../shared/log.js'
import { now as chainNow } from '../shared/clock.js'

const STREAM_OPEN_TIMEOUT_MS = 5_000
const READ_TIMEOUT_MS = 10_000
const MAX_THROTTLE_MS = 20_000

/** A token bucket that lends tokens ahead (as Go's `rate.Limiter.Reserve`): returns how long to wait. */
export class TokenBucket {
  private tokens: number
  private last = Date.now()

  constructor(private readonly perSecond: number, private readonly burst: number) {
    this.tokens = burst
  }

  reserve(now = Date.now()): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond)
    this.last = now
    this.tokens -= 1
    return this.tokens >= 0 ? 0 : (-this.tokens / this.perSecond) * 1000
  }
}

/** Reads a stream to its end (or until `enough` bytes); throws past `limit` bytes or after `timeoutMs`. */
async function readStream(stream: Stream, limit: number, timeoutMs: number, enough = Infinity): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  let size = 0
  const timer = setTimeout(() => stream.abort(new Error(`no complete message within ${timeoutMs} ms`)), timeoutMs)
  try {
    for await (const chunk of stream) {
      const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray()
      parts.push(bytes)
      size += bytes.length
      if (size > limit) throw new Error(`message exceeds ${limit} bytes`)
      if (size >= enough) break
    }
  } finally {
    clearTimeout(timer)
  }
  return Buffer.concat(parts)
}

async function send(stream: Stream, data: Uint8Array): Promise<void> {
  if (!stream.send(data)) await stream.onDrain({ signal: AbortSignal.timeout(READ_TIMEOUT_MS) })
  await stream.close({ signal: AbortSignal.timeout(READ_TIMEOUT_MS) })
}

/** What the server reads from its node. */
export interface PayloadSource {
  readonly cfg: RollupConfig
  readonly log: Logger
  readonly engine: Engine
  /** The highest block the node serves (its unsafe head). */
  readonly unsafe: { number: number }
}

/** The payload of canonical block `n` on the node's engine, or null when the node does not have it. */
export async function payloadByNumber(src: PayloadSource, n: number): Promise<PayloadWithBeaconRoot | null> {
  if (n > src.unsafe.number) return null
  const block = await src.engine.blockByNumber(n)
  if (!block) return null
  const raw: Hex[] = await Promise.all(block.transactions.map((tx) => rawTransactionOf(src.engine.rpc, tx)))
  return payloadFromRpcBlock(block, raw, { version: payloadVersionFor(src.cfg, Number(block.timestamp)) })
}

/** Serves `payload_by_number` requests from the node's engine. */
export class PayloadServer {
  private readonly global = new TokenBucket(20, 40)
  private readonly perPeer = new Map<string, TokenBucket>()
  /** Responses by result code, for tests and status. */
  readonly served = new Map<number, number>()

  constructor(private readonly src: PayloadSource) {}

  /** The libp2p stream handler. */
  handle(stream: Stream, from: string): void {
    void this.serve(stream, from).catch((err: unknown) => {
      this.src.log.debug('req-resp: serving failed', { peer: from, err: (err as Error).message })
      stream.abort(err as Error)
    })
  }

  private async serve(stream: Stream, from: string): Promise<void> {
    const request = readStream(stream, 1024, READ_TIMEOUT_MS, 8)
    let peer = this.perPeer.get(from)
    if (!peer) {
      if (this.perPeer.size >= 1000) this.perPeer.delete(this.perPeer.keys().next().value as string)
      this.perPeer.set(from, (peer = new TokenBucket(4, 15)))
    }
    const delay = Math.max(this.global.reserve(), peer.reserve())
    let response: Uint8Array
    if (delay > MAX_THROTTLE_MS) {
      await request.catch(() => undefined)
      response = encodeErrorResponse(ResultCode.unknownError)
    } else {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay))
      response = await this.respond(await request, from)
    }
    this.served.set(response[0], (this.served.get(response[0]) ?? 0) + 1)
    await send(stream, response)
  }

  private async respond(request: Uint8Array, from: string): Promise<Uint8Array> {
    const { cfg, log } = this.src
    let n: bigint
    try {
      n = decodePayloadRequest(request)
    } catch (err) {
      // op-node answers a request it cannot read with "unknown error", not "invalid request"
      log.debug('req-resp: unreadable request', { peer: from, err: (err as Error).message })
      return encodeErrorResponse(ResultCode.unknownError)
    }
    if (n < BigInt(cfg.genesis.l2.number) || n > BigInt(maxBlockAt(cfg, chainNow() / 1000))) {
      log.debug('req-resp: request out of range', { peer: from, number: n.toString() })
      return encodeErrorResponse(ResultCode.invalidRequest)
    }
    try {
      const payload = await payloadByNumber(this.src, Number(n))
      return payload ? encodePayloadResponse(cfg, payload) : encodeErrorResponse(ResultCode.notFound)
    } catch (err) {
      log.warn('req-resp: cannot read the block to serve', { number: Number(n), err: (err as Error).message })
      return encodeErrorResponse(ResultCode.unknownError)
    }
  }
}

/** Opens a stream to a peer on a protocol (the libp2p host's `newStream`). */
export type OpenStream = (peer: string, protocol: string, signal: AbortSignal) => Promise<Stream>

/** A peer's refusal: its result code. */
export class ReqRespError extends Error {
  constructor(readonly code: number, n: number, peer: string) {
    super(`peer ${peer} answered block ${n} with result code ${code} (${['success', 'not found', 'invalid request', 'unknown error'][code] ?? 'invalid code'})`)
  }
}

/** Requests block `n` from `peer`; throws a {@link ReqRespError} on an error code, and on bad bytes or timeouts. */
export async function requestPayload(open: OpenStream, cfg: RollupConfig, protocol: string, peer: string, n: number): Promise<PayloadWithBeaconRoot> {
  const stream = await open(peer, protocol, AbortSignal.timeout(STREAM_OPEN_TIMEOUT_MS))
  try {
    await send(stream, encodePayloadRequest(n))
    const res = decodePayloadResponse(cfg, n, await readStream(stream, MAX_RESPONSE_SIZE, READ_TIMEOUT_MS))
    if (!('payload' in res)) throw new ReqRespError(res.code, n, peer)
    return res.payload
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}
