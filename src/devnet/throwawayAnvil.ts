/** A short-lived anvil for work done before a devnet starts (deploying the L1 contracts, reading L2 genesis). */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { rpcClient, type RpcClient } from '../components/shared/jsonrpc.js'
import { anvilBinary } from '../runtime/process/index.js'

/**
 * Runs `fn` against an anvil started with `args` on a free loopback port, then kills that anvil (also
 * when `fn` throws). `args` must not give `--port` or `--host`.
 * @example
 * const head = await withAnvil(['--init', 'genesis.json'], (rpc) => rpc.call('eth_blockNumber'))
 */
export async function withAnvil<T>(args: string[], fn: (rpc: RpcClient) => Promise<T>): Promise<T> {
  const child = spawn(anvilBinary(), [...args, '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const lines: string[] = []
      const rl = createInterface({ input: child.stdout! })
      const timer = setTimeout(() => reject(new Error(`anvil did not start within 15 s:\n${lines.join('\n')}`)), 15_000)
      rl.on('line', (line) => {
        lines.push(line)
        const m = /Listening on [\d.]+:(\d+)/.exec(line)
        if (m) {
          clearTimeout(timer)
          rl.close()
          resolve(Number(m[1]))
        }
      })
      child.stderr!.on('data', (d: Buffer) => lines.push(d.toString()))
      child.once('error', reject)
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`anvil exited with code ${code}:\n${lines.join('\n')}`))
      })
    })
    child.stdout!.resume()
    return await fn(rpcClient(`http://127.0.0.1:${port}`, 60_000))
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    }
  }
}
