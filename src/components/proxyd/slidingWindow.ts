/**
 * A moving sum and average over the last `windowMs` (proxyd's sliding windows: 5 minutes of 1-second
 * buckets), for a backend's request count, network error count and latency. Pure apart from `now`.
 */
export class SlidingWindow {
  /** Bucket start (ms) -> sum and count of the values added in it, oldest first. */
  private readonly buckets = new Map<number, { sum: number; count: number }>()
  /** Running totals over the buckets (kept on add and eviction: a request reads them without a walk). */
  private total = 0
  private count = 0

  constructor(
    private readonly windowMs = 5 * 60_000,
    private readonly bucketMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  add(value: number): void {
    const key = Math.floor(this.now() / this.bucketMs) * this.bucketMs
    this.evict()
    const b = this.buckets.get(key)
    if (b) {
      b.sum += value
      b.count++
    } else this.buckets.set(key, { sum: value, count: 1 })
    this.total += value
    this.count++
  }

  /** Sum of the values in the window. */
  sum(): number {
    this.evict()
    return this.total
  }

  /** Average of the values in the window (0 when empty). */
  avg(): number {
    this.evict()
    return this.count ? this.total / this.count : 0
  }

  private evict(): void {
    const oldest = this.now() - this.windowMs
    for (const [key, b] of this.buckets) {
      if (key > oldest) break
      this.buckets.delete(key)
      this.total -= b.sum
      this.count -= b.count
    }
    if (!this.buckets.size) this.total = this.count = 0
  }
}
