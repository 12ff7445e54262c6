/** A short-lived anvil for work done before a devnet starts (deploying the L1 contracts, reading L2 genesis). */
import { spawnAnvil } from '../components/shared/anvil.js'
import { rpcClient, type RpcClient } from '../components/shared/jsonrpc.js'
import { anvilBinary } from '../runtime/process/index.js'

/**
 * Runs `fn` against an anvil started with `args` on a free loopback port, then kills that anvil (also
 * when `fn` throws). `args` must not give `--port` or `--host`.
 * @example
 * const head = await withAnvil(['--init', 'genesis.json'], (rpc) => rpc.call('eth_blockNumber'))
 */
export async function withAnvil<T>(args: string[], fn: (rpc: RpcClient) => Promise<T>): Promise<T> {
  const { child, port } = await spawnAnvil(anvilBinary(), args)
  try {
    return await fn(rpcClient(`http://127.0.0.1:${port}`, 60_000))
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    }
  }
}
