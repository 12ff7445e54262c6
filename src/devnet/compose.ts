/**
 * Writes a plan as a docker compose file plus the service files it bind-mounts (`devnet compose`):
 * `compose/devnet.yaml` gets its files under `compose/devnet/<service>/`. The file itself comes from
 * `runtime/docker/compose.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path'
import { DevnetError } from '../errors.js'
import { composeYaml } from '../runtime/docker/compose.js'
import { resolveLinks } from '../plan/links.js'
import type { DevnetPlan } from '../plan/types.js'

export interface WriteComposeOptions {
  /** The lite image tag. */
  image: string
  /** The compose file to write, e.g. `compose/devnet.yaml`. */
  outFile: string
  /** `uid:gid` the services run as. @default the image's user */
  user?: string
  /** A comment at the top of the file. */
  header?: string
}

export interface WrittenCompose {
  /** Absolute path of the compose file. */
  file: string
  /** Absolute directory of the service files (one subdirectory per service). */
  filesDir: string
  /** Number of service files written. */
  files: number
}

/**
 * Writes every service's `plan.files` under `<dir of outFile>/<outFile without extension>/<service>/`,
 * then the compose file that mounts them.
 * @example
 * writeCompose(plan, { image: tag, outFile: 'compose/devnet.yaml' }) // compose/devnet.yaml, compose/devnet/l1/l1-genesis.json, ...
 */
export function writeCompose(docker: DevnetPlan, options: WriteComposeOptions): WrittenCompose {
  // Compose services dial each other by name: every link resolves to its target.
  const plan = { ...docker, services: docker.services.map((service) => resolveLinks(service, (link) => link.target)) }
  const file = resolve(options.outFile)
  const stem = basename(file, extname(file))
  // `compose/devnet` (no extension) cannot also be the files directory
  const filesName = stem === basename(file) ? `${stem}-files` : stem
  const filesDir = join(dirname(file), filesName)
  let files = 0
  for (const service of plan.services) {
    const dir = join(filesDir, service.name)
    mkdirSync(dir, { recursive: true })
    for (const [path, content] of Object.entries(service.files)) {
      const target = resolve(dir, path)
      const inside = relative(dir, target)
      if (!inside || inside.startsWith('..') || isAbsolute(inside)) {
        throw new DevnetError(`service "${service.name}": file path "${path}" escapes the service directory`)
      }
      mkdirSync(dirname(target), { recursive: true })
      writeFileSync(target, content)
      files++
    }
  }
  writeFileSync(file, composeYaml(plan, { image: options.image, filesDir: `./${filesName}`, ...(options.user ? { user: options.user } : {}), ...(options.header ? { header: options.header } : {}) }))
  return { file, filesDir, files }
}
