/** A small seeded PRNG (mulberry32) for every random choice of the orchestrator, so a run can be replayed. */
import { randomInt } from 'node:crypto'
import { mulberry32 } from '../components/shared/random.js'

/** A uniform generator in [0, 1) from a 32-bit seed (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  return mulberry32(seed)
}

/** A seed of its own for one user of the run's seed (e.g. the load step at index 3), stable across runs. */
export function deriveSeed(seed: number, index: number): number {
  return Math.floor(seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0)() * 4294967296)
}

/** A fresh seed for a run that was not given one (it is recorded in the report). */
export function drawSeed(): number {
  return randomInt(0, 2 ** 32 - 1)
}
