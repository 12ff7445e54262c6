/**
 * The devnet clock: one time every process of a devnet agrees on, running `speed` times faster than
 * wall time from a fixed origin (the genesis time), so L1 and L2 timestamps, deadlines and freshness
 * checks advance `speed` chain seconds per wall second. Speed 1 is the wall clock itself.
 *
 * Pure: the caller passes wall time. Lite components read their clock from the devnet-only environment
 * variables `DEVNET_CLOCK_SPEED` / `DEVNET_CLOCK_ORIGIN` (`clockFromEnv`), which the planner sets.
 */

/** A devnet clock: chain time = `originMs + (wall - originMs) * speed`. */
export interface DevnetClock {
  /** Where chain time and wall time coincide, ms since the epoch (the genesis time). */
  readonly originMs: number
  /** Chain ms per wall ms. */
  readonly speed: number
}

/** The wall clock (speed 1). */
export const WALL_CLOCK: DevnetClock = { originMs: 0, speed: 1 }

/** Highest supported speed: anvil's and the lite components' polling does not keep up beyond it. */
export const MAX_SPEED = 16

/** The environment variables (devnet-only, no OP Stack counterpart) that carry a clock to a component. */
export const CLOCK_ENV = { speed: 'DEVNET_CLOCK_SPEED', origin: 'DEVNET_CLOCK_ORIGIN' } as const

/** Why `speed` is not a supported speed, or undefined when it is. */
export function speedProblem(speed: number): string | undefined {
  if (!Number.isFinite(speed) || speed < 1 || speed > MAX_SPEED) return `speed must be a number from 1 to ${MAX_SPEED}, got ${speed}`
  return undefined
}

/** A clock running at `speed` from `originMs`. @throws Error on an unsupported speed */
export function devnetClock(originMs: number, speed = 1): DevnetClock {
  const problem = speedProblem(speed)
  if (problem) throw new Error(problem)
  if (!Number.isFinite(originMs)) throw new Error(`clock origin must be a number of ms, got ${originMs}`)
  return { originMs, speed }
}

/** Chain time (ms since the epoch) at wall time `wallMs`. */
export function chainTime(clock: DevnetClock, wallMs: number): number {
  return clock.speed === 1 ? wallMs : clock.originMs + (wallMs - clock.originMs) * clock.speed
}

/** Wall time (ms since the epoch) at which the clock shows `chainMs`. */
export function wallTime(clock: DevnetClock, chainMs: number): number {
  return clock.speed === 1 ? chainMs : clock.originMs + (chainMs - clock.originMs) / clock.speed
}

/** How long a chain-time duration lasts in wall time, ms. */
export function wallDuration(clock: DevnetClock, chainMs: number): number {
  return chainMs / clock.speed
}

/** How much chain time passes in a wall-time duration, ms. */
export function chainDuration(clock: DevnetClock, wallMs: number): number {
  return wallMs * clock.speed
}

/** The environment that gives a component `clock` (none for the wall clock, so speed 1 changes nothing). */
export function clockEnv(clock: DevnetClock): Record<string, string> {
  if (clock.speed === 1) return {}
  return { [CLOCK_ENV.speed]: String(clock.speed), [CLOCK_ENV.origin]: String(clock.originMs) }
}

/** The clock an environment describes (`clockEnv`'s inverse); the wall clock when it names none. @throws Error naming the variable */
export function clockFromEnv(env: Record<string, string | undefined>): DevnetClock {
  const speedText = env[CLOCK_ENV.speed]
  if (speedText === undefined || speedText === '') return WALL_CLOCK
  const speed = Number(speedText)
  const problem = speedProblem(speed)
  if (problem) throw new Error(`${CLOCK_ENV.speed}: ${problem}`)
  const originText = env[CLOCK_ENV.origin]
  const originMs = Number(originText)
  if (originText === undefined || originText === '' || !Number.isFinite(originMs)) {
    throw new Error(`${CLOCK_ENV.origin}: must be the clock origin in ms since the epoch when ${CLOCK_ENV.speed} is set, got ${JSON.stringify(originText ?? null)}`)
  }
  return { originMs, speed }
}
