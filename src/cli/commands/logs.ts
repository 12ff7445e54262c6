/** `devnet logs <service>`: the last lines of a service's log, optionally followed until Ctrl-C. */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { descriptorPath, findStateDir, readDescriptor } from '../../devnet/descriptor.js'
import { followLog, readLogLines } from '../../devnet/logs.js'
import { DevnetError } from '../../errors.js'
import type { LogsOptions } from '../options.js'

export async function logs(service: string, options: LogsOptions): Promise<void> {
  const stateDir = findStateDir(options)
  const descriptor = existsSync(descriptorPath(stateDir)) ? readDescriptor(stateDir) : undefined
  if (descriptor?.runtime === 'docker') {
    // A detached container keeps logging after the CLI that streamed service.log is gone: ask the engine.
    const args = ['logs', '--tail', String(options.lines), ...(options.follow ? ['--follow'] : []), `${descriptor.name}-${service}`]
    const code = await new Promise<number>((resolve) => spawn('docker', args, { stdio: 'inherit' }).on('exit', (c) => resolve(c ?? 1)))
    if (code !== 0) throw new DevnetError(`docker logs ${descriptor.name}-${service} failed (exit ${code})`, { code: 'DEVNET_SERVICE_FAILED' })
    return
  }
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
