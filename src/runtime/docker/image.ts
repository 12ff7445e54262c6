/**
 * The lite image (`docker/Dockerfile`): node, anvil and the built project, tagged by a hash of what goes
 * into it (`op-devnet-lite:<hash12>`), so a stale image is never reused and an unchanged one never rebuilt.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { accessSync, constants, existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs'
import { delimiter, join, sep } from 'node:path'
import type Docker from 'dockerode'
import { DevnetError } from '../../errors.js'
import { dockerClient, engineMessage, statusOf } from './engine.js'
import { filesUnder, tarBuffer, tarStream, type TarEntry } from './tar.js'

/** Every image default, in one place. */
export const imageDefaults = {
  /** @default 'op-devnet-lite' */
  repository: 'op-devnet-lite',
  /** Base of the Dockerfile (`ARG BASE_IMAGE`) for users with a registry. @default 'node:20-bookworm-slim' */
  registryBaseImage: 'node:20-bookworm-slim',
  /** The registry-free base that `scripts/docker-base.sh` builds. @default 'op-devnet-base:local' */
  localBaseImage: 'op-devnet-base:local',
  /** @default 'docker/Dockerfile' */
  dockerfile: 'docker/Dockerfile',
  /** @default 'scripts/docker-base.sh' */
  baseScript: 'scripts/docker-base.sh',
  /** The `op-devnet.base-version` label `baseScript` sets (its `version=`); an older local base is rebuilt (3: the `op-devnet.base-lacks` label). @default 3 */
  baseVersion: 3,
  /** Hex digits of the content hash in the tag. @default 12 */
  hashLength: 12,
}

/** Bump when what goes into the context changes without a file changing (the tag must change too). */
const contextVersion = 3

/** Files and directories of the build context besides production `node_modules`. */
const contextEntries = [imageDefaults.dockerfile, '.dockerignore', 'package.json', 'package-lock.json', 'dist', 'fixtures']

export interface ImageOptions {
  /** The repository root (holds `docker/`, `dist/`, `package-lock.json`). */
  repoRoot: string
  /**
   * Base image (`--build-arg BASE_IMAGE`).
   * @default $DEVNET_BASE_IMAGE, else `op-devnet-base:local` on Linux, else `node:20-bookworm-slim`
   */
  baseImage?: string
  docker?: Docker
}

export interface BuildOptions extends ImageOptions {
  /** Build output, one line at a time (`Step 3/9 : COPY ...`). */
  onProgress?: (line: string) => void
}

export interface BuiltImage {
  tag: string
  /** Whether this call built it (`false`: it existed). */
  built: boolean
  durationMs: number
}

/**
 * Resolves the base image: the explicit one, else `$DEVNET_BASE_IMAGE`, else on Linux the registry-free
 * `op-devnet-base:local` (built from this host's binaries by `ensureLiteImage` if missing), elsewhere
 * `node:20-bookworm-slim` (a macOS node binary cannot go into a Linux image).
 */
export async function resolveBaseImage(options: { baseImage?: string } = {}): Promise<string> {
  if (options.baseImage) return options.baseImage
  if (process.env.DEVNET_BASE_IMAGE) return process.env.DEVNET_BASE_IMAGE
  return process.platform === 'linux' ? imageDefaults.localBaseImage : imageDefaults.registryBaseImage
}

/**
 * Whether an image with this tag (or id) exists on the engine.
 * @example
 * if (!(await imageExists('op-devnet-base:local'))) ...
 */
export async function imageExists(tag: string, docker: Docker = dockerClient()): Promise<boolean> {
  return (await imageId(tag, docker)) !== undefined
}

async function imageId(tag: string, docker: Docker): Promise<string | undefined> {
  return (await inspectImage(tag, docker))?.Id
}

async function inspectImage(tag: string, docker: Docker): Promise<{ Id: string; Config?: { Labels?: Record<string, string> | null } } | undefined> {
  try {
    return (await docker.getImage(tag).inspect()) as { Id: string; Config?: { Labels?: Record<string, string> | null } }
  } catch (error) {
    if (statusOf(error) === 404) return undefined
    throw error
  }
}

/**
 * Whether the local base image exists, was built by the current `scripts/docker-base.sh` (its
 * `op-devnet.base-version` label is at least `imageDefaults.baseVersion`: a base from an older script
 * lacks tools the services now need, etcd and setpriv since version 2), and misses no tool this host has
 * gained since (its `op-devnet.base-lacks` label: a base built before `apt-get install etcd-server` has
 * no etcd, and its conductors would never start).
 */
export async function localBaseCurrent(tag: string, docker: Docker = dockerClient()): Promise<boolean> {
  const labels = (await inspectImage(tag, docker))?.Config?.Labels
  if (!labels || Number(labels['op-devnet.base-version'] ?? 0) < imageDefaults.baseVersion) return false
  const lacks = (labels['op-devnet.base-lacks'] ?? '').split(/\s+/).filter(Boolean)
  return !lacks.some(onHostPath)
}

