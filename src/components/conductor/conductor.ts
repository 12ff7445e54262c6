/**
 * The conductor service (op-conductor's `OpConductor`): follows leadership from the consensus and
 * health from the monitor, and drives the sequencer through the control loop's decision table
 * (control.ts). States: running; paused (still in the election and receiving health updates, takes no
 * action); stopped (out of the election, cannot restart).
 */
import type { Logger } from '../shared/log.js'
import { decide, sameState, type Action, type State } from './control.js'
import type { EnvelopeJson, EtcdConsensus, ServerInfo } from './consensus.js'
import { ConductorError, ERR_NO_UNSAFE_HEAD, ERR_NOT_LEADER, ERR_UNSAFE_HEAD_MISMATCH, SEQUENCER_ALREADY_RUNNING, SEQUENCER_NOT_RUNNING } from './errors.js'
import type { HealthMonitor } from './health.js'
import type { SequencerControl } from './sequencerControl.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

export class Conductor {
  leader = false
  healthy = true
  active = false
  paused: boolean
  stopped = false
  overridden = false
  /** The last health check's error (undefined = healthy). */
  healthError: string | undefined
  prev: State = { leader: false, healthy: true, active: false }
  /** Retry delay after a failed step: random 0-2 s, as op-conductor. */
  retryBackoff = () => Math.floor(Math.random() * 2000)
  private queued = false
  private wake?: () => void
  private loop?: Promise<void>
  private current?: Promise<unknown>
  private stopping?: Promise<void>

  constructor(
    readonly cons: EtcdConsensus,
    readonly ctrl: SequencerControl,
    private readonly health: HealthMonitor | undefined,
    private readonly log: Logger,
    paused: boolean,
    private readonly onStop: () => Promise<void> = async () => {},
  ) {
    this.paused = paused
  }

  /** Reads `admin_sequencerActive`, starts the loop and queues a first action. */
  async start(): Promise<void> {
    await this.updateSequencerActive()
    this.cons.onLeaderChange = (leader) => {
      this.leader = leader
      this.queueAction()
    }
    this.leader = this.cons.leader()
    this.prev = this.state()
    this.loop = this.run()
    this.queueAction()
  }

  state(): State {
    return { leader: this.leader, healthy: this.healthy, active: this.active }
  }

  /** A health result from the monitor (op-conductor `handleHealthUpdate`). */
  onHealth(error: string | undefined): void {
    const healthy = error === undefined
    if (!healthy) this.queueAction()
    if (healthy !== this.healthy) {
      this.log.info('health state changed', { old: this.healthy, new: healthy })
      this.healthy = healthy
      this.queueAction()
    }
    this.healthError = error
  }

