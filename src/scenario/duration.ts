/** Durations in scenario files: `500ms`, `30s`, `1.5s`, `2m`, `1h`. */

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/

/**
 * Milliseconds of a duration string, or `undefined` if it is not one (or is zero).
 * @example
 * parseDuration('1.5s') // 1500
 */
export function parseDuration(text: string): number | undefined {
  const match = PATTERN.exec(text.trim())
  if (!match) return undefined
  const ms = Math.round(Number(match[1]) * UNITS[match[2] as keyof typeof UNITS])
  return ms > 0 ? ms : undefined
}

/**
 * The shortest duration string for `ms`.
 * @example
 * formatDuration(90_000) // '90s'
 */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0 && ms < 3_600_000) return `${ms / 60_000}m`
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`
}
