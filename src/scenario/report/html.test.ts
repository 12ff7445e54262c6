import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'
import { requires } from '../../../test/requires.js'
import { syntheticRun } from './__fixtures__/run.js'
import { renderHtmlTimeline, writeHtmlTimeline } from './html.js'

const chromium = (() => {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
})()

/** The DOM Chromium builds from `file`, serialised (`--dump-dom`). */
async function dumpDom(file: string, profile: string): Promise<string> {
  const args = ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, '--dump-dom', `file://${file}`]
  const { stdout } = await promisify(execFile)(chromium!, args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 })
  return stdout
}

/** The `<svg …>…</svg>` element whose opening tag has `attr`. */
function svgWith(dom: string, attr: string): string | undefined {
  return [...dom.matchAll(/<svg\b[^>]*>[\s\S]*?<\/svg>/g)].map((m) => m[0]).find((svg) => svg.slice(0, svg.indexOf('>')).includes(attr))
}

describe('renderHtmlTimeline', () => {
  test('default: self-contained, with a chart per node, the L1 chart and the summary', () => {
    const { history, result } = syntheticRun()
    const html = renderHtmlTimeline(history, result)
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i)
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\//)
    expect(html).toContain('data-node="sequencer"')
    expect(html).toContain('data-node="replica-0"')
    expect(html).toContain('data-chain="l1"')
    expect(html).toContain('<tr><th>seed</th><td data-seed>1234</td></tr>')
    expect(html).toContain('<tr data-invariant="safeOriginCanonical"><td>safeOriginCanonical</td>')
    expect(html).toContain('<td class="skipped">not checked</td>')
    expect(html).toContain('<td class="failed">1 violation</td>')
    expect(html).toContain('moved back from 27 to 26 with no L1 reorg in the 15000ms before &lt;&amp;&gt;')
    expect(html).not.toContain('table class="games"')
    expect(html).not.toContain('data-speed')
    expect(renderHtmlTimeline(history, { ...result, speed: 4 })).toContain('<tr><th>speed</th><td data-speed>4× (times are chain time)</td></tr>')
  })

  test('behavior: dispute games show on the L1 chart (created, outcome) and in a table', () => {
    const { history, result } = syntheticRun()
    const game = { address: '0x01', gameType: 255, l2Block: 12, rootClaim: '0x02', honestRoot: '0x03', createdAt: 1, claims: 1, rootCountered: false }
    history.games = [
      { ...game, t: 1000, index: 0, status: 'IN_PROGRESS' },
      { ...game, t: 3000, index: 0, status: 'IN_PROGRESS', claims: 2, rootCountered: true },
      { ...game, t: 9000, index: 0, status: 'CHALLENGER_WINS', claims: 2, rootCountered: true },
    ]
    const html = renderHtmlTimeline(history, result)
    const l1 = html.slice(html.indexOf('data-chain="l1"'))
    expect(l1).toContain('<g class="game" data-game="0"><title>game 0 for block 12 (wrong root) created</title>')
    expect(l1).toContain('<g class="game challenger_wins" data-game="0" data-status="CHALLENGER_WINS"><title>game 0 for block 12 (wrong root): CHALLENGER_WINS</title>')
    expect(html).toContain('<tr data-game="0"><td>0</td><td>12</td><td>wrong root</td><td>2</td><td>1s</td><td>CHALLENGER_WINS at 9s</td></tr>')
  })

  test('behavior: a long run lists its fault windows and zooms to each violation', () => {
    const { history, result } = syntheticRun()
    const html = renderHtmlTimeline(history, result)
    const windows = /<table class="fault-windows">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? ''
    expect(windows).toContain('<tr data-fault="partition"><td>partition</td><td>replica-0, sequencer</td><td>5s</td><td>15s</td><td>10s</td></tr>')
    expect(windows).toContain('<tr data-fault="l1Reorg"><td>l1Reorg</td><td>l1</td><td>20s</td><td>25s</td><td>5s</td></tr>')
    expect(html).toContain('<a href="#violation-0">zoom</a>')
    const zoom = /<section class="zoom" id="violation-0" data-violation="0">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? ''
    expect(zoom).toContain('<h3>12s safeMovesBackOnlyOnL1Reorg on replica-0</h3>')
    expect(zoom).toContain('replica-0 — L2 heads, 0s to 27s')
    expect(zoom).not.toContain('data-node="sequencer"')
    // Only the samples of the zoomed range are drawn: the run's last ones (30 s) are not.
    const points = /data-series="safe"[^>]*points="([^"]*)"/.exec(zoom)?.[1].split(' ') ?? []
    const full = /data-series="safe"[^>]*points="([^"]*)"/.exec(html)?.[1].split(' ') ?? []
    expect(points.length).toBeGreaterThan(10)
    expect(points.length).toBeLessThan(full.length)
  })

  test('behavior: a host stall shows as a window on every service', () => {
    const { history, result } = syntheticRun()
    history.stalls = [{ from: 26_000, to: 28_500, wallMs: 2500 }]
    const html = renderHtmlTimeline(history, result)
    expect(html).toContain('<tr data-fault="hostStall"><td>hostStall</td><td>every service</td><td>26s</td><td>28.5s</td><td>2.5s</td></tr>')
    expect(html).toMatch(/<g class="fault-window" data-fault="hostStall"/)
  })
})

requires('chromium', Boolean(chromium), 'apt-get install -y chromium')('renderHtmlTimeline in headless Chromium', () => {
  test('behavior: headless Chromium renders each node chart with its lines, fault windows and violation markers', async () => {
    const { history, result } = syntheticRun()
    const dir = await mkdtemp(join(tmpdir(), 'timeline-'))
    try {
      const file = join(dir, 'timeline.html')
      await writeHtmlTimeline(history, result, file)
      expect(await readFile(file, 'utf8')).toBe(renderHtmlTimeline(history, result))
      const dom = await dumpDom(file, join(dir, 'profile'))
      for (const node of history.nodes) {
        const svg = svgWith(dom, `data-node="${node}"`)
        expect(svg, `chart of ${node}`).toBeDefined()
        expect(svg!.match(/<polyline [^>]*class="series"/g)).toHaveLength(3)
        for (const series of ['unsafe', 'safe', 'finalized']) expect(svg).toContain(`data-series="${series}"`)
        expect(svg!.match(/<g class="fault-window"/g)).toHaveLength(2)
        expect(svg).toContain('<title>partition on replica-0, sequencer: 5s to 15s</title>')
        expect(svg).toContain('<title>l1Reorg on l1: 20s to 25s</title>')
        expect(svg!.match(/<g class="failed-step"/g)).toHaveLength(1)
      }
      // The violation is about replica-0: marked on its chart only.
      const marker = /<g class="violation" data-invariant="safeMovesBackOnlyOnL1Reorg" data-violation-node="replica-0"><title>([^<]*)<\/title><circle/
      expect(svgWith(dom, 'data-node="replica-0"')).toMatch(marker)
      expect(svgWith(dom, 'data-node="sequencer"')).not.toContain('class="violation"')
      expect(svgWith(dom, 'data-node="replica-0"')!.match(marker)![1]).toBe(
        'safeMovesBackOnlyOnL1Reorg at 12s: replica-0: safe head moved back from 27 to 26 with no L1 reorg in the 15000ms before &lt;&amp;&gt;',
      )
      expect(svgWith(dom, 'data-chain="l1"')).toBeDefined()
      expect(dom).toMatch(/<table class="summary">[\s\S]*replica-partition[\s\S]*FAIL/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
