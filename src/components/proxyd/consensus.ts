/**
 * proxyd's consensus poller for a `consensus_aware` group (proxyd's consensus_poller.go). Every
 * `consensus_poller_interval` it polls each backend (`net_peerCount` unless `consensus_skip_peer_count`,
 * `eth_syncing` unless `skip_is_syncing_check`, then the latest / safe / finalized blocks) and bans for
 * `consensus_ban_period` a backend that is unhealthy or whose tags break `finalized <= safe <= latest`
 * or move safe / finalized back. The consensus group is the candidates (not banned, healthy, enough
 * peers, in sync, updated within `consensus_max_update_threshold`, within `consensus_max_block_lag` of
 * the highest head); consensus latest is the lowest candidate head walked back until every candidate
 * has the same hash there, safe and finalized the lowest. The three durations are chain time (they
 * shrink on the wall with the devnet clock's speed); backend health windows stay wall time.
 */
import type { GroupConfig } from './config.js'
import type { Backend } from './backend.js'
import type { Metrics } from './metrics.js'
import type { ConsensusBlocks } from './rewriter.js'
import type { Logger } from '../shared/log.js'
import { wallMs } from '../shared/clock.js'

export interface BackendState {
  latest: number
  latestHash: string
  safe: number
  finalized: number
  peerCount: number
  inSync: boolean
  lastUpdate: number
  bannedUntil: number
}

interface Block {
  number: string
  hash: string
}

const fresh = (): BackendState => ({ latest: 0, latestHash: '', safe: 0, finalized: 0, peerCount: 0, inSync: false, lastUpdate: 0, bannedUntil: 0 })

/** proxyd's sanity check of a backend's new block tags against what it reported before. */
export function expectedBlockTags(old: BackendState, latest: number, safe: number, finalized: number): boolean {
  return finalized >= old.finalized && safe >= old.safe && finalized <= safe && safe <= latest
}

/** How much longer the start-up wait gives the other backends once one has answered (wall ms). */
export const STRAGGLER_MS = 1_000

export class ConsensusPoller {
  readonly states = new Map<Backend, BackendState>()
  consensus: ConsensusBlocks & { latestHash: string } = { latest: 0, safe: 0, finalized: 0, latestHash: '' }
  /** Backends that serve traffic, in config order. */
  group: Backend[] = []
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly running = new Set<Promise<void>>()
  private stopped = false

  constructor(
    readonly conf: GroupConfig,
    readonly backends: Backend[],
    private readonly metrics: Metrics,
    private readonly log: Logger,
    /** Called when consensus breaks (a candidate disagrees below the current consensus head). */
    private readonly onBroken: () => void = () => {},
    private readonly now: () => number = Date.now,
  ) {
    for (const be of backends) this.states.set(be, fresh())
  }

  isBanned(be: Backend): boolean {
    return this.states.get(be)!.bannedUntil > this.now()
  }

  /** Bans `be` for the ban period and forgets its blocks (it may come back at any height). */
  ban(be: Backend, reason: string): void {
    if (be.conf.forcedCandidate) return
    this.log.warn('backend banned', { backend: be.name, reason, seconds: this.conf.banPeriodMs / 1000 })
    this.states.set(be, { ...fresh(), bannedUntil: this.now() + wallMs(this.conf.banPeriodMs) })
    this.metrics.consensusBackendBanned.set({ backend_name: be.name }, 1)
  }

  /** Polls one backend and updates (or bans) it. */
  async updateBackend(be: Backend): Promise<void> {
    if (this.isBanned(be)) return
    this.metrics.consensusBackendBanned.set({ backend_name: be.name }, 0)
    if (!be.healthy() && !be.conf.forcedCandidate) return this.ban(be, `unhealthy: ${be.healthSummary()}`)
    try {
      const peerCount = be.conf.skipPeerCount ? 0 : Number(await be.call<string>('net_peerCount', []))
      const syncing = be.conf.skipIsSyncingCheck ? false : await be.call<unknown>('eth_syncing', [])
      // Oldest tag first: a head moving between the calls cannot make safe look newer than latest.
      const finalized = await be.call<Block | null>('eth_getBlockByNumber', ['finalized', false])
      const safe = await be.call<Block | null>('eth_getBlockByNumber', ['safe', false])
      const latest = await be.call<Block | null>('eth_getBlockByNumber', ['latest', false])
      if (!latest || !safe || !finalized) throw new Error('missing latest, safe or finalized block')
      const n = { latest: Number(latest.number), safe: Number(safe.number), finalized: Number(finalized.number) }
      const old = this.states.get(be)!
      if (!expectedBlockTags(old, n.latest, n.safe, n.finalized)) {
        return this.ban(be, `unexpected block tags: latest ${n.latest} safe ${n.safe} (was ${old.safe}) finalized ${n.finalized} (was ${old.finalized})`)
      }
      this.states.set(be, { ...n, latestHash: latest.hash, peerCount, inSync: syncing === false || syncing === 'false', lastUpdate: this.now(), bannedUntil: 0 })
      this.metrics.backendLatestBlock.set({ backend_name: be.name }, n.latest)
      this.metrics.backendSafeBlock.set({ backend_name: be.name }, n.safe)
      this.metrics.backendFinalizedBlock.set({ backend_name: be.name }, n.finalized)
      this.metrics.consensusBackendPeerCount.set({ backend_name: be.name }, peerCount)
      this.metrics.consensusBackendInSync.set({ backend_name: be.name }, syncing === false ? 1 : 0)
    } catch (err) {
      // Its state stays as it was: it leaves the group once not updated for max_update_threshold, or is
      // banned once its failed requests make it unhealthy.
      this.log.warn('error updating backend', { backend: be.name, err: (err as Error).message })
    }
  }