/** Whether `tool` is an executable on this host's PATH or in /usr/sbin, /sbin (where the base script looks). */
function onHostPath(tool: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'].filter(Boolean)
  return dirs.some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/**
 * The tag of the lite image for the current tree: `op-devnet-lite:<hash12>`, the hash covering the
 * Dockerfile, `.dockerignore`, `package.json`, `package-lock.json` (and so the production `node_modules`),
 * every file of `dist/` and `fixtures/`, and the base image's id (its name if it is not present yet).
 * @example
 * const tag = await liteImageTag(repoRoot) // 'op-devnet-lite:3f2a9c0d1e4b'
 */
export async function liteImageTag(repoRoot: string, options: Omit<ImageOptions, 'repoRoot'> = {}): Promise<string> {
  const docker = options.docker ?? dockerClient()
  const base = await resolveBaseImage(options)
  const hash = createHash('sha256').update(`op-devnet-lite/${contextVersion}\n`)
  hash.update(`base ${(await imageId(base, docker)) ?? base}\n`)
  for (const file of contextFiles(repoRoot)) {
    hash.update(`${file}\0`).update(readFileSync(join(repoRoot, file))).update('\0')
  }
  return `${imageDefaults.repository}:${hash.digest('hex').slice(0, imageDefaults.hashLength)}`
}

/** Context files that the hash covers, sorted, with `/` separators. */
function contextFiles(repoRoot: string): string[] {
  return walkFiles(repoRoot, contextEntries).sort()
}

/** Every file (and symlink) under `entries` (files or directories), relative to `root`, `/`-separated; `skip` prunes a subtree. */
function walkFiles(root: string, entries: string[], skip?: string): string[] {
  const files: string[] = []
  const walk = (path: string) => {
    if (skip && path.startsWith(skip)) return
    let stat
    try {
      stat = lstatSync(join(root, path))
    } catch {
      return
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(join(root, path))) walk(`${path}/${entry}`)
    } else {
      files.push(path)
    }
  }
  for (const entry of entries) walk(entry.split(sep).join('/'))
  return files
}

/** Root dependencies only the orchestrator uses (never a lite service): left out of the image with their closure. */
const hostOnlyDependencies = ['dockerode', 'testcontainers']

/** Files in `node_modules` that no service loads at run time (sources, types, source maps, docs). */
const prunedModuleFile = /(\.map|\.[cm]?ts|\.md|\.markdown)$|\/\.bin\//i

