/**
 * A cache of values that never change once known (keyed by block hash: a block, the state root of its
 * message passer), bounded to its `capacity` most recent entries.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>()

  constructor(private readonly capacity: number) {}

  /**
   * The value of `key`: kept from before, or `load()`'s, kept unless it is `null` or `undefined` (not
   * known yet: asked again next time).
   * @example
   * const block = await blocks.get(hash, () => engine.call('eth_getBlockByHash', [hash, false]))
   */
  async get(key: K, load: () => Promise<V>): Promise<V> {
    if (this.entries.has(key)) return this.entries.get(key) as V
    const value = await load()
    if (value !== null && value !== undefined) {
      this.entries.set(key, value)
      if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K)
    }
    return value
  }

  get size(): number {
    return this.entries.size
  }
}
