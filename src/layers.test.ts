/**
 * The house rules of docs/architecture.md, checked on the source: no import cycles anywhere in `src/`
 * (re-exports and type-only imports count), imports point down the layers only, and a component imports
 * only `protocol/` and `components/shared` (each lite service is its own program; `components/main.ts`,
 * `components/programs.ts` and `components/runProgram.ts` are the launcher that loads them).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { describe, expect, test } from 'vitest'

/** Layers from the top; a module may import its own layer or one below. Files at `src/` itself are outside the layers. */
const LAYERS = ['cli', 'chaos', 'scenario', 'faults', 'invariants', 'devnet', 'runtime', 'plan', 'topology', 'components', 'protocol']

/** The launcher of the lite programs, the one place that imports every component. */
const LAUNCHER = ['components/main', 'components/programs', 'components/runProgram']

/** Modules (paths under `src/` without `.ts`) a source file imports or re-exports, side-effect imports included. */
function localImports(file: string, source: string): string[] {
  const out = new Set<string>()
  const add = (spec: string) => out.add(normalize(join(dirname(file), spec)).replace(/\.js$/, ''))
  for (const m of source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/gms)) add(m[1])
  for (const m of source.matchAll(/^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm)) add(m[1])
  for (const m of source.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) add(m[1])
  return [...out]
}

function graphOf(sources: Map<string, string>): Map<string, string[]> {
  return new Map([...sources].map(([name, src]) => [name, localImports(name, src).filter((d) => sources.has(d))]))
}

/** Every import cycle, each as the path of modules that closes it (first = last). */
export function importCycles(sources: Map<string, string>): string[][] {
  const graph = graphOf(sources)
  const cycles: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (name: string) => {
    state.set(name, 'open')
    stack.push(name)
    for (const dep of graph.get(name) ?? []) {
      if (state.get(dep) === 'open') cycles.push([...stack.slice(stack.indexOf(dep)), dep])
      else if (!state.has(dep)) visit(dep)
    }
    stack.pop()
    state.set(name, 'done')
  }
  for (const name of [...graph.keys()].sort()) if (!state.has(name)) visit(name)
  return cycles
}

/** Imports that break the layering: `from -> to`, with the rule broken. */
export function layerViolations(sources: Map<string, string>): string[] {
  const out: string[] = []
  for (const [from, deps] of graphOf(sources)) {
    const a = LAYERS.indexOf(from.split('/')[0]!)
    for (const to of deps) {
      const b = LAYERS.indexOf(to.split('/')[0]!)
      if (a < 0) continue
      if (b < 0) {
        if (a >= LAYERS.indexOf('components')) out.push(`${from} -> ${to}: components and protocol import no top-level module`)
      } else if (b < a) out.push(`${from} -> ${to}: imports up the layers`)
      else if (LAYERS[a] === 'components' && LAYERS[b] === 'components' && !LAUNCHER.includes(from) && from.split('/')[1] !== to.split('/')[1] && to.split('/')[1] !== 'shared') {
        out.push(`${from} -> ${to}: a component imports another component (only protocol/ and components/shared)`)
      }
    }
  }
  return out
}

const src = import.meta.dirname
function sourceTree(): Map<string, string> {
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && !f.includes('__fixtures__'),
  )
  return new Map(files.map((f) => [relative(src, join(src, f)).slice(0, -3), readFileSync(join(src, f), 'utf8')]))
}

describe('the house', () => {
  test('default: src/ has no import cycles', () => {
    const sources = sourceTree()
    expect(sources.size).toBeGreaterThan(100)
    expect(importCycles(sources)).toEqual([])
  })

  test('default: imports point down the layers; components import only protocol/ and components/shared', () => {
    expect(layerViolations(sourceTree())).toEqual([])
  })

  test('behavior: a fabricated cycle through a re-export and a type import is reported', () => {
    const sources = new Map([
      ['protocol/a', "import { x } from './b.js'\nexport { y } from './c.js'\n"],
      ['protocol/b', "import type { T } from './a.js'\n"],
      ['protocol/c', "export {\n  z,\n  type W,\n} from './a.js'\n"],
      ['protocol/d', "import { q } from './e.js'\nimport 'node:fs'\n"],
      ['protocol/e', 'export const q = 1\n'],
    ])
    expect(importCycles(sources)).toEqual([
      ['protocol/a', 'protocol/b', 'protocol/a'],
      ['protocol/a', 'protocol/c', 'protocol/a'],
    ])
  })

  test('behavior: a self-import and a side-effect import close cycles', () => {
    expect(importCycles(new Map([['plan/a', "import './a.js'\n"]]))).toEqual([['plan/a', 'plan/a']])
    expect(importCycles(new Map([['plan/a', "import '../devnet/b.js'\n"], ['devnet/b', "import { a } from '../plan/a.js'\n"]]))).toEqual([['devnet/b', 'plan/a', 'devnet/b']])
  })

  test('error: an upward import, a component importing another, and a component importing a top-level module', () => {
    const sources = new Map([
      ['invariants/x', "import type { Step } from '../scenario/steps.js'\n"],
      ['scenario/steps', 'export type Step = 1\n'],
      ['components/batcher/b', "import { n } from '../rollup-node/node.js'\nimport { log } from '../shared/log.js'\n"],
      ['components/rollup-node/node', "import { DevnetError } from '../../errors.js'\nconst m = await import('../../protocol/p.js')\n"],
      ['components/shared/log', 'export const log = 1\n'],
      ['protocol/p', 'export const p = 1\n'],
      ['errors', 'export class DevnetError {}\n'],
    ])
    expect(layerViolations(sources)).toEqual([
      'invariants/x -> scenario/steps: imports up the layers',
      'components/batcher/b -> components/rollup-node/node: a component imports another component (only protocol/ and components/shared)',
      'components/rollup-node/node -> errors: components and protocol import no top-level module',
    ])
  })
})
