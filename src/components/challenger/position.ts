/**
 * Positions in a FaultDisputeGame's claim tree, as `LibPosition` (contracts-bedrock 0.17.3) defines them:
 * a generalized index `2^depth + indexAtDepth` (the root is 1). Pure bigint arithmetic.
 */

/** Depth of a position: the index of its highest set bit. */
export function depth(position: bigint): number {
  return position.toString(2).length - 1
}

/** Index of a position among the positions of its depth. */
export function indexAtDepth(position: bigint): bigint {
  return position - (1n << BigInt(depth(position)))
}

/** The position of a move against `position`: attack = left child, defend = left child of the right sibling. */
export function move(position: bigint, isAttack: boolean): bigint {
  return (position | (isAttack ? 0n : 1n)) << 1n
}

/** The rightmost descendant of `position` at `maxDepth`. */
export function rightIndex(position: bigint, maxDepth: number): bigint {
  const remaining = BigInt(maxDepth - depth(position))
  return (position << remaining) | ((1n << remaining) - 1n)
}

/** The trace index a position commits to at `maxDepth`: the index of its rightmost descendant there. */
export function traceIndex(position: bigint, maxDepth: number): bigint {
  return rightIndex(position, maxDepth) - (1n << BigInt(maxDepth))
}

/** The nearest ancestor (or the position itself) committing to the same trace index (`LibPosition.traceAncestor`). */
export function traceAncestor(position: bigint): bigint {
  let p = position
  while (p & 1n) p >>= 1n
  return p === 0n ? 1n : p
}

/**
 * `traceAncestorBounded`: the trace ancestor within the execution subgame below `splitDepth`; an ancestor at or
 * above the split is replaced by its rightmost descendant at `splitDepth + 1` (the subgame's root).
 */
export function traceAncestorBounded(position: bigint, splitDepth: number): bigint {
  const ancestor = traceAncestor(position)
  return depth(ancestor) <= splitDepth ? rightIndex(ancestor, splitDepth + 1) : ancestor
}
