/**
 * Structured-ish logging for the lite components: one line per event, `level msg key=value ...`,
 * like op-node's logfmt output, to stdout (the runtime captures it).
 */
export type Level = 'debug' | 'info' | 'warn' | 'error'

const order: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 }
const threshold = order[(process.env.DEVNET_LOG_LEVEL as Level) ?? 'info'] ?? 1

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

function fmt(v: unknown): string {
  if (typeof v === 'bigint') return v.toString()
  if (v instanceof Error) return JSON.stringify(v.message)
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v
  return JSON.stringify(v)
}

export function logger(component: string): Logger {
  const write = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < threshold) return
    const kv = fields ? Object.entries(fields).map(([k, v]) => ` ${k}=${fmt(v)}`).join('') : ''
    process.stdout.write(`t=${new Date().toISOString()} lvl=${level} svc=${component} msg=${JSON.stringify(msg)}${kv}\n`)
  }
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  }
}
