/** Service logs from the state directory (`<stateDir>/<service>/service.log`), running or not. */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import { setTimeout as sleep } from 'node:timers/promises'
import { DevnetError } from '../errors.js'
import { LogTail } from '../runtime/process/logTail.js'

/** Name of a service's log file in its directory. */
export const logFileName = 'service.log'

/**
 * Path of a service's log file.
 * @throws DevnetError (`DEVNET_USAGE`) naming the services that have logs, if `service` has none.
 */
export function serviceLogFile(stateDir: string, service: string): string {
  const dir = resolve(stateDir)
  const file = join(dir, service, logFileName)
  if (!existsSync(file)) {
    let known: string[] = []
    try {
      known = readdirSync(dir).filter((entry) => existsSync(join(dir, entry, logFileName))).sort()
    } catch {
      // no state directory
    }
    throw new DevnetError(`no logs for service ${JSON.stringify(service)} in ${dir}`, {
      code: 'DEVNET_USAGE',
      details: known.length ? `services with logs: ${known.join(', ')}` : 'no service has logs there',
    })
  }
  return file
}

/**
 * The last `lines` lines of a service's log (from its last MiB at most).
 * @example
 * readLogLines('.devnet/devnet', 'sequencer', 50)
 */
export function readLogLines(stateDir: string, service: string, lines = 100): string[] {
  return new LogTail(serviceLogFile(stateDir, service), lines).lines(lines)
}

/**
 * Yields the lines appended to a service's log from now on, until `signal` aborts (polls every
 * `intervalMs`; starts over if the file is truncated).
 * @example
 * for await (const line of followLog(dir, 'batcher', { signal })) console.log(line)
 */
export async function* followLog(stateDir: string, service: string, options: { signal?: AbortSignal; intervalMs?: number } = {}): AsyncGenerator<string> {
  const { signal, intervalMs = 200 } = options
  const file = serviceLogFile(stateDir, service)
  let offset = size(file)
  let decoder = new StringDecoder('utf8')
  let partial = ''
  while (!signal?.aborted) {
    const now = size(file)
    if (now < offset) {
      offset = 0
      partial = ''
      decoder = new StringDecoder('utf8')
    }
    if (now > offset) {
      const fd = openSync(file, 'r')
      try {
        const buffer = Buffer.alloc(now - offset)
        const n = readSync(fd, buffer, 0, buffer.length, offset)
        offset += n
        const parts = (partial + decoder.write(buffer.subarray(0, n))).split('\n')
        partial = parts.pop() ?? ''
        for (const line of parts) yield line.endsWith('\r') ? line.slice(0, -1) : line
      } finally {
        closeSync(fd)
      }
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => {})
  }
}

function size(file: string): number {
  try {
    const fd = openSync(file, 'r')
    try {
      return fstatSync(fd).size
    } finally {
      closeSync(fd)
    }
  } catch {
    return 0
  }
}
