import { isScalar } from 'yaml'
import { defaults } from './defaults.js'
import { describe, int, type Check, type Reader } from './reader.js'
import { GAME_TYPES, type GameType, type Settlement, type Topology } from './types.js'

const GAME_TYPE_NAMES: Record<number, string> = { 0: 'CANNON', 1: 'PERMISSIONED_CANNON', 2: 'ASTERISC', 254: 'FAST', 255: 'ALPHABET' }
const REGISTERED = Object.entries(GAME_TYPES).map(([n, t]) => `${t} (${n})`).join(' and ')

/** Reads `settlement`: game type, portal delays, game clock and depth, init bond, proposal interval. */
export const readSettlement: Check<Settlement> = (r, node, path) =>
  r.section<Settlement>(
    node,
    path,
    {
      gameType: readGameType,
      proofMaturityDelaySeconds: int(0),
      disputeGameFinalityDelaySeconds: int(0),
      maxClockDuration: int(1, 2 ** 32),
      // maxGameDepth = splitDepth + 4 must stay <= 125 (FaultDisputeGame's constructor check).
      splitDepth: int(1, 121),
      initBond: readWei,
      proposalIntervalSeconds: int(1),
    },
    defaults.settlement,
  )

const readGameType: Check<GameType> = (r, node, path) => {
  const value = isScalar(node) ? node.value : undefined
  if (Object.values<unknown>(GAME_TYPES).includes(value)) return value as GameType
  const known = typeof value === 'number' && GAME_TYPE_NAMES[value] ? ` (${GAME_TYPE_NAMES[value]})` : ''
  return r.fail(path, r.line(node), `game type ${describe(node)}${known} is not registered in the devnet's DisputeGameFactory; expected ${REGISTERED}`)
}

const UNITS = { ether: 18, gwei: 9, wei: 0 } as const

/** An amount: an integer (wei) or `<decimal> ether|gwei|wei`; resolved to wei as a decimal string. */
export const readWei: Check<string> = (r, node, path) => {
  const value = isScalar(node) ? node.value : undefined
  const match = /^\s*(\d+)(?:\.(\d+))?\s*(ether|gwei|wei)?\s*$/.exec(typeof value === 'number' || typeof value === 'string' ? String(value) : '')
  const decimals = match ? UNITS[(match[3] ?? 'wei') as keyof typeof UNITS] : 0
  if (!match || (match[2] ?? '').length > decimals) {
    return r.fail(path, r.line(node), `expected an amount such as 0.08 ether, 80 gwei or an integer of wei; found ${describe(node)}`)
  }
  return (BigInt(match[1]) * 10n ** BigInt(decimals) + BigInt((match[2] ?? '').padEnd(decimals, '0') || '0')).toString()
}

/**
 * An ALPHABET game bisects the L2 blocks from the anchor to the proposed block over `2^splitDepth` output
 * leaves (leaf `i` is block `anchor + i + 1`), so every proposal must be at most `2^splitDepth` blocks past
 * the anchor; further, the honest challenger's root (clamped to the last leaf) differs from an honest
 * proposal. The anchor moves when a game resolves DEFENDER_WINS, `maxClockDuration` after its creation,
 * so in steady state a proposal is up to `proposalIntervalSeconds + maxClockDuration` seconds of L2 blocks
 * past it. FAST games are never bisected. The issue points at the first of the keys involved the file gave.
 */
export function checkGameRange(r: Reader, t: Topology): void {
  const s = t.settlement
  if (s.gameType !== GAME_TYPES.ALPHABET) return
  const blocks = Math.ceil((s.proposalIntervalSeconds + s.maxClockDuration) / t.l2.blockTime)
  if (blocks <= 2 ** s.splitDepth) return
  const path = ['settlement.splitDepth', 'settlement.proposalIntervalSeconds', 'settlement.maxClockDuration', 'l2.blockTime'].find((p) => r.lines.has(p))
  if (!path) return
  r.fail(
    path,
    r.lines.get(path),
    `a game bisects up to ${blocks} L2 blocks past the anchor (proposalIntervalSeconds ${s.proposalIntervalSeconds} + maxClockDuration ${s.maxClockDuration} until the anchor moves, at l2.blockTime ${t.l2.blockTime} s) but 2^splitDepth = ${2 ** s.splitDepth} leaves cover ${2 ** s.splitDepth}; expected splitDepth >= ${Math.ceil(Math.log2(blocks))} or a shorter proposal interval`,
  )
}
