/** Locates the anvil binary shipped by `@foundry-rs/anvil` for this platform. */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { DevnetError } from '../../errors.js'

const require = createRequire(import.meta.url)
const arches: Record<string, string> = { x64: 'amd64', arm64: 'arm64' }

let cached: string | undefined

/**
 * Absolute path of the anvil binary: `@foundry-rs/anvil-<platform>-<arch>/bin/anvil`, or the copy that
 * `@foundry-rs/anvil`'s postinstall downloads when the platform package is missing.
 * @throws DevnetError (`DEVNET_RUNTIME_UNAVAILABLE`) naming the package to install.
 */
export function anvilBinary(): string {
  if (cached) return cached
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil'
  const pkg = `@foundry-rs/anvil-${process.platform}-${arches[process.arch] ?? process.arch}`
  const candidates: string[] = []
  for (const [name, relative] of [[pkg, join('bin', exe)], ['@foundry-rs/anvil', exe]] as const) {
    try {
      candidates.push(join(dirname(require.resolve(`${name}/package.json`)), relative))
    } catch {
      // not installed; try the next one
    }
  }
  const found = candidates.find((path) => existsSync(path))
  if (!found) {
    throw new DevnetError(`anvil binary not found for ${process.platform}-${process.arch}`, {
      code: 'DEVNET_RUNTIME_UNAVAILABLE',
      details: `install ${pkg} (an optional dependency of @foundry-rs/anvil); looked at: ${candidates.join(', ') || 'nothing resolvable'}`,
    })
  }
  return (cached = found)
}
