/**
 * Chaos schedules, pure: from a topology, a seed, a duration, the faults to draw from and an intensity,
 * the list of faults with their arguments, start times and heals. Faults come from the registry: every
 * fault that declares `chaos` (how to draw valid arguments) can be drawn, so a fault added to the
 * registry joins chaos runs without changes here.
 */
import { DevnetError } from '../errors.js'
import { namesOf, type Names } from '../faults/checks.js'
import { needsSettlement } from '../faults/draw.js'
import { FAULT_NAMES, faultDefinition, type FaultCall, type FaultName } from '../faults/registry.js'
import { seededRandom } from '../scenario/random.js'
import { formatDuration } from '../scenario/duration.js'
import type { Topology } from '../topology/types.js'

export const INTENSITIES = {
  low: { concurrent: 1, meanGapMs: 30_000, windowMs: [5_000, 20_000] },
  medium: { concurrent: 2, meanGapMs: 15_000, windowMs: [5_000, 30_000] },
  high: { concurrent: 3, meanGapMs: 8_000, windowMs: [5_000, 45_000] },
} as const

/** How many faults may act at once, how often one starts (mean gap, exponential) and how long windows last. */
export type Intensity = keyof typeof INTENSITIES

/** Timing rules of every schedule. */
export const chaosTiming = {
  /** No fault before this (L1 must be deeper than any reorg, the nodes in sync). @default 20s */
  warmupMs: 20_000,
  /** No fault acts during the last stretch, so the invariants see the devnet recover. @default 15s */
  cooldownMs: 15_000,
  /** How long an `instant` fault (a reorg, a restart) counts toward the intensity, unless it declares longer (`chaos.holdMs`). @default 10s */
  instantHoldMs: 10_000,
}

/**
 * Background load of every chaos run, per second: L2 transfers and calldata to the sequencer, and with
 * settlement contracts deposits through the L1 portal and withdrawals initiated on L2 (each load seeded
 * from the run's seed, so a replay sends the same).
 */
export const CHAOS_LOAD = { transfers: 2, deposits: 0.5, withdrawals: 0.5 } as const

/** One background load of a chaos run: what it sends and how many per second, for the whole run. */
export interface ChaosLoad {
  tx: keyof typeof CHAOS_LOAD
  rate: number
}

export interface ChaosOptions {
  /** How long the run lasts after the devnet is up, ms. */
  durationMs: number
  seed: number
  /** Fault names to draw from. @default every fault of the registry that declares `chaos` and the topology can host */
  faults?: readonly string[]
  /** @default 'medium' */
  intensity?: Intensity
  /** Devnet clock speed of the run (faults that cannot run at it are not drawn). @default 1 */
  speed?: number
}

/** One drawn fault: when it starts (ms after the run started) and, for a window, its heal. */
export interface ScheduledFault {
  at: number
  fault: FaultCall
  heal?: { at: number; fault: FaultCall }
}

export interface ChaosSchedule {
  seed: number
  durationMs: number
  intensity: Intensity
  /** The faults drawn from. */
  pool: FaultName[]
  /** The background load (see {@link CHAOS_LOAD}). */
  load: ChaosLoad[]
  faults: ScheduledFault[]
}

const usage = (message: string) => new DevnetError(message, { code: 'DEVNET_USAGE' })

/** Registry faults a chaos run can draw (they declare `chaos`), in registry order. */
export function drawableFaults(): FaultName[] {
  return FAULT_NAMES.filter((name) => faultDefinition(name).chaos)
}

/**
 * The fault pool for a topology: `faults` checked (drawable, hostable), or every hostable drawable one.
 * @throws DevnetError `DEVNET_USAGE` naming the first problem.
 */
export function faultPool(names: Names, faults?: readonly string[]): FaultName[] {
  const drawable = drawableFaults()
  const hostable = (name: FaultName) => faultDefinition(name).chaos!.unsupported?.(names)
  if (!faults) return drawable.filter((name) => !hostable(name))
  if (!faults.length) throw usage('--faults: expected at least one fault')
  for (const name of faults) {
    if (!(FAULT_NAMES as string[]).includes(name)) throw usage(`--faults: unknown fault ${JSON.stringify(name)}; expected some of: ${drawable.join(', ')}`)
    if (!drawable.includes(name as FaultName)) {
      const def = faultDefinition(name as FaultName)
      const why = def.lasts === 'recovery' ? 'a recovery: chaos heals faults itself' : (def.neverDrawn ?? 'it declares no chaos draw')
      throw usage(`--faults: ${name} cannot be drawn by chaos runs (${why}); expected some of: ${drawable.join(', ')}`)
    }
    const why = hostable(name as FaultName)
    if (why) throw usage(`--faults: ${name} cannot run on this topology: ${why}`)
  }
  return [...new Set(faults)] as FaultName[]
}

/** The heal of a window fault: the first recovery of its `endedBy`, with the arguments of the fault it takes. */
export function healOf(call: FaultCall, names: Names): FaultCall {
  const def = faultDefinition(call.name)
  const name = def.endedBy?.[0] as FaultName | undefined
  if (!name) throw new DevnetError(`chaos: window fault ${call.name} declares no endedBy`, { code: 'DEVNET_INTERNAL' })
  const args: Record<string, unknown> = {}
  for (const [key, spec] of Object.entries(faultDefinition(name).args(names))) {
    if (key in call.args) args[key] = (call.args as Record<string, unknown>)[key]
    else if ('default' in spec) args[key] = spec.default
    else throw new DevnetError(`chaos: ${name} (heal of ${call.name}) needs argument ${key}, which ${call.name} does not have`, { code: 'DEVNET_INTERNAL' })
  }
  return { name, args } as FaultCall
}

