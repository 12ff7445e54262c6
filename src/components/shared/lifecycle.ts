/** Process lifecycle of a lite component: say when it is ready, stop cleanly on SIGTERM / SIGINT, then exit. */
import { closeSync, writeFileSync, writeSync } from 'node:fs'

/**
 * The environment variable naming the file descriptor (a pipe from the process runtime) on which a lite
 * program says it is ready, so the runtime checks its readiness at once instead of at its next poll.
 */
export const READY_FD_ENV = 'DEVNET_READY_FD'

/**
 * The environment variable naming a file a lite program creates once it is ready, where no descriptor can
 * reach the runtime (the docker runtime: the file lies in the service's bind-mounted directory).
 */
export const READY_FILE_ENV = 'DEVNET_READY_FILE'

/**
 * Tells the runtime that started this program that its start is done: one line on the descriptor named in
 * `DEVNET_READY_FD`, which is then closed, or the file named in `DEVNET_READY_FILE`. A no-op without either
 * (a program run by hand). The runtime still checks readiness itself: this only says when to look.
 */
export function signalReady(): void {
  const file = process.env[READY_FILE_ENV]
  const fd = Number(process.env[READY_FD_ENV])
  delete process.env[READY_FD_ENV] // not for the programs it spawns (the rollup node's engine)
  delete process.env[READY_FILE_ENV]
  if (file) {
    try {
      writeFileSync(file, 'ready\n')
    } catch {
      // the runtime checks readiness at its fallback pace
    }
  }
  if (!Number.isInteger(fd) || fd < 3) return
  try {
    writeSync(fd, 'ready\n')
  } catch {
    // the runtime went away (a detached start that failed): nothing to tell
  } finally {
    try {
      closeSync(fd)
    } catch {
      // already closed
    }
  }
}

/** Stops the program cleanly on SIGTERM / SIGINT (`stop`), then exits 0. */
export function stopOnSignals(stop: () => Promise<void>): void {
  const shutdown = async () => {
    await stop()
    process.exit(0)
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}
