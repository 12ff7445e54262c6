/**
 * Free TCP ports on 127.0.0.1 for services that start later. They come from below the kernel's
 * ephemeral range (Linux: 32768-60999), because that range is where every `--port 0` listener (the
 * nodes' own anvils, the link proxies) and every outgoing connection's local port come from: a port
 * found by binding port 0 and released could be taken by one of those before its service binds it.
 * Each process scans from its own offset (by pid), and every port handed out is reserved for the process
 * that allocated it (a file `<tmpdir>/op-devnet-ports/<port>` holding its pid) while that process lives:
 * another process skips it, so a crashed service's port is still its own when it starts again, and two
 * devnets allocating at the same instant never get the same port (CI saw both: EADDRINUSE on p2p ports).
 */
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where allocated ports come from: below the ephemeral range. */
export const portRange = { low: 20_000, high: 32_767 } as const
const span = portRange.high - portRange.low + 1
let next = portRange.low + ((process.pid * 7919) % span)

function bind(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(server))
  })
}

/**
 * Whether a program could listen on 127.0.0.1:`port` now: a listener, anything bound to the port (also on
 * 0.0.0.0, as docker-proxy is) or a connection using it as its local port makes it taken.
 */
export function portFree(port: number): Promise<boolean> {
  return bind(port).then((server) => new Promise<boolean>((resolve) => server.close(() => resolve(true))), () => false)
}

const reservations = join(tmpdir(), 'op-devnet-ports')

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** An empty reservation file younger than this is being written by its creator: the port is taken. */
const writingMs = 10_000

/** Reserves `port` for this process; false when a live process (not this one) holds it. */
function reserve(port: number): boolean {
  const file = join(reservations, String(port))
  try {
    mkdirSync(reservations, { recursive: true })
    const fd = openSync(file, 'wx')
    try {
      writeSync(fd, String(process.pid))
    } finally {
      closeSync(fd)
    }
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return true // no shared directory: binding decides alone
  }
  let text: string
  let ageMs: number
  try {
    text = readFileSync(file, 'utf8')
    ageMs = Date.now() - statSync(file).mtimeMs
  } catch {
    return false // removed or replaced meanwhile: let the next port be tried
  }
  // Created but not written yet: another process won the file an instant ago (reading it as no holder
  // handed the same port to both). Only an empty file left long ago, by a writer that died, is free.
  if (!text.trim() && ageMs < writingMs) return false
  const holder = Number(text)
  if (holder !== process.pid && Number.isInteger(holder) && holder > 0 && alive(holder)) return false
  writeFileSync(file, String(process.pid))
  return true
}

async function listen(): Promise<Server> {
  for (let tries = 0; tries < span; tries++) {
    const port = next
    next = next >= portRange.high ? portRange.low : next + 1
    if (!reserve(port)) continue
    try {
      return await bind(port)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' && (error as NodeJS.ErrnoException).code !== 'EACCES') throw error
    }
  }
  return bind(0) // the whole range is taken: let the kernel pick
}

function close(server: Server): Promise<number> {
  const { port } = server.address() as { port: number }
  return new Promise((resolve) => server.close(() => resolve(port)))
}

/**
 * A TCP port that is free on 127.0.0.1 right now (another process may still take it before you bind it).
 * @example
 * const port = await freePort()
 */
export async function freePort(): Promise<number> {
  return close(await listen())
}

/**
 * `n` distinct free ports on 127.0.0.1: all are held open together before release, so none repeats.
 * @example
 * const [rpc, p2p] = await allocatePorts(2)
 */
export async function allocatePorts(n: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    for (let i = 0; i < n; i++) servers.push(await listen())
  } catch (error) {
    await Promise.all(servers.map(close))
    throw error
  }
  return Promise.all(servers.map(close))
}
