/** Stall detection shared by the liveness invariants. */

export interface Point<S> {
  t: number
  value: number
  /** Whether the invariant applies at this point (no exempting fault active). */
  checked: boolean
  sample: S
}

export interface Stall<S> {
  /** The point where the value last rose (or checking resumed). */
  from: Point<S>
  /** The first point more than `stallMs` after it with no rise in between. */
  to: Point<S>
}

/**
 * Finds each stretch of checked points where the value does not rise (point to point) for more than
 * `stallMs`; one stall per stretch, reported at the first point past the limit. An unchecked point
 * ends the stretch; the next checked one starts a new one.
 */
export function findStalls<S>(points: Point<S>[], stallMs: number): Stall<S>[] {
  const stalls: Stall<S>[] = []
  let anchor: Point<S> | undefined
  let previous: Point<S> | undefined
  let reported = false
  for (const point of points) {
    if (!point.checked) {
      anchor = previous = undefined
      continue
    }
    if (!anchor || !previous || point.value > previous.value) {
      anchor = point
      reported = false
    } else if (!reported && point.t - anchor.t > stallMs) {
      stalls.push({ from: anchor, to: point })
      reported = true
    }
    previous = point
  }
  return stalls
}
