/**
 * op-conductor's sequencer health monitor: every `interval` seconds, `optimism_syncStatus` and
 * `opp2p_peerStats` of the rollup node are checked. The rules are pure ({@link assessSyncStatus},
 * {@link assessPeers}); {@link HealthMonitor} polls and reports each result (undefined = healthy).
 */
import type { RpcClient } from '../shared/jsonrpc.js'
import type { Logger } from '../shared/log.js'
import { now as chainNow, wallMs } from '../shared/clock.js'
import { ERR_SEQUENCER_CONNECTION_DOWN, ERR_SEQUENCER_NOT_HEALTHY } from './errors.js'

export interface HealthConfig {
  /** Seconds between checks (`--healthcheck.interval`). */
  interval: number
  /** Max age in seconds of the unsafe head (`--healthcheck.unsafe-interval`). */
  unsafeInterval: number
  /** `--healthcheck.safe-enabled`. */
  safeEnabled: boolean
  /** Max age in seconds of the safe head (`--healthcheck.safe-interval`). */
  safeInterval: number
  /** `--healthcheck.min-peer-count`. */
  minPeerCount: number
  /** L2 block time in seconds (from the rollup config). */
  blockTime: number
}

/** The last unsafe head number seen to advance, and when (seconds). */
export interface ProgressTracker {
  lastSeenUnsafeNum: number
  lastSeenUnsafeTime: number
}

export interface HeadTimes {
  unsafe: { number: number; time: number }
  safe: { number: number; time: number }
}

const diff = (now: number, then: number) => (now < then ? 0 : now - then)

/**
 * The sync-status rules, in op-conductor's order: the unsafe head advances about one block per block
 * time since it was last seen to advance; its timestamp is within `unsafeInterval` of now; with safe
 * checks on, the safe head's timestamp is within `safeInterval`. Returns the error (or undefined) and
 * the updated tracker.
 */
export function assessSyncStatus(cfg: HealthConfig, heads: HeadTimes, now: number, t: ProgressTracker): { error?: string; reason?: string; tracker: ProgressTracker } {
  let timeDiff = 0
  let blockDiff = 0
  let expectedBlocks = 0
  if (t.lastSeenUnsafeNum !== 0) {
    timeDiff = diff(now, t.lastSeenUnsafeTime)
    blockDiff = heads.unsafe.number - t.lastSeenUnsafeNum
    expectedBlocks = Math.floor(timeDiff / cfg.blockTime)
    if (expectedBlocks > 0) expectedBlocks--
  }
  const tracker = heads.unsafe.number > t.lastSeenUnsafeNum ? { lastSeenUnsafeNum: heads.unsafe.number, lastSeenUnsafeTime: now } : t
  if (timeDiff > cfg.blockTime && expectedBlocks > blockDiff) {
    return { error: ERR_SEQUENCER_NOT_HEALTHY, reason: 'unsafe head is not progressing as expected', tracker }
  }
  if (diff(now, heads.unsafe.time) > cfg.unsafeInterval) {
    return { error: ERR_SEQUENCER_NOT_HEALTHY, reason: 'unsafe head is falling behind the unsafe interval', tracker }
  }
  if (cfg.safeEnabled && diff(now, heads.safe.time) > cfg.safeInterval) {
    return { error: ERR_SEQUENCER_NOT_HEALTHY, reason: 'safe head is not progressing as expected', tracker }
  }
  return { tracker }
}

/** The peer rule: fewer connected peers than `minPeerCount` is unhealthy. */
export function assessPeers(cfg: HealthConfig, connected: number): { error?: string; reason?: string } {
  return connected < cfg.minPeerCount ? { error: ERR_SEQUENCER_NOT_HEALTHY, reason: 'peer count is below minimum' } : {}
}

const num = (v: unknown): number => (typeof v === 'string' ? Number(BigInt(v)) : Number(v ?? 0))

/** Polls the rollup node and reports every result to `onResult` (undefined = healthy). */
export class HealthMonitor {
  private tracker: ProgressTracker = { lastSeenUnsafeNum: 0, lastSeenUnsafeTime: 0 }
  private timer?: NodeJS.Timeout
  private running?: Promise<void>

  constructor(
    private readonly cfg: HealthConfig,
    private readonly node: RpcClient,
    private readonly log: Logger,
    private readonly onResult: (error: string | undefined) => void,
    private readonly now: () => number = () => Math.floor(chainNow() / 1000),
  ) {}

  /** One check, as op-conductor's `healthCheck`. */
  async check(): Promise<string | undefined> {
    let status: any
    try {
      status = await this.node.call('optimism_syncStatus', [], 2_000)
    } catch (err) {
      this.log.error('health monitor failed to get sync status', { err })
      return ERR_SEQUENCER_CONNECTION_DOWN
    }
    const heads: HeadTimes = {
      unsafe: { number: num(status?.unsafe_l2?.number), time: num(status?.unsafe_l2?.timestamp ?? status?.unsafe_l2?.time) },
      safe: { number: num(status?.safe_l2?.number), time: num(status?.safe_l2?.timestamp ?? status?.safe_l2?.time) },
    }
    const sync = assessSyncStatus(this.cfg, heads, this.now(), this.tracker)
    this.tracker = sync.tracker
    if (sync.error) {
      this.log.error(sync.reason!, { unsafe: heads.unsafe.number, unsafeTime: heads.unsafe.time, safeTime: heads.safe.time })
      return sync.error
    }
    let stats: any
    try {
      stats = await this.node.call('opp2p_peerStats', [], 2_000)
    } catch (err) {
      this.log.error('health monitor failed to get peer stats', { err })
      return ERR_SEQUENCER_CONNECTION_DOWN
    }
    const peers = assessPeers(this.cfg, num(stats?.connected))
    if (peers.error) this.log.error(peers.reason!, { connected: num(stats?.connected), minPeerCount: this.cfg.minPeerCount })
    return peers.error
  }

  start(): void {
    const tick = async () => {
      this.running = this.check().then(this.onResult)
      await this.running
      if (this.timer) this.timer = setTimeout(tick, wallMs(this.cfg.interval * 1000))
    }
    this.timer = setTimeout(tick, wallMs(this.cfg.interval * 1000))
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    await this.running
  }
}
