/**
 * op-conductor's error strings, kept verbatim: clients (op-node, op-conductor-ops, acceptance tests)
 * match on them. Most come from hashicorp/raft, which op-conductor returns unchanged.
 */

/** hashicorp/raft `ErrNotLeader`: a consensus write on a follower (or a deposed leader). */
export const ERR_NOT_LEADER = 'node is not the leader'
/** The RPC proxy on a follower (op-conductor `rpc.ErrNotLeader`). */
export const ERR_PROXY_NOT_LEADER = 'refusing to proxy request to non-leader sequencer'
/** Health monitor: `health.ErrSequencerNotHealthy`. */
export const ERR_SEQUENCER_NOT_HEALTHY = 'sequencer is not healthy'
/** Health monitor: `health.ErrSequencerConnectionDown`. */
export const ERR_SEQUENCER_CONNECTION_DOWN = 'cannot connect to sequencer rpc endpoints'
/** Leadership transfer to a server that is not a voter of the cluster (hashicorp/raft). */
export const ERR_CANNOT_FIND_PEER = 'cannot find peer'
/** Leadership transfer to oneself (hashicorp/raft). */
export const ERR_TRANSFER_TO_SELF = 'cannot transfer leadership to itself'
/** op-conductor `ErrNoUnsafeHead`: the consensus holds no unsafe payload yet. */
export const ERR_NO_UNSAFE_HEAD = 'no unsafe head'
/** op-conductor `ErrUnsafeHeadMismatch`. */
export const ERR_UNSAFE_HEAD_MISMATCH = 'unsafe head mismatch'
/** op-node `ErrSequencerAlreadyStopped` / `ErrSequencerAlreadyStarted` (matched as substrings). */
export const SEQUENCER_NOT_RUNNING = 'sequencer not running'
export const SEQUENCER_ALREADY_RUNNING = 'sequencer already running'

/** hashicorp/raft's membership version check (`configuration changed since %v (latest is %v)`). */
export function configurationChanged(expected: bigint, latest: bigint): string {
  return `configuration changed since ${expected} (latest is ${latest})`
}

/** An error carrying one of the strings above; the RPC server answers it with code -32000. */
export class ConductorError extends Error {
  override name = 'ConductorError'
}
