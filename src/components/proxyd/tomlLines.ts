/**
 * Line numbers of keys in a TOML text, so config errors can name `file:line`. smol-toml returns plain
 * objects without positions; this scans table headers (`[a.b]`, `[[a]]`) and `key = value` lines.
 */

/** Splits a dotted TOML key (`a."b.c".d`) into its segments. */
export function splitKey(key: string): string[] {
  const out: string[] = []
  let cur = ''
  let quote: string | undefined
  for (const ch of key.trim()) {
    if (quote) {
      if (ch === quote) quote = undefined
      else cur += ch
    } else if (ch === '"' || ch === "'") quote = ch
    else if (ch === '.') {
      out.push(cur.trim())
      cur = ''
    } else cur += ch
  }
  out.push(cur.trim())
  return out
}

/** Index of `path.join('.')` -> 1-based line where that table or key is defined. */
export function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>()
  let table: string[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (!line || line.startsWith('#')) return
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line)
    if (header) {
      table = splitKey(header[1])
      for (let n = 1; n <= table.length; n++) if (!lines.has(table.slice(0, n).join('.'))) lines.set(table.slice(0, n).join('.'), i + 1)
      return
    }
    const kv = /^((?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-. ])+?)\s*=/.exec(line)
    if (kv) {
      const path = [...table, ...splitKey(kv[1])].join('.')
      if (!lines.has(path)) lines.set(path, i + 1)
    }
  })
  return lines
}

/** The line of `path`, or of its nearest ancestor that has one (keys inside inline tables). */
export function lineOf(lines: Map<string, number>, path: string[]): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const line = lines.get(path.slice(0, n).join('.'))
    if (line !== undefined) return line
  }
  return undefined
}
