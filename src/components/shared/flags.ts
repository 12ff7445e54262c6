/**
 * Flag value parsers shared by the lite components' command lines (commander `argParser`s), in the forms
 * the official Go programs accept: Go durations (`1s`, `500ms`, `2m0s`), unsigned integers, booleans.
 */

/** Go's `time.ParseDuration` for the forms OP Stack flags use (`1s`, `500ms`, `2m0s`, `1h`); milliseconds. */
export function parseDuration(flag: string, v: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
  const parts = [...v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)]
  if (!parts.length || parts.map((p) => p[0]).join('') !== v) throw new Error(`${flag}: invalid duration "${v}" (expected e.g. 1s, 500ms, 2m0s)`)
  return parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]!]!, 0)
}

/** An `argParser` for an unsigned integer flag. */
export function uint(flag: string) {
  return (v: string) => {
    if (!/^\d+$/.test(v)) throw new Error(`${flag}: expected an unsigned integer, got "${v}"`)
    return Number(v)
  }
}

/** An `argParser` for a boolean flag given bare (`--flag`) or with a value (`--flag=false`). */
export function bool(flag: string) {
  return (v: string | undefined) => {
    if (v === undefined || v === '' || v === 'true') return true
    if (v === 'false') return false
    throw new Error(`${flag}: expected true or false, got "${v}"`)
  }
}
