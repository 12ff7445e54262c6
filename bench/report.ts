/** One benchmark figure, printed as a table row by `npm run bench`. */
export interface Figure {
  name: string
  value: number
  unit: string
  /** The target the issue sets, if any. */
  target?: string
  ok?: boolean
  runs?: number[]
  note?: string
}

export function printFigures(title: string, figures: Figure[]): void {
  console.log(`\n## ${title}\n`)
  console.log('| figure | value | target | ok | notes |')
  console.log('|---|---|---|---|---|')
  for (const f of figures) {
    const value = `${Number.isInteger(f.value) ? f.value : f.value.toFixed(2)} ${f.unit}`
    const runs = f.runs ? `runs: ${f.runs.map((r) => r.toFixed(2)).join(', ')}` : ''
    const notes = [runs, f.note].filter(Boolean).join('; ')
    console.log(`| ${f.name} | ${value} | ${f.target ?? ''} | ${f.ok === undefined ? '' : f.ok ? 'yes' : 'NO'} | ${notes} |`)
  }
}
