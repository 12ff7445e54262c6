/**
 * The faults a scenario can inject: their arguments (as the runner receives them, defaults filled in),
 * the services each acts on, and how long each lasts. The runner records a `fault-start` event with
 * {@link faultTargets} as `targets` when it injects one, and a `fault-end` event with the same name and
 * targets when a recovery ends it ({@link endsFault}), or right after an instant fault completes.
 */
type NoArgs = Record<never, never>

/** Arguments of each fault, after defaults. */
export interface FaultArgs {
  /** Replace the last `depth` L1 blocks (`anvil_reorg`); `reinclude` re-mines their txs. Defaults: false, false. */
  l1Reorg: { depth: number; reinclude: boolean; allowFinalized: boolean }
  /** Stop mining L1 blocks; ended by `l1Resume`. */
  l1Halt: NoArgs
  l1Resume: NoArgs
  /** SIGKILL a service; ended by `start` or `restart`. */
  crash: { service: string }
  /** Graceful stop; ended by `start` or `restart`. */
  stop: { service: string }
  start: { service: string }
  restart: { service: string }
  /** Freeze a service (SIGSTOP / docker pause); ended by `resume`. */
  pause: { service: string }
  resume: { service: string }
  /** Cut links between groups (`p2p`: only rollup-node gossip; `all`: every link, the default); ended by `heal`. */
  partition: { groups: string[][]; links: 'p2p' | 'all' }
  /** Ends partitions, batcher outages and link faults. */
  heal: NoArgs
  /** Stop batch submission; ended by `heal` or `batcherResume`. */
  batcherOutage: NoArgs
  batcherResume: NoArgs
  /** Stop (default) or crash the sequencer `from`, then start sequencing on `to`. */
  failover: { from: string; to: string; mode: 'stop' | 'crash' }
  /** Delay a service's links by `ms` ± `jitter` (default 0); ended by `clearLinkFaults` or `heal`. */
  latency: { service: string; ms: number; jitter: number }
  /** Drop `percent` of a service's packets; ended by `clearLinkFaults` or `heal`. */
  loss: { service: string; percent: number }
  clearLinkFaults: { service: string }
}

export type FaultName = keyof FaultArgs

/** One fault as a step gives it. */
export type FaultCall = { [K in FaultName]: { name: K; args: FaultArgs[K] } }[FaultName]

/**
 * How a fault lasts: `window` until one of `endedBy` runs on an overlapping target; `instant` acts at
 * once (invariants give it a grace period; keep in line with `INSTANT_FAULTS`); `recovery` only ends
 * other faults.
 */
export interface FaultLifecycle {
  kind: 'window' | 'instant' | 'recovery'
  endedBy?: FaultName[]
}

const window = (...endedBy: FaultName[]): FaultLifecycle => ({ kind: 'window', endedBy })
const instant: FaultLifecycle = { kind: 'instant' }
const recovery: FaultLifecycle = { kind: 'recovery' }

/** Every fault and how it lasts, in the order error messages list them. */
export const FAULTS: { readonly [K in FaultName]: FaultLifecycle } = {
  l1Reorg: instant,
  l1Halt: window('l1Resume'),
  l1Resume: recovery,
  crash: window('start', 'restart'),
  stop: window('start', 'restart'),
  start: recovery,
  restart: { kind: 'instant', endedBy: [] },
  pause: window('resume'),
  resume: recovery,
  partition: window('heal'),
  heal: recovery,
  batcherOutage: window('heal', 'batcherResume'),
  batcherResume: recovery,
  failover: instant,
  latency: window('clearLinkFaults', 'heal'),
  loss: window('clearLinkFaults', 'heal'),
  clearLinkFaults: recovery,
}

export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[]

/**
 * The services a fault acts on: its `targets` in history events. `[]` (heal) means every service.
 * @example
 * faultTargets({ name: 'partition', args: { groups: [['replica-0'], ['sequencer']], links: 'p2p' } }) // ['replica-0', 'sequencer']
 */
export function faultTargets(call: FaultCall): string[] {
  switch (call.name) {
    case 'l1Reorg':
    case 'l1Halt':
    case 'l1Resume':
      return ['l1']
    case 'batcherOutage':
    case 'batcherResume':
      return ['batcher']
    case 'heal':
      return []
    case 'partition':
      return call.args.groups.flat()
    case 'failover':
      return [call.args.from, call.args.to]
    default:
      return [call.args.service]
  }
}

/** Whether running `recovery` ends an active fault (by name and overlapping targets). */
export function endsFault(recovery: FaultCall, active: FaultCall): boolean {
  if (!FAULTS[active.name].endedBy?.includes(recovery.name)) return false
  const [a, b] = [faultTargets(recovery), faultTargets(active)]
  return a.length === 0 || b.length === 0 || a.some((t) => b.includes(t))
}
