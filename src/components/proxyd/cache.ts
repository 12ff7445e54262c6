/**
 * proxyd's RPC cache, in memory: answers of calls whose result cannot change (`eth_chainId`,
 * `net_version`, and calls keyed by a block or transaction hash) for `ttl`. Empty results and errors
 * are never cached; a broken consensus clears everything.
 */

export const cacheableMethods = new Set([
  'eth_chainId',
  'net_version',
  'eth_getBlockByHash',
  'eth_getBlockTransactionCountByHash',
  'eth_getTransactionByBlockHashAndIndex',
  'eth_getTransactionByHash',
  'eth_getTransactionReceipt',
])

export class RpcCache {
  private entries = new Map<string, { result: unknown; expires: number }>()

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  private key(method: string, params: unknown[]): string | undefined {
    return cacheableMethods.has(method) ? `${method}:${JSON.stringify(params)}` : undefined
  }

  /** The cached result of `method(params)`, or undefined. */
  get(method: string, params: unknown[]): unknown {
    const key = this.key(method, params)
    const e = key === undefined ? undefined : this.entries.get(key)
    if (!e) return undefined
    if (e.expires <= this.now()) {
      this.entries.delete(key!)
      return undefined
    }
    return e.result
  }

  /** Stores a result when the method is cacheable and the result is not empty. */
  put(method: string, params: unknown[], result: unknown): void {
    const key = this.key(method, params)
    if (key === undefined || result === null || result === undefined) return
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
    this.entries.set(key, { result, expires: this.now() + this.ttlMs })
  }

  clear(): void {
    this.entries.clear()
  }
}
