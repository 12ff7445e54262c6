/** A minimal time-series chart as inline SVG: polylines, shaded bands, point markers with tooltips. */
import { escapeXml } from './xml.js'

export interface Series {
  name: string
  color: string
  /** `[t ms, value]`, in time order. */
  points: [number, number][]
}

/** A shaded time span (a fault window). */
export interface Band {
  start: number
  end: number
  label: string
  title: string
  attrs: Record<string, string>
}

/** A point in time marked above the plot (a violation, a failed step). */
export interface Marker {
  t: number
  className: string
  title: string
  attrs: Record<string, string>
}

export interface ChartSpec {
  title: string
  /** Attributes of the `<svg>` (e.g. `data-node`). */
  attrs: Record<string, string>
  /** Start of the time axis (a zoomed chart). @default 0 */
  tMin?: number
  tMax: number
  series: Series[]
  bands: Band[]
  markers: Marker[]
}

const W = 960
const H = 240
const M = { left: 56, right: 16, top: 34, bottom: 28 }
const plotW = W - M.left - M.right
const plotH = H - M.top - M.bottom

const attrList = (attrs: Record<string, string>) =>
  Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('')

/** A round step giving about `count` ticks over `span`. */
function tickStep(span: number, count: number): number {
  const raw = span / count
  const power = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!
}

/** `t` in ms as seconds, `12.5s`. */
export const secondsLabel = (t: number) => `${Number((t / 1000).toFixed(1))}s`

/** Renders one chart as an `<svg>` element. */
export function renderChart(spec: ChartSpec): string {
  const tMin = Math.max(spec.tMin ?? 0, 0)
  const tMax = Math.max(spec.tMax, tMin + 1)
  const inRange = (t: number) => t >= tMin && t <= tMax
  const series = spec.series.map((s) => ({ ...s, points: s.points.filter(([t]) => inRange(t)) }))
  const values = series.flatMap((s) => s.points.map(([, v]) => v))
  let [lo, hi] = values.length ? [Math.min(...values), Math.max(...values)] : [0, 1]
  if (hi === lo) hi = lo + 1
  const x = (t: number) => M.left + ((Math.min(Math.max(t, tMin), tMax) - tMin) / (tMax - tMin)) * plotW
  const y = (v: number) => M.top + plotH - ((v - lo) / (hi - lo)) * plotH
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img"${attrList({ 'aria-label': spec.title, ...spec.attrs })}>`)
  out.push(`<text class="chart-title" x="${M.left}" y="16">${escapeXml(spec.title)}</text>`)
  // Fault windows under everything else.
  for (const band of spec.bands.filter((b) => b.end >= tMin && b.start <= tMax)) {
    const [x0, x1] = [x(band.start), x(band.end)]
    out.push(
      `<g class="fault-window"${attrList(band.attrs)}><title>${escapeXml(band.title)}</title>` +
        `<rect x="${x0.toFixed(1)}" y="${M.top}" width="${Math.max(x1 - x0, 2).toFixed(1)}" height="${plotH}"/>` +
        `<text class="fault-label" x="${(x0 + 3).toFixed(1)}" y="${M.top + plotH - 5}">${escapeXml(band.label)}</text></g>`,
    )
  }
  // Axes and grid.
  const yStep = tickStep(hi - lo, 4)
  for (let v = Math.ceil(lo / yStep) * yStep; v <= hi; v += yStep) {
    out.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`)
    out.push(`<text class="tick" x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`)
  }
  const tStep = tickStep(tMax - tMin, 8)
  for (let t = Math.ceil(tMin / tStep) * tStep; t <= tMax; t += tStep) {
    out.push(`<text class="tick" x="${x(t).toFixed(1)}" y="${H - 8}" text-anchor="middle">${secondsLabel(t)}</text>`)
  }
  out.push(`<rect class="frame" x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}"/>`)
  for (const s of series) {
    const points = s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')
    out.push(`<polyline class="series" data-series="${escapeXml(s.name)}" stroke="${s.color}" points="${points}"><title>${escapeXml(s.name)}</title></polyline>`)
  }
  // Legend, top right.
  spec.series.forEach((s, i) => {
    const lx = W - M.right - (spec.series.length - i) * 90
    out.push(
      `<g class="legend-item" data-series="${escapeXml(s.name)}"><line x1="${lx}" x2="${lx + 18}" y1="12" y2="12" stroke="${s.color}"/>` +
        `<text x="${lx + 22}" y="16">${escapeXml(s.name)}</text></g>`,
    )
  })
  for (const m of spec.markers.filter((marker) => inRange(marker.t))) {
    const cx = x(m.t).toFixed(1)
    const shape = m.className.includes('violation')
      ? `<circle cx="${cx}" cy="${M.top + 7}" r="5"/>`
      : `<path d="M ${cx} ${M.top + 2} l 5 5 l -5 5 l -5 -5 z"/>`
    out.push(`<g class="${escapeXml(m.className)}"${attrList(m.attrs)}><title>${escapeXml(m.title)}</title>${shape}<line x1="${cx}" x2="${cx}" y1="${M.top + 12}" y2="${M.top + plotH}"/></g>`)
  }
  out.push('</svg>')
  return out.join('\n')
}
