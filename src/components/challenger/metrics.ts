/**
 * op-challenger's Prometheus metrics (namespace `op_challenger`): `info{version}`, `up`, `moves`, `steps`,
 * `tracked_games{status}` (in_progress, defender_won, challenger_won: the games in the window at the last
 * round) and the txmgr counters.
 */
import { Counter, Gauge } from 'prom-client'
import { serviceMetrics } from '../shared/metrics.js'

export const CHALLENGER_METRICS_NS = 'op_challenger'

export type ChallengerMetrics = ReturnType<typeof challengerMetrics>

/** The challenger's metrics on a registry of their own. */
export function challengerMetrics(version: string) {
  const m = serviceMetrics(CHALLENGER_METRICS_NS, version)
  const registers = [m.registry]
  const trackedGames = new Gauge({ name: `${CHALLENGER_METRICS_NS}_tracked_games`, help: 'Number of games being tracked by the challenger', labelNames: ['status'], registers })
  return {
    ...m,
    moves: new Counter({ name: `${CHALLENGER_METRICS_NS}_moves`, help: 'Number of game moves made by the challenge agent', registers }),
    steps: new Counter({ name: `${CHALLENGER_METRICS_NS}_steps`, help: 'Number of game steps made by the challenge agent', registers }),
    /** op-challenger's `RecordGamesStatus`. */
    recordGamesStatus(inProgress: number, defenderWon: number, challengerWon: number): void {
      trackedGames.labels('in_progress').set(inProgress)
      trackedGames.labels('defender_won').set(defenderWon)
      trackedGames.labels('challenger_won').set(challengerWon)
    },
  }
}
