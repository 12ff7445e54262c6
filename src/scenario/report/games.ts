/** Dispute games in the HTML timeline: a marker per creation and per outcome on the L1 chart, and a table. */
import type { GameSample, History } from '../../devnet/history.js'
import { secondsLabel, type Marker } from './chart.js'
import { escapeXml as e } from './xml.js'

/** Each game's samples, by factory index. */
function byGame(history: History): GameSample[][] {
  const games = new Map<number, GameSample[]>()
  for (const s of (history.games ?? []).toSorted((a, b) => a.t - b.t)) games.set(s.index, [...(games.get(s.index) ?? []), s])
  return [...games.values()]
}

const verdict = (g: GameSample) => (g.honestRoot === undefined ? 'root not checked' : g.honestRoot === g.rootClaim ? 'honest root' : 'wrong root')

/** Markers `.game[data-game]`: when each game was first seen and when it was seen resolved. */
export function gameMarkers(history: History): Marker[] {
  return byGame(history).flatMap((samples): Marker[] => {
    const first = samples[0]
    const last = samples[samples.length - 1]
    const what = `game ${first.index} for block ${first.l2Block} (${verdict(last)})`
    const resolved = samples.find((s) => s.status !== 'IN_PROGRESS')
    return [
      { t: first.t, className: 'game', title: `${what} created`, attrs: { 'data-game': String(first.index) } },
      ...(resolved ? [{ t: resolved.t, className: `game ${resolved.status.toLowerCase()}`, title: `${what}: ${resolved.status}`, attrs: { 'data-game': String(first.index), 'data-status': resolved.status } }] : []),
    ]
  })
}

/** `table.games`: one row per game with its block, root verdict, claims and outcome. */
export function gamesTable(history: History): string {
  const games = byGame(history)
  if (!games.length) return ''
  const rows = games.map((samples) => {
    const last = samples[samples.length - 1]
    const resolved = samples.find((s) => s.status !== 'IN_PROGRESS')
    return `<tr data-game="${last.index}"><td>${last.index}</td><td>${last.l2Block}</td><td>${e(verdict(last))}</td><td>${last.claims}</td><td>${secondsLabel(samples[0].t)}</td><td>${e(last.status)}${resolved ? ` at ${secondsLabel(resolved.t)}` : ''}</td></tr>`
  })
  return `<h2>Dispute games</h2>\n<table class="games"><tr><th>game</th><th>L2 block</th><th>root</th><th>claims</th><th>seen</th><th>status</th></tr>\n${rows.join('\n')}\n</table>`
}
