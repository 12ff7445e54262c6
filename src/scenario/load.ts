import { readFile } from 'node:fs/promises'
import { DevnetError } from '../errors.js'
import { readYaml, specError } from '../topology/reader.js'
import { readScenario } from './schema.js'
import type { Scenario } from './types.js'

/**
 * Parses and validates the text of a scenario file (a `topology` path is read relative to `file`).
 *
 * @param file Used in error messages (`<file>:<line> <path>: <message>`) and for the default name.
 * @throws {SpecError} listing every problem, one per line, sorted by line.
 * @example
 * const scenario = parseScenario('steps:\n  - wait: "replica-0.safe >= 3"\n', 'scenarios/smoke.yaml')
 */
export function parseScenario(text: string, file: string): Scenario {
  const { reader, root } = readYaml(text, file)
  const scenario = readScenario(reader, root, file)
  if (reader.issues.length) throw specError(file, reader.issues)
  return scenario
}

/**
 * Reads and parses a scenario file.
 *
 * @throws {DevnetError} `DEVNET_SPEC_NOT_FOUND` if the file does not exist.
 * @throws {SpecError} if it is invalid (see {@link parseScenario}).
 * @example
 * const scenario = await loadScenario('scenarios/l1-reorg-shallow.yaml')
 */
export async function loadScenario(file: string): Promise<Scenario> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
    throw new DevnetError(missing ? `scenario file not found: ${file}` : `cannot read scenario file ${file}: ${(error as Error).message}`, {
      code: missing ? 'DEVNET_SPEC_NOT_FOUND' : 'DEVNET_SPEC_INVALID',
      cause: error,
    })
  }
  return parseScenario(text, file)
}
