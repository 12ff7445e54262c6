/**
 * op-service's `ActiveL2RollupProvider` (op-proposer's and op-batcher's comma-separated `--rollup-rpc`):
 * the rollup node in use is kept while `admin_sequencerActive` says true; once per check duration it is
 * asked again and, if it is inactive or does not answer, the list is walked from the next URL (wrapping
 * around) to the first active one. With one URL it is used as is, never asked. op-batcher's
 * `ActiveL2EndpointProvider` pairs each rollup node with an execution RPC at the same position: `index()`
 * says which position is in use.
 */
import { rpcClient, type RpcClient } from './jsonrpc.js'
import type { Logger } from './log.js'

export interface ActiveRollupOptions {
  /** How long a node found active is used before it is asked again, ms (0: every time). */
  checkMs: number
  /** Timeout of each `admin_sequencerActive` probe and of the calls made on the node, ms. */
  timeoutMs: number
  log?: Logger
  /** Aborted when the component stops: its calls in flight end at once (see `rpcClient`). */
  signal?: AbortSignal
}

export interface ActiveRollup {
  /** The rollup node to use now; throws naming every URL when none is active. */
  client(): Promise<RpcClient>
  /** The position in the URL list of the rollup node to use now; throws as `client()` does. */
  index(): Promise<number>
  /** Asks again on the next call (after a call on the node in use failed). */
  invalidate(): void
}

/** The provider of `urls` (see the module comment). */
export function activeRollup(urls: string[], opts: ActiveRollupOptions): ActiveRollup {
  if (urls.length === 0) throw new Error('empty rollup urls list')
  const clients = urls.map((u) => rpcClient(u, opts.timeoutMs, { signal: opts.signal }))
  let index = 0
  let checkedUntil = 0
  const select = async (): Promise<number> => {
    if (clients.length === 1 || Date.now() < checkedUntil) return index
    const errors: string[] = []
    for (let offset = 0; offset < clients.length; offset++) {
      const i = (index + offset) % clients.length
      const active = await clients[i]!.call<boolean>('admin_sequencerActive', [], opts.timeoutMs).catch((err: Error) => {
        errors.push(`${urls[i]}: ${err.message}`)
        return undefined
      })
      if (active !== true) continue
      if (i !== index) opts.log?.info('found new active sequencer', { index: i, url: urls[i] })
      index = i
      checkedUntil = Date.now() + opts.checkMs
      return i
    }
    throw new Error(`failed to find an active sequencer, tried ${urls.join(', ')}${errors.length ? `; errors: ${errors.join('; ')}` : ''}`)
  }
  return {
    index: select,
    client: async () => clients[await select()]!,
    invalidate: () => void (checkedUntil = 0),
  }
}