interface LockEntry {
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

/**
 * The package directories the lite services need: the closure of `package.json`'s `dependencies` (minus
 * orchestrator-only ones) through `dependencies`, `optionalDependencies` and required peers, resolved
 * the way Node does (nearest `node_modules` upwards), as recorded in `package-lock.json`; only those
 * present on disk (optional platform packages may not be).
 * @example
 * productionModules(repoRoot) // ['node_modules/@chainsafe/libp2p-noise', ..., 'node_modules/viem', ...]
 */
export function productionModules(repoRoot: string): string[] {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages?: Record<string, LockEntry> }
  const packages = lock.packages ?? {}
  const locate = (from: string, name: string): string | undefined => {
    let dir = from
    for (;;) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`
      if (packages[candidate]) return candidate
      if (!dir) return undefined
      const parent = dir.lastIndexOf('/node_modules/')
      dir = parent < 0 ? '' : dir.slice(0, parent)
    }
  }
  const needed = new Set<string>()
  const visit = (path: string, names: string[]) => {
    for (const name of names) {
      const found = locate(path, name)
      if (!found || needed.has(found) || !existsSync(join(repoRoot, found))) continue
      needed.add(found)
      const entry = packages[found] ?? {}
      const required = Object.keys(entry.peerDependencies ?? {}).filter((peer) => !entry.peerDependenciesMeta?.[peer]?.optional)
      visit(found, [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...required])
    }
  }
  const root = packages[''] ?? {}
  visit('', [...Object.keys(root.dependencies ?? {}), ...Object.keys(root.optionalDependencies ?? {})].filter((name) => !hostOnlyDependencies.includes(name)))
  return [...needed].sort()
}

/** The line of `docker/Dockerfile` that `buildLiteImage` turns into `ADD node_modules.tar ./`. */
const copyModulesLine = /^COPY node_modules \.\/node_modules$/m

/**
 * The build context: the Dockerfile, `package*.json`, `dist/`, `fixtures/` and the needed packages'
 * files (minus nested packages and pruned files). The packages travel as one nested `node_modules.tar`
 * that the Dockerfile `ADD`s: the engine unpacks a context of thousands of small files slowly (~6 s
 * here) on every build, while one archive is checksummed quickly and its layer is reused from the cache
 * as long as the packages do not change.
 */
async function buildContext(repoRoot: string): Promise<TarEntry[]> {
  const moduleFiles: string[] = []
  for (const dir of productionModules(repoRoot)) {
    for (const file of walkFiles(repoRoot, [dir], `${dir}/node_modules/`)) {
      if (!prunedModuleFile.test(file)) moduleFiles.push(file)
    }
  }
  const dockerfile = readFileSync(join(repoRoot, imageDefaults.dockerfile), 'utf8')
  const others = walkFiles(repoRoot, contextEntries).filter((file) => file !== imageDefaults.dockerfile)
  if (!copyModulesLine.test(dockerfile)) {
    return [{ path: imageDefaults.dockerfile, content: Buffer.from(dockerfile) }, ...filesUnder(repoRoot, [...others, ...moduleFiles])]
  }
  return [
    { path: imageDefaults.dockerfile, content: Buffer.from(dockerfile.replace(copyModulesLine, 'ADD node_modules.tar ./')) },
    { path: 'node_modules.tar', content: await tarBuffer(filesUnder(repoRoot, moduleFiles)) },
    ...filesUnder(repoRoot, others),
  ]
}

/**
 * Builds the lite image from `docker/Dockerfile` with the engine's (legacy) builder, sending a context of
 * the Dockerfile, `package*.json`, `dist/`, `fixtures/` and the packages the services need (see
 * `productionModules`), as an uncompressed tar.
 * @throws DevnetError `DEVNET_RUNTIME_UNAVAILABLE` when `dist/` is not built or the base image is missing.
 * @example
 * const { tag } = await buildLiteImage({ repoRoot, baseImage: 'op-devnet-base:local', onProgress: console.log })
 */
export async function buildLiteImage(options: BuildOptions): Promise<BuiltImage> {
  const started = Date.now()
  const { repoRoot, onProgress } = options
  const docker = options.docker ?? dockerClient()
  if (!existsSync(join(repoRoot, 'dist', 'components', 'main.js'))) {
    throw new DevnetError(`the lite components are not built: ${join(repoRoot, 'dist/components/main.js')} does not exist`, {
      code: 'DEVNET_RUNTIME_UNAVAILABLE',
      details: 'run `npm run build` first',
    })
  }
  const base = await resolveBaseImage(options)
  if (base === imageDefaults.localBaseImage && !(await imageExists(base, docker))) {
    throw new DevnetError(`base image ${base} does not exist`, {
      code: 'DEVNET_RUNTIME_UNAVAILABLE',
      details: `run ${imageDefaults.baseScript} (or use ensureLiteImage, which does)`,
    })
  }
  const tag = await liteImageTag(repoRoot, { baseImage: base, docker })
  const context = await buildContext(repoRoot)
  let stream: NodeJS.ReadableStream
  try {
    stream = await docker.buildImage(tarStream(context), {
      t: tag,
      dockerfile: imageDefaults.dockerfile,
      buildargs: { BASE_IMAGE: base },
      labels: { 'op-devnet.image': 'lite', 'op-devnet.base': base },
      rm: true,
      forcerm: true,
    })
  } catch (error) {
    throw new DevnetError(`building ${tag} failed: ${engineMessage(error)}`, { code: 'DEVNET_RUNTIME_UNAVAILABLE', cause: error })
  }
  const tail: string[] = []
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(error) : resolve()),
      (event: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string } }) => {
        const text = event.error ?? event.stream ?? event.status
        if (!text) return
        for (const line of text.split('\n')) {
          if (!line.trim()) continue
          tail.push(line)
          if (tail.length > 20) tail.shift()
          onProgress?.(line.trimEnd())
        }
        if (event.error) reject(new Error(event.errorDetail?.message ?? event.error))
      },
    )
  }).catch((error: unknown) => {
    throw new DevnetError(`building ${tag} failed: ${(error as Error).message}`, {
      code: 'DEVNET_RUNTIME_UNAVAILABLE',
      metaMessages: ['last build output:', ...tail.map((line) => `  ${line}`)],
      cause: error,
    })
  })
  if (!(await imageExists(tag, docker))) {
    throw new DevnetError(`building ${tag} finished without an image`, { code: 'DEVNET_RUNTIME_UNAVAILABLE', metaMessages: tail })
  }
  return { tag, built: true, durationMs: Date.now() - started }
}

/**
 * Builds `op-devnet-base:local` with `scripts/docker-base.sh` (a `FROM scratch` image of this host's node,
 * tc, nft and their libraries; no registry needed).
 * @example
 * await buildBaseImage({ repoRoot })
 */
export async function buildBaseImage(options: { repoRoot: string; tag?: string; onProgress?: (line: string) => void }): Promise<BuiltImage> {
  const started = Date.now()
  const tag = options.tag ?? imageDefaults.localBaseImage
  const script = join(options.repoRoot, imageDefaults.baseScript)
  const output = await new Promise<string>((resolve, reject) => {
    execFile('bash', [script, tag], { cwd: options.repoRoot, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const text = `${stdout}${stderr}`
      if (error) reject(new DevnetError(`${imageDefaults.baseScript} failed`, { code: 'DEVNET_RUNTIME_UNAVAILABLE', details: text.trim(), cause: error }))
      else resolve(text)
    })
  })
  for (const line of output.split('\n')) if (line.trim()) options.onProgress?.(line)
  return { tag, built: true, durationMs: Date.now() - started }
}
