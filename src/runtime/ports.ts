/** Free TCP ports on 127.0.0.1, found by letting the kernel pick (bind port 0). */
import { createServer, type Server } from 'node:net'

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve(server))
  })
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