/**
 * Services a fault touches until healed, and those it needs working (`chaos.uses`); `undefined` for every
 * service (a heal that ends every window).
 */
function footprint(call: FaultCall, names: Names): Set<string> | undefined {
  const def = faultDefinition(call.name)
  const lists = [def.targets(call.args)]
  const uses = def.chaos?.uses?.(call.args, names)
  if (uses) lists.push(uses)
  if (def.lasts === 'window') {
    const heal = healOf(call, names)
    lists.push(faultDefinition(heal.name).targets(heal.args))
  }
  return lists.some((l) => l.length === 0) ? undefined : new Set(lists.flat())
}

const overlaps = (a: Set<string> | undefined, b: Set<string> | undefined) => !a || !b || [...a].some((s) => b.has(s))

/**
 * Draws a schedule: after the warm-up, faults start at exponential gaps (the intensity's mean), each
 * drawn from the pool with its own `chaos.draw`; a fault is skipped when the intensity's number of
 * faults is acting already or one acting touches the same services. Windows are healed after a
 * drawn duration, before the cool-down. The same arguments give the same schedule.
 * @throws DevnetError `DEVNET_USAGE` for a duration too short, an unknown or unhostable fault, or an
 *   intensity the pool cannot reach on this topology.
 * @example
 * planChaos(defaultTopology(), { durationMs: 180_000, seed: 1, faults: ['l1Reorg', 'crash'] })
 */
export function planChaos(topology: Topology, options: ChaosOptions): ChaosSchedule {
  const { durationMs, seed } = options
  const intensity = options.intensity ?? 'medium'
  if (!(intensity in INTENSITIES)) throw usage(`--intensity: expected one of: ${Object.keys(INTENSITIES).join(', ')}, found ${JSON.stringify(intensity)}`)
  if (!Number.isSafeInteger(durationMs) || durationMs <= 0) throw usage(`--duration: expected a duration > 0 (e.g. 30m), found ${durationMs} ms`)
  const { warmupMs, cooldownMs, instantHoldMs } = chaosTiming
  const shortest = warmupMs + cooldownMs + INTENSITIES[intensity].windowMs[0]
  if (durationMs < shortest) {
    throw usage(`--duration: ${formatDuration(durationMs)} is too short: a chaos run has a ${formatDuration(warmupMs)} warm-up and a ${formatDuration(cooldownMs)} cool-down; give at least ${formatDuration(shortest)}`)
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw usage(`--seed: expected an integer between 0 and 4294967295, found ${seed}`)
  const names = namesOf(topology, options.speed)
  const pool = faultPool(names, options.faults)
  if (!pool.length) throw usage('--faults: this topology can host none of the drawable faults')
  const { concurrent, meanGapMs, windowMs } = INTENSITIES[intensity]
  const room = concurrency(pool, names)
  if (room < concurrent) {
    throw usage(
      `--intensity: ${intensity} runs up to ${concurrent} faults at once, but ${pool.join(', ')} on this topology touch overlapping services and can run only ${room} at once; use --intensity ${room === 1 ? 'low' : 'medium'} or add faults`,
    )
  }
  const random = seededRandom(seed)
  const lastEnd = durationMs - cooldownMs
  const acting: Array<{ until: number; services: Set<string> | undefined }> = []
  const faults: ScheduledFault[] = []
  for (let at = warmupMs; ; ) {
    at += Math.round((-Math.log(1 - random()) * meanGapMs) / 100) * 100 || 100
    if (at >= lastEnd) break
    const name = pool[Math.floor(random() * pool.length)]
    const def = faultDefinition(name)
    const fault = { name, args: def.chaos!.draw(random, names) } as FaultCall
    const length = windowMs[0] + Math.round((random() * (windowMs[1] - windowMs[0])) / 100) * 100
    const until = def.lasts === 'window' ? Math.min(at + length, lastEnd) : at + Math.max(instantHoldMs, def.chaos!.holdMs?.(names) ?? 0)
    const services = footprint(fault, names)
    const busy = acting.filter((a) => a.until > at)
    if (busy.length >= concurrent || busy.some((a) => overlaps(a.services, services))) continue
    acting.push({ until, services })
    faults.push(def.lasts === 'window' ? { at, fault, heal: { at: until, fault: healOf(fault, names) } } : { at, fault })
  }
  const load = (Object.keys(CHAOS_LOAD) as ChaosLoad['tx'][]).filter((tx) => tx === 'transfers' || !needsSettlement(names)).map((tx) => ({ tx, rate: CHAOS_LOAD[tx] }))
  return { seed, durationMs, intensity, pool, load, faults }
}

/**
 * How many faults of the pool can act at once on this topology: a greedy count of disjoint footprints
 * over arguments drawn from a fixed seed (smallest footprints first).
 */
function concurrency(pool: FaultName[], names: Names): number {
  const random = seededRandom(0)
  const prints = pool.flatMap((name) =>
    Array.from({ length: 32 }, () => footprint({ name, args: faultDefinition(name).chaos!.draw(random, names) } as FaultCall, names)),
  )
  const chosen: Array<Set<string> | undefined> = []
  for (const p of prints.toSorted((a, b) => (a?.size ?? Infinity) - (b?.size ?? Infinity))) {
    if (!chosen.some((c) => overlaps(c, p))) chosen.push(p)
  }
  return Math.max(chosen.length, 1)
}
