/**
 * The decision table of op-conductor's control loop (`OpConductor.action`), pure: from the current
 * (leader, healthy, active) state, the previous state and the last health error, what to do. Every
 * one of the 8 cases of the 3 booleans is handled, with op-conductor's previous-state sub-cases.
 */
import { ERR_SEQUENCER_CONNECTION_DOWN } from './errors.js'

export interface State {
  leader: boolean
  healthy: boolean
  active: boolean
}

/**
 * - `none`: nothing to do (normal follower, normal leader).
 * - `logUnhealthy`: an unhealthy follower that is not sequencing: log only.
 * - `stopSequencer`: a follower that is sequencing (stepped down, or unhealthy).
 * - `startSequencer`: a healthy leader that is not sequencing.
 * - `startOrTransfer`: a leader that just came from (follower, not active) is unhealthy for a reason
 *   other than a connection failure: the old leader failed and the network stalls, so start anyway;
 *   if the start fails, transfer leadership instead.
 * - `transferLeader`: an unhealthy leader that is not sequencing hands leadership over.
 * - `waitForHealthy`: continuing the `startOrTransfer` case: sequencing, give it time to recover
 *   (counts as a failed step, so the action is retried).
 * - `stopAndTransfer`: a healthy leader became unhealthy: stop sequencing and hand leadership over.
 */
export type Action =
  | 'none'
  | 'logUnhealthy'
  | 'stopSequencer'
  | 'startSequencer'
  | 'startOrTransfer'
  | 'transferLeader'
  | 'waitForHealthy'
  | 'stopAndTransfer'

/** Decides the control loop's action; `healthError` is the last health check's error message, if any. */
export function decide(now: State, prev: State, healthError: string | undefined): Action {
  const connectionDown = healthError === ERR_SEQUENCER_CONNECTION_DOWN
  if (!now.leader) {
    if (now.active) return 'stopSequencer'
    return now.healthy ? 'none' : 'logUnhealthy'
  }
  if (now.healthy) return now.active ? 'none' : 'startSequencer'
  if (!now.active) {
    return !prev.leader && !prev.active && !connectionDown ? 'startOrTransfer' : 'transferLeader'
  }
  return prev.leader && !prev.healthy && !prev.active && !connectionDown ? 'waitForHealthy' : 'stopAndTransfer'
}

/** Equality of two states (the loop records the previous state only after a successful step). */
export function sameState(a: State, b: State): boolean {
  return a.leader === b.leader && a.healthy === b.healthy && a.active === b.active
}
