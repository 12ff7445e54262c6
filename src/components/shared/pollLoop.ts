/**
 * The main loop of a polling component (batcher, proposer, challenger): one `tick` every `intervalMs` until
 * stopped. A failing round is logged (the first of every 20 in a row) and the next one runs as usual.
 */
import type { Logger } from './log.js'

export interface PollLoop {
  /** Runs the next round now instead of at the end of the wait. */
  wake(): void
  /** Ends the loop after the round in flight. */
  stop(): Promise<void>
}

/**
 * Starts ticking at once.
 * @example
 * const loop = pollLoop('batcher', () => batcher.tick(), 100, log)
 * await loop.stop()
 */
export function pollLoop(name: string, tick: () => Promise<unknown>, intervalMs: number, log: Logger): PollLoop {
  let stopped = false
  let wake: (() => void) | undefined
  const done = (async () => {
    let failures = 0
    while (!stopped) {
      try {
        await tick()
        failures = 0
      } catch (err) {
        if (stopped) break // a round cut short by the stop (its waits are aborted) is not a failure
        if (failures++ % 20 === 0) log.warn(`${name} round failed`, { err: (err as Error).message })
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, intervalMs)
        wake = () => {
          clearTimeout(t)
          resolve()
        }
      })
    }
  })()
  return {
    wake: () => wake?.(),
    async stop() {
      stopped = true
      wake?.()
      await done
    },
  }
}
