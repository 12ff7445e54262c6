import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseConfig, ProxydConfigError } from '../components/proxyd/config.js'
import { DevnetError, type SpecError } from '../errors.js'
import { checkTopology } from './check.js'
import { defaultTopology } from './defaults.js'
import { readYaml, specError } from './reader.js'
import { readTopology } from './resolve.js'
import type { Topology } from './types.js'

/**
 * Parses, defaults and validates the text of a `devnet.yaml`.
 *
 * @param file Name used in error messages (`<file>:<line> <path>: <message>`).
 * @throws {SpecError} listing every problem, one per line, in document order; `path`/`line` are the first's.
 */
export function parseTopology(text: string, file: string): Topology {
  const { reader: r, root } = readYaml(text, file)
  const topology = readTopology(r, root)
  // Cross-key checks only make sense once every key is valid on its own.
  if (!r.issues.length) checkTopology(r, topology)
  if (!r.issues.length && topology.proxyd.config) readProxydToml(r, topology.proxyd.config, file)
  if (r.issues.length) throw specError(file, r.issues)
  return topology
}

/**
 * Reads the user's proxyd TOML (`proxyd.config`, relative to the devnet.yaml) into `config.toml` and
 * validates it with proxyd's own parser (backend `$ENV` URLs are set by the devnet, so any value passes).
 */
function readProxydToml(r: ReturnType<typeof readYaml>['reader'], config: { file: string; toml: string }, file: string): void {
  const path = 'proxyd.config'
  config.file = resolve(dirname(file), config.file)
  try {
    config.toml = readFileSync(config.file, 'utf8')
    parseConfig(config.toml, config.file, new Proxy({}, { get: () => 'http://127.0.0.1:1' }))
  } catch (err) {
    const message = err instanceof ProxydConfigError ? err.message : `cannot read ${config.file}: ${(err as Error).message}`
    r.fail(path, r.lines.get(path), `invalid proxyd config: ${message}`)
  }
}

/**
 * Reads and parses a `devnet.yaml`; without `file`, returns the built-in default topology.
 *
 * @throws {DevnetError} `DEVNET_SPEC_NOT_FOUND` if the file does not exist.
 * @throws {SpecError} if it is invalid (see {@link parseTopology}).
 */
export async function loadTopology(file?: string): Promise<Topology> {
  if (file === undefined) return defaultTopology()
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DevnetError(`topology file not found: ${file}`, { code: 'DEVNET_SPEC_NOT_FOUND', cause: error })
    }
    throw new DevnetError(`cannot read topology file ${file}: ${(error as Error).message}`, {
      code: 'DEVNET_SPEC_INVALID',
      cause: error,
    })
  }
  return parseTopology(text, file)
}

