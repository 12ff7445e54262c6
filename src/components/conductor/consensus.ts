/**
 * op-conductor's consensus on etcd (raft underneath), for one conductor talking to its own etcd
 * member. Keys (etcd v3):
 * - `op-conductor/leader`: `{id, addr}` of the leader, attached to the leader's lease. A voter becomes
 *   leader by creating it (`if create_revision == 0`); its create revision is the leadership's fence.
 * - `op-conductor/transfer`: a transfer hint `{from, to?, until}` written with the leader key's delete:
 *   until `until` only `to` may campaign (or anyone but `from` when no target is named).
 * - `op-conductor/membership`: `{servers}`, versioned by its mod revision (see membership.ts).
 * - `op-conductor-unsafe/head`: the latest committed unsafe payload envelope (engine JSON).
 * Leadership holds while the leader key is this conductor's and its lease was renewed within the TTL;
 * without quorum neither happens, so a lone survivor steps down after one TTL.
 */
import { Etcd3, type IOptions, type Lease } from 'etcd3'
import type { Logger } from '../shared/log.js'
import { ConductorError, ERR_CANNOT_FIND_PEER, ERR_NOT_LEADER, ERR_TRANSFER_TO_SELF } from './errors.js'

export const KEYS = {
  prefix: 'op-conductor/',
  leader: 'op-conductor/leader',
  transfer: 'op-conductor/transfer',
  membership: 'op-conductor/membership',
  unsafe: 'op-conductor-unsafe/head',
} as const

/** op-conductor's `ServerInfo`: suffrage 0 = Voter, 1 = Nonvoter. */
export interface ServerInfo {
  id: string
  addr: string
  suffrage: 0 | 1
}

/** `conductor_clusterMembership`'s result. */
export interface ClusterMembership {
  servers: ServerInfo[]
  version: number
}

/** The engine-API JSON envelope op-node sends to `conductor_commitUnsafePayload`. */
export interface EnvelopeJson {
  parentBeaconBlockRoot?: string
  executionPayload: { blockNumber: string; blockHash: string; [k: string]: unknown }
}

export interface ConsensusOptions {
  serverId: string
  /** host:port other members dial (the consensus address). */
  addr: string
  clientUrl: string
  /** Leader lease TTL, seconds (etcd's floor is about 1 s with a 500 ms election timeout). */
  leaseTtlSec: number
  /** Election poll period, ms. */
  pollMs: number
  /** How long a transfer hint reserves the election for its target, ms. */
  transferWindowMs: number
  /** Deadline of every unary etcd call, ms. */
  callTimeoutMs: number
}

interface TransferHint {
  from: string
  to?: string
  until: number
}

/** A pass-through fault policy: no retries, no circuit breaker (the callers retry on their own schedule). */
const passThrough = { execute: async (fn: (ctx: unknown) => unknown) => fn({ signal: new AbortController().signal, attempt: 0 }) }

const text = (v: Buffer | string | undefined) => (v === undefined ? '' : v.toString())

export class EtcdConsensus {
  readonly client: Etcd3
  /** Called whenever this server's leadership changes. */
  onLeaderChange: (leader: boolean) => void = () => {}
  private lease?: Lease
  private leaseId?: string
  private leaseOkAt = 0
  /** Create revision of the leader key while this server holds it. */
  private myRev?: string
  private confirmedAt = 0
  private leaderNow = false
  private known?: ServerInfo
  private stopped = false
  private pollTimer?: NodeJS.Timeout
  private checkTimer?: NodeJS.Timeout
  private ticking?: Promise<void>
  private lastTickError = ''
  /** A nonvoter's etcd member is a learner, which serves only serializable (member-local) reads. */
  private learner = false
  private placementCheckedAt = 0

