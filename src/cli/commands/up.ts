/** `devnet up`: start a devnet with progress, print endpoints and keys, then show live heads until Ctrl-C. */
import { Listr } from 'listr2'
import { resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startDevnet, type Devnet, type DevnetEvent } from '../../devnet/index.js'
import { DevnetError } from '../../errors.js'
import type { DevnetPlan } from '../../plan/types.js'
import { formatEndpoints, formatHeads, formatHeadsLine, formatKeys } from '../format.js'
import type { UpOptions } from '../options.js'

/** Refresh period of the live heads table. */
const refreshMs = 1_000

interface Deferred {
  promise: Promise<number>
  resolve: (elapsedMs: number) => void
  reject: (error: Error) => void
  settled: boolean
}

function deferred(): Deferred {
  const d = { settled: false } as Deferred
  d.promise = new Promise<number>((resolve, reject) => {
    d.resolve = (ms) => ((d.settled = true), resolve(ms))
    d.reject = (error) => ((d.settled = true), reject(error))
  })
  d.promise.catch(() => {}) // observed by listr; never an unhandled rejection
  return d
}

/** Listr progress fed by `startDevnet` events: one task per service, `starting` → `ready (1.2s)`. */
class Progress {
  readonly #tasks = new Map<string, Deferred>()
  #run?: Promise<unknown>

  /** Once: a start that begins again on other ports plans the same services again. */
  start(plan: DevnetPlan): void {
    if (this.#run) return
    for (const service of plan.services) this.#tasks.set(service.name, deferred())
    const listr = new Listr(
      plan.services.map((service) => ({
        title: service.name,
        task: async (_: unknown, task: { title: string }) => {
          task.title = `${service.name}: starting`
          const ms = await this.#tasks.get(service.name)!.promise
          task.title = `${service.name}: ready (${(ms / 1000).toFixed(1)}s)`
        },
      })),
      { concurrent: false, exitOnError: true, registerSignalListeners: false, rendererOptions: { collapseErrors: false } },
    )
    this.#run = listr.run().catch(() => {})
  }

  event(event: DevnetEvent): void {
    const task = this.#tasks.get(event.service)
    if (!task || task.settled) return
    if (event.phase === 'ready') task.resolve(event.elapsedMs ?? 0)
    if (event.phase === 'failed') {
      const error = event.error
      task.reject(new Error(error instanceof DevnetError ? error.shortMessage : String((error as Error)?.message ?? error)))
    }
  }

  /** Fails what is still pending (start aborted) and waits for the renderer to finish. */
  async done(error?: unknown): Promise<void> {
    for (const task of this.#tasks.values()) if (!task.settled) task.reject(new Error(error ? 'not started' : 'aborted'))
    await this.#run
  }
}

/** Ctrl-C, `kill`, and the terminal closing. */
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/**
 * Handles Ctrl-C / SIGTERM / SIGHUP: the first one aborts a start in progress or stops the devnet (exit 0), a second
 * one forces the exit (services of a non-detached devnet are killed by the runtime's exit hook).
 */
class Interrupts {
  readonly controller = new AbortController()
  #count = 0
  #handler = (signal: NodeJS.Signals) => {
    this.#count++
    if (this.#count > 1) {
      process.stderr.write(`\n${signal} again: forcing exit\n`)
      process.exit(130)
    }
    process.stderr.write(`\n${signal}: stopping the devnet (again to force)\n`)
    this.controller.abort()
  }

  constructor() {
    for (const signal of signals) process.on(signal, this.#handler)
  }

  get interrupted(): boolean {
    return this.controller.signal.aborted
  }

  dispose(): void {
    for (const signal of signals) process.off(signal, this.#handler)
  }
}

/** Image build output: a few lines (docker `Step i/n` lines), not the whole build log. */
function imageProgress(out: NodeJS.WriteStream): (line: string) => void {
  let announced = false
  return (line) => {
    if (!announced) {
      out.write('building the lite image (once per source change)\n')
      announced = true
    }
    if (/^Step \d+\/\d+/.test(line)) out.write(`  ${line.trim()}\n`)
  }
}

export async function up(options: UpOptions): Promise<void> {
  const out = process.stdout
  const interrupts = new Interrupts()
  const progress = new Progress()
  let devnet: Devnet
  try {
    devnet = await startDevnet({
      file: options.file,
      runtime: options.runtime,
      ports: options.ports,
      stateDir: options.stateDir,
      liteEntrypoint: options.liteEntrypoint && resolve(options.liteEntrypoint),
      speed: options.speed,
      detach: options.detach ?? false,
      signal: interrupts.controller.signal,
      onPlan: (plan) => progress.start(plan),
      onEvent: (event) => progress.event(event),
      onNotice: (message) => out.write(`note: ${message}\n`),
      onImageProgress: imageProgress(out),
    })
  } catch (error) {
    await progress.done(error)
    interrupts.dispose()
    if (interrupts.interrupted) {
      out.write('devnet start interrupted; stopped what had started\n')
      return
    }
    throw error
  }
  await progress.done()

  const descriptor = devnet.descriptor()
  const clock = devnet.clock.speed === 1 ? [] : [`clock: L1 and L2 time run ${devnet.clock.speed}x faster than wall time (--speed ${devnet.clock.speed})`]
  out.write(['', `devnet "${devnet.name}" is up (state: ${devnet.stateDir})`, ...clock, '', ...formatEndpoints(descriptor), '', ...formatKeys(descriptor), ''].join('\n') + '\n')

  if (options.detach) {
    interrupts.dispose()
    out.write(`Detached. \`devnet status --name ${devnet.name}\` shows it, \`devnet down --name ${devnet.name}\` stops it.\n`)
    return
  }

  out.write('Live heads (Ctrl-C stops the devnet):\n')
  await liveHeads(devnet, interrupts.controller.signal)
  try {
    await devnet.stop()
    out.write(`devnet "${devnet.name}" stopped\n`)
  } finally {
    interrupts.dispose()
  }
}

/** Redraws the heads table every second on a TTY; prints one plain line per refresh otherwise. */
async function liveHeads(devnet: Devnet, signal: AbortSignal): Promise<void> {
  const out = process.stdout
  let drawn = 0
  while (!signal.aborted) {
    const status = await devnet.status()
    if (signal.aborted) break
    if (out.isTTY) {
      const lines = formatHeads(status)
      out.write((drawn ? `\x1b[${drawn}A\r\x1b[J` : '') + lines.join('\n') + '\n')
      drawn = lines.length
    } else {
      out.write(`${formatHeadsLine(status)}\n`)
    }
    await sleep(refreshMs, undefined, { signal }).catch(() => {})
  }
}
