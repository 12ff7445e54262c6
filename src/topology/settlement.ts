import { isScalar } from 'yaml'
import { defaults } from './defaults.js'
import { describe, int, type Check } from './reader.js'
import { GAME_TYPES, type GameType, type Settlement } from './types.js'

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
