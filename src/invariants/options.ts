import type { InvariantOptions } from './types.js'

/** Every default of {@link InvariantOptions}, in one place. */
export const invariantDefaults = {
  /** @default 5000 */
  unsafeStallMs: 5000,
  /** @default 15000 */
  safeStallMs: 15000,
  /** @default 15000 */
  reorgWindowMs: 15000,
  /** @default 5000 */
  settleMs: 5000,
  /** @default 5000 */
  graceMs: 5000,
  /** @default 5000 */
  leaderElectionMs: 5000,
  /** @default 15000 */
  counterMs: 15000,
} satisfies InvariantOptions

/** `options` with every missing key taken from {@link invariantDefaults}. */
export function withDefaults(options: Partial<InvariantOptions> = {}): InvariantOptions {
  const out: InvariantOptions = { ...invariantDefaults }
  for (const [key, value] of Object.entries(options)) if (value !== undefined) out[key as keyof InvariantOptions] = value
  return out
}
