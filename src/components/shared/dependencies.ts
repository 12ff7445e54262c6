/**
 * The services a program needs before it can run (L1), which the orchestrator starts beside it rather
 * than before it: the program's launcher waits for them while the program loads, so a service's start (a
 * container's creation, Node's start, loading the program) overlaps with theirs.
 */
import { rpcClient, type RpcClient } from './jsonrpc.js'

/** Environment variable of the launcher: comma-separated JSON-RPC URLs to wait for (`eth_chainId` answers). */
export const WAIT_FOR_ENV = 'DEVNET_WAIT_FOR'

/** How often an URL is asked again, ms. */
const POLL_MS = 25

export interface WaitForDependenciesOptions {
  /** Where the line about a dependency that does not answer goes. @default stderr */
  say?: (line: string) => void
  /** After how long without an answer that line comes (once per URL), ms. @default 3000 */
  sayAfterMs?: number
}

/** Whether `client` answers `eth_chainId` with a result (an error answer, bad JSON or no server: no). */
export function answers(client: RpcClient): Promise<boolean> {
  return client.call('eth_chainId').then(() => true, () => false)
}

/**
 * Resolves once every URL of `value` (the {@link WAIT_FOR_ENV} variable) answers. It never gives up: the
 * orchestrator's readiness timeout bounds the service's start, and a service started again while its L1
 * does not answer waits for it (it could not start without it anyway).
 */
export async function waitForDependencies(value: string | undefined, options: WaitForDependenciesOptions = {}): Promise<void> {
  const { say = (line: string) => console.error(line), sayAfterMs = 3_000 } = options
  const urls = (value ?? '').split(',').map((u) => u.trim()).filter(Boolean)
  await Promise.all(urls.map(async (url) => {
    const client = rpcClient(url, 1_000)
    const sayAt = Date.now() + sayAfterMs
    let said = false
    while (!(await answers(client))) {
      if (!said && Date.now() >= sayAt) {
        said = true
        say(`waiting for ${url} to answer before starting`)
      }
      await new Promise((r) => setTimeout(r, POLL_MS))
    }
  }))
}
