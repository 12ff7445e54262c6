/**
 * Host stalls: spans in which this process's event loop did not run at all for longer than
 * {@link STALL_WALL_MS} of wall time. On the machines this runs on that means the whole host stopped (a
 * virtual machine paused for a snapshot, a laptop lid closed): the devnet's clock, which is wall time,
 * went on while no service could do anything. The recorder keeps them in `history.stalls`, and the
 * invariants treat each like a fault on every service (`invariants/faultWindows.ts`): a head that did
 * not rise while nothing ran is not the chain's fault.
 */
import type { HostStall } from '../devnet/history.js'

/** The shortest gap between two ticks (wall ms) counted as a stall: well past timer and GC jitter. */
export const STALL_WALL_MS = 1000
/** How often the watch ticks (wall ms). */
const TICK_MS = 100

export class StallWatch {
  readonly stalls: HostStall[] = []
  private timer: NodeJS.Timeout | undefined
  private last = 0

  /**
   * @param toChain maps a wall-clock instant (ms since epoch) to the history's `t` (chain ms since start).
   * @param now the wall clock (tests pass their own).
   */
  constructor(
    private readonly toChain: (wallMs: number) => number,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.last = this.now()
    this.timer = setInterval(() => this.tick(), TICK_MS)
    this.timer.unref()
  }

  /** Looks at the time since the last tick; records a stall when it is {@link STALL_WALL_MS} or more. */
  tick(): void {
    const now = this.now()
    const gap = now - this.last
    if (gap >= STALL_WALL_MS) this.stalls.push({ from: this.toChain(this.last), to: this.toChain(now), wallMs: gap })
    this.last = now
  }

  /** Stops ticking, after a last look (a stall that just ended is recorded). */
  stop(): void {
    if (this.timer === undefined) return
    clearInterval(this.timer)
    this.timer = undefined
    this.tick()
  }
}

/** One line for a run's output about its host stalls; `undefined` when there were none. */
export function describeStalls(stalls: HostStall[] = []): string | undefined {
  if (!stalls.length) return undefined
  const seconds = (stalls.reduce((sum, s) => sum + s.wallMs, 0) / 1000).toFixed(1)
  const times = stalls.length === 1 ? 'once' : `${stalls.length} times`
  return `the host stalled ${times}, ${seconds} s of wall in all (nothing ran: a paused machine?); liveness not judged then`
}

/** How much of `stalls` lies after `t` (chain ms): what a deadline set at `t` did not get to use. */
export function stalledAfter(stalls: readonly HostStall[], t: number): number {
  return stalls.reduce((sum, s) => sum + Math.max(0, s.to - Math.max(s.from, t)), 0)
}
