/** `devnet logs <service>`: the last lines of a service's log, optionally followed until Ctrl-C. */
import { findStateDir, followLog, readLogLines } from '../../devnet/index.js'
import type { LogsOptions } from '../options.js'

export async function logs(service: string, options: LogsOptions): Promise<void> {
  const stateDir = findStateDir(options)
  const lines = readLogLines(stateDir, service, options.lines)
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`)
  if (!options.follow) return
  const controller = new AbortController()
  const stop = () => controller.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    for await (const line of followLog(stateDir, service, { signal: controller.signal })) process.stdout.write(`${line}\n`)
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}