  queueAction(): void {
    this.queued = true
    this.wake?.()
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.queued) await new Promise<void>((r) => (this.wake = r))
      this.wake = undefined
      if (this.stopped) break
      this.queued = false
      this.current = this.action()
      await this.current
    }
  }

  /**
   * One step toward the desired sequencer state; a failure queues a retry after the backoff.
   * Resolves with the step's error, if any (for tests and logs).
   */
  async action(): Promise<unknown> {
    if (this.paused || this.stopped) return undefined
    const status = this.state()
    const act = decide(status, this.prev, this.healthError)
    let err: unknown
    try {
      await this.execute(act)
    } catch (e) {
      err = e
    }
    if (err !== undefined) {
      this.log.error('failed to execute step, queueing another one to retry', { err: message(err), action: act, ...status })
      await sleep(this.retryBackoff())
      if (!this.stopped) this.queueAction()
      return err
    }
    if (!sameState(status, this.prev)) {
      this.log.info('state changed', { prev: this.prev, now: status })
      this.prev = status
    }
    return undefined
  }

  private async execute(act: Action): Promise<void> {
    switch (act) {
      case 'none':
        return
      case 'logUnhealthy':
        this.log.error('server (follower) is not healthy', { server: this.cons.serverId() })
        return
      case 'stopSequencer':
        return this.stopSequencer()
      case 'startSequencer':
        return this.startSequencer()
      case 'startOrTransfer':
        try {
          return await this.startSequencer()
        } catch (err) {
          this.log.error('failed to start sequencer, transferring leadership instead', { err: message(err) })
          return this.transferLeader()
        }
      case 'transferLeader':
        return this.transferLeader()
      case 'waitForHealthy':
        throw new Error('waiting for sequencing to become healthy by itself')
      case 'stopAndTransfer': {
        const errors: string[] = []
        await this.stopSequencer().catch((e) => errors.push(message(e)))
        await this.transferLeader().catch((e) => errors.push(message(e)))
        if (errors.length) throw new Error(errors.join('; '))
      }
    }
  }

  private async transferLeader(): Promise<void> {
    this.log.info('transferring leadership', { server: this.cons.serverId() })
    try {
      await this.cons.transferLeader()
      this.leader = false
    } catch (err) {
      if (message(err) === ERR_NOT_LEADER) {
        this.log.warn('cannot transfer leadership since current server is not the leader')
        return
      }
      throw err
    }
  }

  private async stopSequencer(): Promise<void> {
    this.log.info('stopping sequencer', { server: this.cons.serverId(), ...this.state() })
    try {
      const head = await this.ctrl.stopSequencer()
      this.log.info('stopped sequencer', { latestHead: head })
    } catch (err) {
      if (!message(err).includes(SEQUENCER_NOT_RUNNING)) throw new Error(`failed to stop sequencer: ${message(err)}`)
      this.log.warn('sequencer already stopped', { err: message(err) })
    }
    this.active = false
  }

  /**
   * Starts the sequencer at the consensus unsafe head: when the EL is exactly one block behind it,
   * the payload is posted to the node first (`admin_postUnsafePayload`); any other mismatch fails.
   */
  private async startSequencer(): Promise<void> {
    const cons = await this.cons.latestUnsafePayload()
    if (!cons) throw new ConductorError(ERR_NO_UNSAFE_HEAD)
    const el = await this.ctrl.latestUnsafeBlock()
    const consNum = BigInt(cons.executionPayload.blockNumber)
    if (cons.executionPayload.blockHash !== el.hash) {
      this.log.warn('latest unsafe block in consensus is not the same as the one in op-node', { consensus: consNum, node: el.number })
      if (consNum - el.number !== 1n) throw new ConductorError(ERR_UNSAFE_HEAD_MISMATCH)
      await this.ctrl.postUnsafePayload(cons)
    }
    this.log.info('starting sequencer', { server: this.cons.serverId(), hash: cons.executionPayload.blockHash })
    try {
      await this.ctrl.startSequencer(cons.executionPayload.blockHash)
    } catch (err) {
      if (!message(err).includes(SEQUENCER_ALREADY_RUNNING)) throw new Error(`failed to start sequencer: ${message(err)}`)
      this.log.warn('sequencer already started', { err: message(err) })
    }
    this.active = true
  }

  async updateSequencerActive(): Promise<void> {
    this.active = await this.ctrl.sequencerActive()
    this.log.info('sequencer active status updated', { active: this.active })
  }

  /** `conductor_pause`: waits for the step in progress, then takes no action until resumed. */
  async pause(): Promise<void> {
    this.paused = true
    await this.current
    this.log.info('conductor has been paused')
  }

  /** `conductor_resume`: re-reads `admin_sequencerActive` first, then acts. */
  async resume(): Promise<void> {
    try {
      await this.updateSequencerActive()
    } catch (err) {
      throw new ConductorError(`cannot resume because failed to get sequencer active status: ${message(err)}`)
    }
    this.paused = false
    this.log.info('conductor has been resumed')
    this.queueAction()
  }

  /** `conductor_leader`: raft leader, or the override. */
  isLeader(): boolean {
    return this.overridden || this.cons.leader()
  }

  /** `conductor_leaderWithID`. */
  leaderWithId(): ServerInfo {
    return this.overridden ? { id: 'N/A (Leader overridden)', addr: 'N/A', suffrage: 0 } : this.cons.leaderWithId()
  }

  commitUnsafePayload(envelope: EnvelopeJson): Promise<void> {
    return this.cons.commitUnsafePayload(envelope)
  }

  /** `conductor_stop`: leaves the election and stops the loop, the health monitor and the etcd member. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true
      this.wake?.()
      await this.loop
      await this.health?.stop()
      await this.cons.shutdown()
      await this.onStop()
      this.log.info('conductor stopped')
    })()
    return this.stopping
  }
}
