/**
 * The devnet clock on the orchestrator's side: which clock a plan runs at (the lite services' `DEVNET_CLOCK_*`),
 * and pacing L1 to it. anvil mines every `blockTime / speed` wall seconds (`--block-time`, planned); its
 * timestamps would be wall time, so `paceL1` makes them `blockTime` apart (`anvil_setBlockTimestampInterval`)
 * starting from the clock's now (`evm_setNextBlockTimestamp`).
 */
import type { Hex } from 'viem'
import { chainTime, clockFromEnv, WALL_CLOCK, type DevnetClock } from '../protocol/clock.js'
import type { DevnetPlan } from '../plan/types.js'
import { jsonRpc } from '../runtime/jsonrpc.js'

/** The clock a plan's services run at (the wall clock when the plan gives them none). */
export function planClock(plan: DevnetPlan): DevnetClock {
  const lite = plan.services.find((s) => s.program === 'lite')
  return lite ? clockFromEnv(lite.env) : WALL_CLOCK
}

/**
 * Makes the L1 anvil at `url` stamp blocks `blockTime` seconds apart from the clock's now on, so L1
 * time follows the devnet clock. Nothing to do at speed 1 (anvil's wall-time stamps are the clock).
 * Calls `eth_getBlockByNumber`, `evm_setNextBlockTimestamp`, `anvil_setBlockTimestampInterval`.
 */
export async function paceL1(url: string, clock: DevnetClock, blockTime: number): Promise<void> {
  if (clock.speed === 1) return
  const latest = await jsonRpc<{ timestamp: Hex }>(url, 'eth_getBlockByNumber', ['latest', false])
  const next = Math.max(Number(latest.timestamp) + 1, Math.ceil(chainTime(clock, Date.now()) / 1000))
  await jsonRpc(url, 'evm_setNextBlockTimestamp', [next])
  await jsonRpc(url, 'anvil_setBlockTimestampInterval', [blockTime])
}
