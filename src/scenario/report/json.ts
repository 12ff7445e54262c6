import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { History } from '../../devnet/history.js'
import type { ScenarioResult } from '../types.js'

/** The JSON report: the result and the whole history (every sample and event). */
export interface JsonReport {
  version: 1
  result: ScenarioResult
  history: History
}

/**
 * Writes the JSON report of one scenario run (creates the directory).
 * @example
 * await writeJsonReport(history, result, 'reports/l1-reorg-shallow.json')
 */
export async function writeJsonReport(history: History, result: ScenarioResult, file: string): Promise<void> {
  const report: JsonReport = { version: 1, result, history }
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`)
}
