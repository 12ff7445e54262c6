/**
 * This process's devnet clock, from the devnet-only `DEVNET_CLOCK_SPEED` / `DEVNET_CLOCK_ORIGIN`
 * (`protocol/clock.ts`): the wall clock unless the planner set a speed. Components read chain time
 * (block timestamps, freshness, health ages) from `now()` and turn chain-time waits into timers with
 * `untilMs` / `wallMs`.
 */
import { chainTime, clockFromEnv, wallDuration, wallTime, type DevnetClock } from '../../protocol/clock.js'

/** The clock of this process. */
export const clock: DevnetClock = clockFromEnv(process.env)

/** Chain time now, ms since the epoch (`Date.now()` at speed 1). */
export function now(): number {
  return chainTime(clock, Date.now())
}

/** Wall ms until the clock shows `chainMs` (<= 0: already). */
export function untilMs(chainMs: number): number {
  return wallTime(clock, chainMs) - Date.now()
}

/** How long a chain-time interval lasts on the wall, ms (for timers). */
export function wallMs(chainMs: number): number {
  return wallDuration(clock, chainMs)
}
