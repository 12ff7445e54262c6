import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { faultWindows, type FaultWindow } from '../../invariants/faultWindows.js'
import { allInvariants, invariantDefaults } from '../../invariants/index.js'
import type { History } from '../../devnet/history.js'
import type { ScenarioResult } from '../types.js'
import { renderChart, secondsLabel, type Band, type Marker, type Series } from './chart.js'
import { gameMarkers, gamesTable } from './games.js'
import { escapeXml as e } from './xml.js'

/** A zoomed chart shows this long before a violation and after it. */
const ZOOM = { beforeMs: 30_000, afterMs: 15_000 }
/** Zoomed charts for at most this many violations (the list links every one of them). */
const MAX_ZOOMS = 20

const COLORS = { unsafe: '#1f77b4', safe: '#2ca02c', finalized: '#9467bd', head: '#1f77b4' }

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0; } td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
.passed { color: #1a7f37; font-weight: 600; } .failed { color: #c00; font-weight: 600; } .skipped { color: #888; }
svg.chart { display: block; margin: 8px 0 20px; background: #fff; }
svg .chart-title { font-weight: 600; font-size: 13px; }
svg .tick, svg .legend-item text, svg .fault-label { font-size: 11px; fill: #555; }
svg .grid { stroke: #eee; } svg .frame { fill: none; stroke: #bbb; }
svg .series { fill: none; stroke-width: 1.6; } svg .legend-item line { stroke-width: 3; }
svg .fault-window rect { fill: #f5a623; fill-opacity: 0.18; } svg .fault-label { fill: #a15c00; }
svg .violation circle { fill: #d00; } svg .violation line { stroke: #d00; stroke-dasharray: 3 3; }
svg .game path { fill: #1c7ed6; } svg .game line { stroke: #1c7ed6; stroke-dasharray: 1 3; } svg .game.challenger_wins path { fill: #2b8a3e; }
svg .failed-step path { fill: #e67700; } svg .failed-step line { stroke: #e67700; stroke-dasharray: 2 4; }
pre { background: #f6f6f6; padding: 8px; overflow: auto; max-height: 320px; }
`

/**
 * A self-contained HTML timeline of one run: a chart per node (unsafe, safe, finalized over time), an L1
 * chart, fault windows shaded and labelled, violations and failed steps marked (hover for details),
 * and a summary of steps and invariants. No scripts, no external assets. A long run stays readable:
 * every fault window is listed in a table, and each violation links to a zoomed chart of the node
 * around it (`#violation-<i>`).
 *
 * Stable hooks: `svg[data-node="<name>"]`, `svg[data-chain="l1"]`, `.fault-window[data-fault]`,
 * `.violation[data-invariant]`, `.failed-step`, `.game[data-game]`, `table.games`, `table.summary`, `table.steps`,
 * `table.invariants`, `table.fault-windows`, `section.zoom[data-violation]`.
 */
export function renderHtmlTimeline(history: History, result: ScenarioResult): string {
  const lastT = (items: { t: number }[]) => items.reduce((m, i) => Math.max(m, i.t), 0)
  const tMax = Math.max(result.durationMs, lastT(history.samples), lastT(history.l1), lastT(history.events))
  const windows = faultWindows(history, invariantDefaults.graceMs)
  const bands: Band[] = windows.map((w) => {
    const on = w.targets.length ? ` on ${w.targets.join(', ')}` : ''
    const until = w.end === Infinity ? 'the end' : secondsLabel(w.end)
    return {
      start: w.start,
      end: Math.min(w.end, tMax),
      label: w.name,
      title: `${w.name}${on}: ${secondsLabel(w.start)} to ${until}`,
      attrs: { 'data-fault': w.name, 'data-targets': w.targets.join(' ') },
    }
  })
  const failedSteps: Marker[] = result.steps
    .filter((s) => s.status === 'failed')
    .map((s) => ({
      t: s.startedAt + s.durationMs,
      className: 'failed-step',
      title: `step ${s.index} failed: ${s.label}${s.message ? ` — ${s.message}` : ''}`,
      attrs: { 'data-step': String(s.index) },
    }))
  const violations = (node?: string): Marker[] =>
    result.violations
      .filter((v) => node === undefined || v.node === undefined || v.node === node)
      .map((v) => ({
        t: v.t,
        className: 'violation',
        title: `${v.invariant} at ${secondsLabel(v.t)}: ${v.message}`,
        attrs: { 'data-invariant': v.invariant, ...(v.node ? { 'data-violation-node': v.node } : {}) },
      }))

  const nodeChart = (node: string, range?: { tMin: number; tMax: number }) => {
    const samples = history.samples.filter((s) => s.node === node).sort((a, b) => a.t - b.t)
    const series: Series[] = (['unsafe', 'safe', 'finalized'] as const).map((head) => ({
      name: head,
      color: COLORS[head],
      points: samples.map((s) => [s.t, s[head].number]),
    }))
    const title = range ? `${node} — L2 heads, ${secondsLabel(range.tMin)} to ${secondsLabel(range.tMax)}` : `${node} — L2 heads`
    return renderChart({ title, attrs: { 'data-node': node }, tMax, ...range, series, bands, markers: [...violations(node), ...failedSteps] })
  }
  const nodeCharts = history.nodes.map((node) => nodeChart(node))
  const zooms = result.violations.slice(0, MAX_ZOOMS).map((v, i) => {
    const range = { tMin: Math.max(v.t - ZOOM.beforeMs, 0), tMax: Math.min(v.t + ZOOM.afterMs, tMax) }
    const charts = (v.node && history.nodes.includes(v.node) ? [v.node] : history.nodes).map((node) => nodeChart(node, range))
    return `<section class="zoom" id="violation-${i}" data-violation="${i}"><h3>${secondsLabel(v.t)} ${e(v.invariant)}${v.node ? ` on ${e(v.node)}` : ''}</h3>\n${charts.join('\n')}</section>`
  })
  const l1 = history.l1.toSorted((a, b) => a.t - b.t)
  const l1Chart = renderChart({
    title: 'L1 — head, safe, finalized',
    attrs: { 'data-chain': 'l1' },
    tMax,
    series: (['head', 'safe', 'finalized'] as const).map((head) => ({ name: head, color: COLORS[head], points: l1.map((s) => [s.t, s[head].number]) })),
    bands,
    markers: [...failedSteps, ...gameMarkers(history)],
  })

  const status = (passed: boolean) => `<span class="${passed ? 'passed' : 'failed'}">${passed ? 'PASS' : 'FAIL'}</span>`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${e(result.scenario)} — op-devnet timeline</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${e(result.scenario)} ${status(result.passed)}</h1>
<table class="summary">
<tr><th>scenario</th><td>${e(result.scenario)}${result.file ? ` (${e(result.file)})` : ''}</td></tr>
<tr><th>runtime</th><td>${e(result.runtime ?? history.runtime)}</td></tr>
${result.seed === undefined ? '' : `<tr><th>seed</th><td data-seed>${result.seed}</td></tr>`}
${result.speed === undefined ? '' : `<tr><th>speed</th><td data-speed>${result.speed}× (times are chain time)</td></tr>`}
<tr><th>result</th><td>${status(result.passed)}</td></tr>
<tr><th>duration</th><td>${secondsLabel(result.durationMs)}</td></tr>
<tr><th>started</th><td>${e(new Date(history.startedAt).toISOString())}</td></tr>
${result.error ? `<tr><th>error</th><td class="failed">${e(result.error.message)}</td></tr>` : ''}
</table>
<h2>Timeline</h2>
${nodeCharts.join('\n')}
${l1Chart}
<h2>Fault windows</h2>
${windowsTable(windows, tMax)}
${gamesTable(history)}
<h2>Steps</h2>
${stepsTable(result)}
<h2>Invariants</h2>
${invariantsTable(result)}
${violationList(result)}
${zooms.length ? `<h2>Violations up close</h2>\n${zooms.join('\n')}` : ''}
</body>
</html>
`
}

function windowsTable(windows: FaultWindow[], tMax: number): string {
  if (!windows.length) return '<p>no faults</p>'
  const rows = windows.map((w) => {
    const end = Math.min(w.end, tMax)
    const until = w.end === Infinity ? 'the end' : secondsLabel(w.end)
    return `<tr data-fault="${e(w.name)}"><td>${e(w.name)}</td><td>${e(w.targets.join(', ') || 'every service')}</td><td>${secondsLabel(w.start)}</td><td>${until}</td><td>${secondsLabel(end - w.start)}</td></tr>`
  })
  return `<table class="fault-windows">\n<tr><th>fault</th><th>on</th><th>from</th><th>to</th><th>for</th></tr>\n${rows.join('\n')}\n</table>`
}

function stepsTable(result: ScenarioResult): string {
  const rows = result.steps.map(
    (s) =>
      `<tr data-step="${s.index}"><td>${s.index}</td><td>${e(s.label)}</td><td class="${s.status}">${s.status}</td>` +
      `<td>${secondsLabel(s.startedAt)} (+${secondsLabel(s.durationMs)})</td><td>${e(s.message ?? '')}</td></tr>`,
  )
  return `<table class="steps">\n<tr><th>#</th><th>step</th><th>status</th><th>at</th><th>details</th></tr>\n${rows.join('\n')}\n</table>`
}

function invariantsTable(result: ScenarioResult): string {
  const rows = allInvariants.map((inv) => {
    const count = result.violations.filter((v) => v.invariant === inv.id).length
    const [cls, text] = !result.invariants.includes(inv.id)
      ? ['skipped', 'not checked']
      : count
        ? ['failed', `${count} violation${count > 1 ? 's' : ''}`]
        : ['passed', 'held']
    return `<tr data-invariant="${e(inv.id)}"><td>${e(inv.id)}</td><td>${e(inv.description)}</td><td class="${cls}">${text}</td></tr>`
  })
  return `<table class="invariants">\n<tr><th>invariant</th><th>what it checks</th><th>result</th></tr>\n${rows.join('\n')}\n</table>`
}

function violationList(result: ScenarioResult): string {
  if (!result.violations.length) return ''
  const items = result.violations.map(
    (v, i) =>
      `<details class="violation-detail" data-invariant="${e(v.invariant)}"><summary>${secondsLabel(v.t)} ${e(v.invariant)}: ${e(v.message)}` +
      `${i < MAX_ZOOMS ? ` <a href="#violation-${i}">zoom</a>` : ''}</summary>` +
      `<pre>${e(v.evidence.map((x) => JSON.stringify(x, null, 2)).join('\n'))}</pre></details>`,
  )
  return `<h2>Violations</h2>\n${items.join('\n')}`
}

/**
 * Writes the HTML timeline of one run (creates the directory); see {@link renderHtmlTimeline}.
 * @example
 * await writeHtmlTimeline(history, result, 'reports/l1-reorg-shallow.html')
 */
export async function writeHtmlTimeline(history: History, result: ScenarioResult, file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, renderHtmlTimeline(history, result))
}
