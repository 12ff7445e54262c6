import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

/** Local modules a source file imports or re-exports (`import … from './x.js'`, `export … from './x.js'`, type-only included). */
function localImports(source: string): string[] {
  const out = new Set<string>()
  for (const m of source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]\.\/([^'"]+)\.js['"]/gms)) out.add(m[1])
  for (const m of source.matchAll(/^\s*import\s+['"]\.\/([^'"]+)\.js['"]/gm)) out.add(m[1])
  return [...out]
}

/** Every import cycle of a module graph, each as the path of module names that closes it (first = last). */
function importCycles(sources: Map<string, string>): string[][] {
  const graph = new Map([...sources].map(([name, src]) => [name, localImports(src).filter((d) => sources.has(d))]))
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

const here = dirname(fileURLToPath(import.meta.url))

describe('protocol import graph', () => {
  test('default: src/protocol has no import cycles (re-exports and type imports included)', () => {
    const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    const sources = new Map(files.map((f) => [f.slice(0, -3), readFileSync(join(here, f), 'utf8')]))
    expect(sources.size).toBeGreaterThan(20)
    expect(importCycles(sources)).toEqual([])
  })

  test('behavior: a fabricated cycle through a re-export and a type import is reported', () => {
    const sources = new Map([
      ['a', "import { x } from './b.js'\nexport { y } from './c.js'\n"],
      ['b', "import type { T } from './a.js'\n"],
      ['c', "export {\n  z,\n  type W,\n} from './a.js'\n"],
      ['d', "import { q } from './e.js'\nimport 'node:fs'\n"],
      ['e', 'export const q = 1\n'],
    ])
    expect(importCycles(sources)).toEqual([
      ['a', 'b', 'a'],
      ['a', 'c', 'a'],
    ])
  })

  test('behavior: a self-import and a side-effect import close cycles', () => {
    expect(importCycles(new Map([['a', "import './a.js'\n"]]))).toEqual([['a', 'a']])
    expect(importCycles(new Map([['a', "import './b.js'\n"], ['b', "import { a } from './a.js'\n"]]))).toEqual([['a', 'b', 'a']])
  })
})