  /** The backends eligible for the consensus group (proxyd's filterCandidates). */
  candidates(): Backend[] {
    const now = this.now()
    const eligible = this.backends.filter((be) => {
      const s = this.states.get(be)!
      if (be.conf.forcedCandidate) return true
      return (
        s.bannedUntil <= now &&
        be.healthy() &&
        (be.conf.skipPeerCount || s.peerCount >= this.conf.minPeerCount) &&
        (be.conf.skipIsSyncingCheck || s.inSync) &&
        now - s.lastUpdate <= wallMs(this.conf.maxUpdateThresholdMs)
      )
    })
    const highest = Math.max(0, ...eligible.map((be) => this.states.get(be)!.latest))
    return eligible.filter((be) => be.conf.forcedCandidate || this.states.get(be)!.latest >= highest - this.conf.maxBlockLag)
  }

  /** Recomputes the consensus blocks and group from the backends' last states. */
  async updateGroupConsensus(): Promise<void> {
    const candidates = this.candidates()
    const states = candidates.map((be) => this.states.get(be)!)
    let proposed = states.length ? Math.min(...states.map((s) => s.latest)) : 0
    let hash = states.find((s) => s.latest === proposed)?.latestHash ?? ''
    const safe = states.length ? Math.min(...states.map((s) => s.safe)) : 0
    const finalized = states.length ? Math.min(...states.map((s) => s.finalized)) : 0
    let broken = false
    while (proposed > 0 && candidates.length) {
      let agreed = true
      for (const be of candidates) {
        const s = this.states.get(be)!
        let actual = s.latest === proposed ? s.latestHash : undefined
        if (actual === undefined) {
          const block = await be.call<Block | null>('eth_getBlockByNumber', [`0x${proposed.toString(16)}`, false]).catch(() => null)
          if (!block) continue
          actual = block.hash
        }
        if (actual !== hash) {
          if (proposed <= this.consensus.latest) broken = true
          agreed = false
          break
        }
      }
      if (agreed) break
      proposed -= 1
      const first = await candidates[0].call<Block | null>('eth_getBlockByNumber', [`0x${proposed.toString(16)}`, false]).catch(() => null)
      hash = first?.hash ?? ''
    }
    if (broken) {
      this.log.info('consensus broken', { previous: this.consensus.latest, proposed })
      this.onBroken()
    }
    this.consensus = { latest: proposed, safe: Math.min(safe, proposed), finalized: Math.min(finalized, proposed), latestHash: hash }
    this.group = candidates
    const g = { backend_group_name: this.conf.name }
    this.metrics.groupConsensusLatestBlock.set(g, proposed)
    this.metrics.groupConsensusSafeBlock.set(g, this.consensus.safe)
    this.metrics.groupConsensusFinalizedBlock.set(g, this.consensus.finalized)
    this.metrics.groupConsensusCount.set(g, candidates.length)
    this.metrics.groupConsensusFilteredCount.set(g, this.backends.length - candidates.length)
    this.metrics.groupConsensusTotalCount.set(g, this.backends.length)
  }

  /** One round: every backend, then the group (the first round at start; tests drive rounds with it). */
  async poll(): Promise<void> {
    await Promise.all(this.backends.map((be) => this.updateBackend(be)))
    await this.updateGroupConsensus()
  }

  /**
   * As proxyd's poller: a loop per backend and one for the group, each every `consensus_poller_interval`
   * (start to start) until `stop()`. The loops are independent: a backend that hangs until its response
   * timeout holds up neither the others' updates nor the group's, so the healthy ones never look stale
   * (`consensus_max_update_threshold`) because of it. Resolves after every backend's first update and
   * the first group, so the fronts open with a consensus.
   *
   * With `backendsWithinMs`, the first round waits until every backend answers, probing each every 50 ms
   * without counting the probes against its health: for at most that long (wall time) while none
   * answers, and for at most {@link STRAGGLER_MS} more once one has. proxyd then starts beside its nodes
   * and still opens with all of them in the consensus, while a proxyd restarted beside a dead node opens
   * about as soon as before. A backend still down after the wait is left to the rounds.
   */
  async start(backendsWithinMs = 0): Promise<void> {
    if (backendsWithinMs > 0) await this.awaitBackends(Date.now() + backendsWithinMs)
    await Promise.all(this.backends.map((be) => this.every(() => this.updateBackend(be))))
    await this.every(() => this.updateGroupConsensus())
  }

  private async awaitBackends(until: number): Promise<void> {
    await Promise.all(
      this.backends.map(async (be) => {
        for (;;) {
          const left = until - Date.now()
          if (this.stopped || left <= 0) return
          if (await be.answers(Math.min(1000, left))) {
            until = Math.min(until, Date.now() + STRAGGLER_MS) // the others get a little longer
            return
          }
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
      }),
    )
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    await Promise.all(this.running)
  }

  /** Runs `work` now and then every poller interval; resolves after the first run. */
  private every(work: () => Promise<void>): Promise<void> {
    const run = async () => {
      const next = Date.now() + wallMs(this.conf.pollerIntervalMs)
      await this.track(work().catch((err: Error) => void (this.stopped || this.log.warn('consensus poll failed', { err: err.message }))))
      if (this.stopped) return
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        void run()
      }, Math.max(0, next - Date.now()))
      this.timers.add(timer)
    }
    return run()
  }

  private async track(p: Promise<void>): Promise<void> {
    this.running.add(p)
    try {
      await p
    } finally {
      this.running.delete(p)
    }
  }
}