  constructor(
    readonly opts: ConsensusOptions,
    private readonly log: Logger,
  ) {
    const options: IOptions = {
      hosts: opts.clientUrl,
      dialTimeout: opts.callTimeoutMs,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + opts.callTimeoutMs }),
      faultHandling: { global: passThrough as never, host: () => passThrough as never },
    }
    this.client = new Etcd3(options)
  }

  /** Starts campaigning (voters only) and following the leader key. */
  start(): void {
    const poll = async () => {
      this.ticking = this.tick()
      await this.ticking
      if (!this.stopped) this.pollTimer = setTimeout(poll, this.opts.pollMs)
    }
    void poll()
    this.checkTimer = setInterval(() => this.refreshLeader(), 50)
  }

  serverId(): string {
    return this.opts.serverId
  }

  /** True while this server holds the leader key with a live lease (raft state Leader). */
  leader(): boolean {
    return this.leaderNow
  }

  /** The leader as last seen (empty id/addr when none, as raft's `LeaderWithID`). */
  leaderWithId(): ServerInfo {
    return this.known ? { ...this.known, suffrage: 0 } : { id: '', addr: '', suffrage: 0 }
  }

  private refreshLeader(): void {
    const now = Date.now()
    const ttl = this.opts.leaseTtlSec * 1000
    const leader = !this.stopped && this.myRev !== undefined && now - this.confirmedAt < ttl && now - this.leaseOkAt < ttl
    if (leader === this.leaderNow) return
    this.leaderNow = leader
    this.log.info('leadership status changed', { server: this.opts.serverId, leader })
    this.onLeaderChange(leader)
  }

  private async ensureLease(): Promise<string> {
    if (this.lease && this.leaseId) return this.leaseId
    const lease = this.client.lease(this.opts.leaseTtlSec, { autoKeepAlive: true })
    lease.on('keepaliveSucceeded', () => {
      if (this.lease === lease) this.leaseOkAt = Date.now()
    })
    lease.on('lost', (err) => {
      if (this.lease !== lease) return
      this.log.warn('consensus lease lost', { err: String(err?.message ?? err) })
      this.lease = undefined
      this.leaseId = undefined
      this.myRev = undefined
      this.refreshLeader()
    })
    this.lease = lease
    try {
      this.leaseId = await lease.grant()
      this.leaseOkAt = Date.now()
      return this.leaseId
    } catch (err) {
      this.lease = undefined
      lease.release()
      throw err
    }
  }

  /**
   * Reads `key` (or every key under it with `prefix`): linearizable, except on a learner, which
   * refuses those (then member-local reads, as a raft nonvoter reads its own log). A read that meets
   * an etcd leader election (`leader changed`, `no leader`) is retried for up to a call timeout: a raft
   * member reads its own state and never shows the caller an election.
   */
  async read(key: string, prefix = false): Promise<Array<{ key: Buffer; value: Buffer; create_revision: string; mod_revision: string }>> {
    const once = async (serializable: boolean) =>
      (await (prefix ? this.client.getAll().prefix(key) : this.client.get(key)).serializable(serializable).exec()).kvs
    const deadline = Date.now() + this.opts.callTimeoutMs
    for (;;) {
      try {
        return await once(this.learner)
      } catch (err) {
        const message = (err as Error).message
        if (!this.learner && /not supported for learner/.test(message)) {
          this.learner = true
          continue
        }
        if (!/leader changed|no leader/.test(message) || Date.now() >= deadline) throw err
        await new Promise((r) => setTimeout(r, 50))
      }
    }
  }

  /** One election round: read the leader and transfer keys; campaign when there is no leader. */
  private async tick(): Promise<void> {
    try {
      const kv = new Map((await this.read(KEYS.prefix, true)).map((k) => [text(k.key), k]))
      const membership = kv.get(KEYS.membership)
      const servers = membership ? (JSON.parse(text(membership.value)).servers as ServerInfo[]) : undefined
      const self = servers?.find((s) => s.id === this.opts.serverId)
      if (self) this.learner = self.suffrage === 1
      const leaderKv = kv.get(KEYS.leader)
      if (leaderKv) {
        this.known = { ...(JSON.parse(text(leaderKv.value)) as ServerInfo), suffrage: 0 }
        if (this.myRev !== undefined && String(leaderKv.create_revision) === this.myRev) this.confirmedAt = Date.now()
        else this.myRev = undefined
      } else {
        this.known = undefined
        this.myRev = undefined
        const voter = !servers || self?.suffrage === 0
        const hintKv = kv.get(KEYS.transfer)
        if (voter && !this.stopped && this.mayCampaign(hintKv ? (JSON.parse(text(hintKv.value)) as TransferHint) : undefined)) await this.campaign()
      }
      if (this.leaderNow && Date.now() - this.placementCheckedAt > 2_000) await this.placeRaftLeader()
      this.lastTickError = ''
    } catch (err) {
      const msg = (err as Error).message
      if (msg !== this.lastTickError) this.log.warn('consensus round failed', { err: msg })
      this.lastTickError = msg
    }
    this.refreshLeader()
  }

  /**
   * Keeps etcd's own raft leader on another voter than the conductor leader: if both are on the
   * server that dies, the leader key outlives it by an etcd election plus the lease extension a new
   * etcd leader grants (about 2.5 s measured); otherwise it expires after its TTL (about 1.3 s), which
   * keeps a failover inside the health monitor's two-block-times progress rule.
   */
  private async placeRaftLeader(): Promise<void> {
    this.placementCheckedAt = Date.now()
    const status = await this.client.maintenance.status()
    const me = String(status.header.member_id)
    if (String(status.leader) !== me) return
    const members = (await this.client.cluster.memberList({})).members ?? []
    const target = members.find((m) => String(m.ID) !== me && !m.isLearner && m.name !== '')
    if (!target) return
    await this.client.maintenance.moveLeader({ targetID: target.ID })
    this.log.info('moved the etcd raft leader off the conductor leader', { to: target.name })
  }

  private mayCampaign(hint: TransferHint | undefined): boolean {
    if (!hint || hint.until < Date.now()) return true
    return hint.to ? hint.to === this.opts.serverId : hint.from !== this.opts.serverId
  }

  private async campaign(): Promise<void> {
    const leaseId = await this.ensureLease()
    const me = JSON.stringify({ id: this.opts.serverId, addr: this.opts.addr })
    const res = await this.client
      .if(KEYS.leader, 'Create', '==', 0)
      .then(this.client.put(KEYS.leader).value(me).lease(leaseId), this.client.delete().key(KEYS.transfer))
      .commit()
    if (!res.succeeded) return
    this.myRev = String(res.header.revision)
    this.confirmedAt = Date.now()
    this.known = { id: this.opts.serverId, addr: this.opts.addr, suffrage: 0 }
    this.log.info('elected leader', { server: this.opts.serverId, revision: this.myRev })
  }

  /** The current membership record's servers (linearizable read). */
  async voters(): Promise<ServerInfo[]> {
    const raw = await this.client.get(KEYS.membership).string()
    return raw ? (JSON.parse(raw).servers as ServerInfo[]).filter((s) => s.suffrage === 0) : []
  }

  /**
   * Hands leadership over: deletes the leader key (fenced on this leadership) and leaves a transfer
   * hint naming `to` (or excluding this server). Not the leader: a no-op without a target (as
   * op-conductor's `TransferLeader`), `node is not the leader` with one.
   */
  async transferLeader(to?: { id: string; addr: string }): Promise<void> {
    const rev = this.myRev
    if (rev === undefined || !this.leaderNow) {
      if (to) throw new ConductorError(ERR_NOT_LEADER)
      return
    }
    const others = (await this.voters()).filter((s) => s.id !== this.opts.serverId)
    if (to?.id === this.opts.serverId) throw new ConductorError(ERR_TRANSFER_TO_SELF)
    if (to ? !others.some((s) => s.id === to.id) : others.length === 0) throw new ConductorError(ERR_CANNOT_FIND_PEER)
    const hint: TransferHint = { from: this.opts.serverId, until: Date.now() + this.opts.transferWindowMs, ...(to ? { to: to.id } : {}) }
    const res = await this.client
      .if(KEYS.leader, 'Create', '==', rev)
      .then(this.client.delete().key(KEYS.leader), this.client.put(KEYS.transfer).value(JSON.stringify(hint)))
      .commit()
    this.myRev = undefined
    this.refreshLeader()
    if (!res.succeeded) throw new ConductorError(ERR_NOT_LEADER)
    this.log.info('leadership transfer initiated', { from: this.opts.serverId, to: to?.id ?? '(any voter)' })
  }

  /**
   * Commits `envelope` as the latest unsafe payload, fenced on this server's leadership: the write is
   * a transaction on `leader.create_revision == mine` and the unsafe key's revision as read. A block
   * number not above the stored one succeeds without writing (as op-conductor's FSM).
   */
  async commitUnsafePayload(envelope: EnvelopeJson): Promise<void> {
    const num = envelope?.executionPayload?.blockNumber
    if (typeof num !== 'string' || typeof envelope.executionPayload.blockHash !== 'string') {
      throw new ConductorError('invalid payload envelope: expected {executionPayload: {blockNumber, blockHash, ...}}')
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const rev = this.myRev
      if (rev === undefined) throw new ConductorError(`failed to apply payload envelope: ${ERR_NOT_LEADER}`)
      const cur = (await this.client.get(KEYS.unsafe).exec()).kvs[0]
      const curNum = cur ? BigInt((JSON.parse(text(cur.value)) as EnvelopeJson).executionPayload.blockNumber) : -1n
      const txn = this.client.if(KEYS.leader, 'Create', '==', rev).and(KEYS.unsafe, 'Mod', '==', cur ? String(cur.mod_revision) : 0)
      if (BigInt(num) > curNum) txn.then(this.client.put(KEYS.unsafe).value(JSON.stringify(envelope)))
      const res = await txn.commit()
      if (res.succeeded) return
      const leader = (await this.client.get(KEYS.leader).exec()).kvs[0]
      if (!leader || String(leader.create_revision) !== rev) {
        if (this.myRev === rev) this.myRev = undefined
        this.refreshLeader()
        throw new ConductorError(`failed to apply payload envelope: ${ERR_NOT_LEADER}`)
      }
    }
    throw new ConductorError('failed to apply payload envelope: unsafe head changed concurrently')
  }

  /** The latest committed unsafe payload envelope (linearizable read), or null. */
  async latestUnsafePayload(): Promise<EnvelopeJson | null> {
    const kv = (await this.read(KEYS.unsafe))[0]
    return kv ? (JSON.parse(text(kv.value)) as EnvelopeJson) : null
  }

  /** Stops campaigning, gives up leadership (best effort) and closes the client. */
  async shutdown(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    clearTimeout(this.pollTimer)
    clearInterval(this.checkTimer)
    await this.ticking
    this.refreshLeader()
    const lease = this.lease
    this.lease = undefined
    if (lease) await Promise.race([lease.revoke().catch(() => undefined), new Promise((r) => setTimeout(r, 500))])
    this.client.close()
  }
}
