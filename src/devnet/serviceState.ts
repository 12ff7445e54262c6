/**
 * A service's persisted state on disk: what survives its crash and restart (a rollup node's engine
 * snapshot and heads, a bootnode's table, a conductor's raft data), and its deletion for a cold start.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { NODE_DATA_DIR } from '../components/rollup-node/config.js'
import { CONDUCTOR_STORAGE_DIR } from '../plan/conductor.js'
import { isRollupNode, type ServicePlan } from '../plan/types.js'

/** The persisted-state directory of a service, if it has one. */
export function persistedStateDir(stateDir: string, service: ServicePlan): string | undefined {
  if (service.role === 'conductor') return join(stateDir, service.name, CONDUCTOR_STORAGE_DIR)
  return isRollupNode(service.role) || service.role === 'bootnode' ? join(stateDir, service.name, NODE_DATA_DIR) : undefined
}

/** Deletes a service's persisted state (see {@link Devnet.wipeState}); also used by `devnet fault` from another process. */
export function wipeServiceState(stateDir: string, service: ServicePlan): void {
  const dir = persistedStateDir(stateDir, service)
  if (dir) rmSync(dir, { recursive: true, force: true })
}
