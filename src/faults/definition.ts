/**
 * What every fault declares beside its action: how long it lasts, which recoveries close its window,
 * the services it targets and its argument schema. `runFault` acts and records the history events
 * from that declaration, so the history describes itself: a `fault-start` says whether it is `instant`
 * or opens a `window`, and a recovery records one `fault-end` per window it closes, named after the
 * fault it ends (`by` names the recovery).
 */
import type { Check } from '../topology/reader.js'
import type { Names } from './checks.js'
import { closeWindows, type FaultContext } from './context.js'

/** One argument: its check, for an optional one its default, and one line for help texts. */
export interface FaultArg {
  check: Check<unknown>
  default?: unknown
  doc: string
}

/**
 * - `instant`: acts at once (a window from its start to the end of its action; invariants add a grace period);
 * - `window`: lasts until one of `endedBy` runs on an overlapping target;
 * - `recovery`: only closes the windows of other faults.
 */
export type FaultLasts = 'instant' | 'window' | 'recovery'

/**
 * How a chaos run (`src/chaos`) draws the fault: arguments valid for a topology. Only faults a healthy
 * OP Stack must keep every invariant through declare it; the others declare `neverDrawn`, recoveries
 * neither. A `window` fault is healed by the first of its `endedBy`, given the arguments of the fault
 * that recovery takes.
 */
export interface FaultChaos<A> {
  /** Why the topology cannot host the fault (e.g. a p2p partition needs two rollup nodes), or `undefined`. */
  unsupported?(names: Names): string | undefined
  /** Arguments drawn with `random` (uniform in [0, 1)); they must pass the fault's `args` and `check`. */
  draw(random: () => number, names: Names): A
  /**
   * Services the fault needs working besides its targets (e.g. the node it reads the safe head from, the
   * challenger that must answer its game): a chaos run never draws it while another fault acts on them.
   */
  uses?(args: A, names: Names): string[]
  /** An `instant` fault: how long it counts as acting (its effects last), ms. @default the chaos run's own hold */
  holdMs?(names: Names): number
}

export interface FaultDefinition<A = Record<string, unknown>, R = unknown> {
  /** One sentence for `devnet fault --help` and docs. */
  summary: string
  lasts: FaultLasts
  /** `window` faults: the recoveries (by fault name) that close the window. */
  endedBy?: readonly string[]
  /** The argument schema against a topology's names. */
  args(names: Names): Record<string, FaultArg>
  /**
   * Checks that span several arguments or need the topology: a problem's path relative to the
   * arguments (`depth`, `groups[0][1]`) and its message, or `undefined`.
   */
  check?(args: A, names: Names): { at: string; message: string } | undefined
  /** The services it acts on (`[]`: every service). */
  targets(args: A): string[]
  /** The action. */
  act(ctx: FaultContext, args: A): Promise<R>
  /** Details for the history event beside the arguments (e.g. how the fault was applied). */
  details?(result: R): Record<string, unknown>
  /** How chaos runs draw it; absent: never drawn. */
  chaos?: FaultChaos<A>
  /**
   * Why chaos runs never draw it (a fault without `chaos` that is no recovery must say why), e.g. it
   * breaks an invariant on purpose: two sequencers at once, so `singleSequencer` must fire.
   */
  neverDrawn?: string
}

/**
 * Runs a fault and records it: an `instant` fault's `fault-start` before its action and `fault-end` after
 * it; a `window` fault's `fault-start` once it acts (and its window in `ctx.state.faults`); then, for any
 * fault, a `fault-end` for every active window this fault closes (by name in `endedBy` and target),
 * carrying this fault's arguments (a `start` with `fresh` is a cold start: the invariants read it there).
 */
export async function runFault<A extends object, R>(ctx: FaultContext, name: string, def: FaultDefinition<A, R>, args: A): Promise<R> {
  const targets = def.targets(args)
  const details = { ...(args as Record<string, unknown>) }
  const since = Date.now()
  if (def.lasts === 'instant') ctx.record({ kind: 'fault-start', name, targets, lasts: 'instant', details })
  let result: R
  try {
    result = await def.act(ctx, args)
  } finally {
    if (def.lasts === 'instant') ctx.record({ kind: 'fault-end', name, targets })
  }
  if (def.lasts === 'window') {
    ctx.record({ kind: 'fault-start', name, targets, lasts: 'window', details: { ...details, ...def.details?.(result) } })
    ctx.state.faults.push({ name, targets, args: details, lasts: 'window', endedBy: [...(def.endedBy ?? [])], since })
  } else {
    if (def.details) ctx.record({ kind: 'note', name, targets, details: def.details(result) })
    if (def.lasts === 'instant') ctx.state.faults.push({ name, targets, args: details, lasts: 'instant', endedBy: [], since, ended: { at: Date.now(), by: name } })
  }
  closeWindows(ctx, name, targets, details)
  ctx.save?.()
  return result
}
