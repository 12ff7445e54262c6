/**
 * A cache of values that never change once known (keyed by block hash: a block, its L1 attributes, the
 * state root of its message passer), bounded to its `capacity` most recent entries.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, Promise<V>>()

  constructor(private readonly capacity: number) {}

  /**
   * The value of `key`: kept from before, or `load()`'s. Callers asking while a load is in flight share
   * it. A load that fails, or gives `null` or `undefined` (not known yet), is not kept: asked again next time.
   * @example
   * const block = await blocks.get(hash, () => engine.call('eth_getBlockByHash', [hash, false]))
   */
  get(key: K, load: () => Promise<V>): Promise<V> {
    const known = this.entries.get(key)
    if (known) return known
    const loading = load()
    this.entries.set(key, loading)
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K)
    const forget = () => void (this.entries.get(key) === loading && this.entries.delete(key))
    loading.then((value) => (value === null || value === undefined) && forget(), forget)
    return loading
  }

  get size(): number {
    return this.entries.size
  }
}
