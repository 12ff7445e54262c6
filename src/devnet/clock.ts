/**
 * The devnet clock on the orchestrator's side: which clock a plan runs at (the lite services'
 * `DEVNET_CLOCK_*`), and L1's block production, which the L1 clock service runs on it
 * (`components/l1-clock`: one block per slot, timestamps on the clock at any speed): `resumeL1` ends the
 * hold of the start and an `l1Halt`, `haltL1` halts it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { chainTime, clockFromEnv, WALL_CLOCK, type DevnetClock } from '../protocol/clock.js'
import type { L1ClockHalted, L1ClockStatus } from '../components/l1-clock/l1Clock.js'
import { L1_CLOCK_SERVICE } from '../plan/l1Clock.js'
import type { DevnetPlan } from '../plan/types.js'
import { DevnetError } from '../errors.js'
import { jsonRpc } from '../runtime/jsonrpc.js'
import { startingSequencers } from '../plan/plan.js'

/** The clock a plan's services run at (the wall clock when the plan gives them none). */
export function planClock(plan: DevnetPlan): DevnetClock {
  const lite = plan.services.find((s) => s.program === 'lite')
  return lite ? clockFromEnv(lite.env) : WALL_CLOCK
}

/** The L1 clock's RPC among a devnet's endpoints. @throws DevnetError `DEVNET_USAGE` when the devnet has none */
function l1ClockUrl(endpoints: Record<string, Record<string, string>>): string {
  const url = endpoints[L1_CLOCK_SERVICE]?.rpc
  if (!url) throw new DevnetError(`this devnet has no ${L1_CLOCK_SERVICE} service: its L1 cannot be halted or resumed`, { code: 'DEVNET_USAGE' })
  return url
}

/** L1 mines again (or goes on mining), from the slot of the clock's now. Calls `l1clock_resume`. */
export function resumeL1(endpoints: Record<string, Record<string, string>>): Promise<L1ClockStatus> {
  return jsonRpc<L1ClockStatus>(l1ClockUrl(endpoints), 'l1clock_resume', [], { timeoutMs: 10_000 })
}

/** L1 mines no block until `resumeL1` (a block in flight is mined first). Calls `l1clock_halt`. */
export function haltL1(endpoints: Record<string, Record<string, string>>): Promise<L1ClockHalted> {
  return jsonRpc<L1ClockHalted>(l1ClockUrl(endpoints), 'l1clock_halt', [], { timeoutMs: 10_000 })
}

/**
 * Runs `fn` with L1 block production held, so that no block is mined between reading L1 and acting on
 * what was read (e.g. the blocks an `anvil_reorg` replaces), then lets L1 mine again if it was mining.
 * A devnet without an L1 clock runs `fn` as is.
 */
export async function withL1Held<T>(endpoints: Record<string, Record<string, string>>, fn: () => Promise<T>): Promise<T> {
  if (!endpoints[L1_CLOCK_SERVICE]?.rpc) return fn()
  const { wasMining } = await haltL1(endpoints)
  try {
    return await fn()
  } finally {
    if (wasMining) await resumeL1(endpoints)
  }
}

/**
 * How far the unsafe head of the rollup node at `rollupUrl` is behind `clock`'s now, in chain ms
 * (`Infinity` when the node does not answer `optimism_syncStatus` within `timeoutMs`).
 */
export function unsafeLagMs(clock: DevnetClock, rollupUrl: string, timeoutMs = 1_000): Promise<number> {
  return jsonRpc<{ unsafe_l2: { timestamp: number } }>(rollupUrl, 'optimism_syncStatus', [], { timeoutMs }).then(
    ({ unsafe_l2 }) => chainTime(clock, Date.now()) - unsafe_l2.timestamp * 1000,
    () => Infinity,
  )
}

/**
 * Waits, L1 still held, until every node that sequences from the start has an unsafe head within one L2
 * block of the clock's now, and returns those that did not get there, with how many L2 blocks each was
 * still behind (none: all caught up). The chain starts at genesis time, so the blocks a sequencer builds to
 * catch up after a slow start all have L1's genesis as origin: their batches must land within the
 * sequencing window counted from L1's first block. Built while L1 mines nothing, they spend none of it (a
 * 28 s docker start on a loaded machine at speed 4 left 112 blocks in that epoch, more than the batcher
 * posted in 20 L1 blocks: deposit-only blocks, then an unsafe reorg). It stops waiting after `timeoutMs`,
 * or once a sequencer has not gained on the clock for `stallMs` (one that cannot keep up, or cannot build
 * on origin 0 past the sequencer drift): that one catches up with L1 mining, as before. Which nodes
 * sequence from the start is the plan's say (`startingSequencers`): nodes under a conductor start stopped.
 */
export async function sequencersCaughtUp(
  plan: DevnetPlan,
  endpoints: Record<string, Record<string, string>>,
  { timeoutMs = 20_000, stallMs = 2_000 }: { timeoutMs?: number; stallMs?: number } = {},
): Promise<Array<{ node: string; blocksBehind: number }>> {
  const sequencers = startingSequencers(plan).filter((s) => endpoints[s.name]?.rollup)
  const clock = planClock(plan)
  const lag = ({ name }: { name: string }) => unsafeLagMs(clock, endpoints[name]!.rollup!)
  // Each sequencer's smallest lag so far, and when it last shrank.
  const best = sequencers.map(() => ({ lag: Infinity, at: Date.now() }))
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const lags = await Promise.all(sequencers.map(lag))
    const now = Date.now()
    const behind = sequencers.flatMap((s, i) => {
      const lagMs = lags[i]!
      if (lagMs < best[i]!.lag) best[i] = { lag: lagMs, at: now }
      return lagMs > s.blockTime * 1000 ? [{ i, node: s.name, blocksBehind: Math.floor(lagMs / (s.blockTime * 1000)) }] : []
    })
    if (behind.length === 0) return []
    if (now > deadline || behind.some(({ i }) => now - best[i]!.at > stallMs)) return behind.map(({ node, blocksBehind }) => ({ node, blocksBehind }))
    await sleep(50)
  }
}
