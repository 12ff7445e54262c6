/**
 * The lite image (`docker/Dockerfile`): node, anvil and the built project, tagged by a hash of what goes
 * into it (`op-devnet-lite:<hash12>`), so a stale image is never reused and an unchanged one never rebuilt.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs'
import { join, sep } from 'node:path'
import type Docker from 'dockerode'
import { DevnetError } from '../../errors.js'
import { dockerClient, engineMessage, statusOf } from './engine.js'

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
  /** Hex digits of the content hash in the tag. @default 12 */
  hashLength: 12,
}

/** Files and directories of the build context besides production `node_modules`. */
const contextEntries = [imageDefaults.dockerfile, '.dockerignore', 'package.json', 'package-lock.json', 'dist', 'fixtures']

export interface ImageOptions {
  /** The repository root (holds `docker/`, `dist/`, `package-lock.json`). */
  repoRoot: string
  /**
   * Base image (`--build-arg BASE_IMAGE`).
   * @default $DEVNET_BASE_IMAGE, else `op-devnet-base:local` if it exists, else `node:20-bookworm-slim`
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
 * Resolves the base image: the explicit one, `$DEVNET_BASE_IMAGE`, the local base if it exists, or
 * `node:20-bookworm-slim`.
 */
export async function resolveBaseImage(options: { baseImage?: string; docker?: Docker } = {}): Promise<string> {
  if (options.baseImage) return options.baseImage
  if (process.env.DEVNET_BASE_IMAGE) return process.env.DEVNET_BASE_IMAGE
  return (await imageExists(imageDefaults.localBaseImage, options.docker)) ? imageDefaults.localBaseImage : imageDefaults.registryBaseImage
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
  try {
    return ((await docker.getImage(tag).inspect()) as { Id: string }).Id
  } catch (error) {
    if (statusOf(error) === 404) return undefined
    throw error
  }
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
  const base = await resolveBaseImage({ ...options, docker })
  const hash = createHash('sha256').update('op-devnet-lite/1\n')
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

/**
 * Every file (and symlink) under `entries`, relative to `root` with `/` separators. The build context
 * lists files one by one: dockerode applies `.dockerignore` to nested paths as absolute paths, which
 * would drop everything under a listed directory.
 */
function walkFiles(root: string, entries: string[]): string[] {
  const files: string[] = []
  const walk = (path: string) => {
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

/**
 * Top-level `node_modules/<pkg>` directories of production packages: the `package-lock.json` entries not
 * marked `dev` or `devOptional`, that exist on disk (optional platform packages may not). Nested
 * `node_modules` come along with their parent.
 */
export function productionModules(repoRoot: string): string[] {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { dev?: boolean; devOptional?: boolean; link?: boolean }>
  }
  const modules: string[] = []
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (!path.startsWith('node_modules/') || path.lastIndexOf('node_modules/') !== 0) continue
    if (entry.dev || entry.devOptional || entry.link) continue
    if (existsSync(join(repoRoot, path))) modules.push(path)
  }
  return modules.sort()
}

/**
 * Builds the lite image from `docker/Dockerfile` with the engine's (legacy) builder, sending a context of
 * the Dockerfile, `package*.json`, `dist/`, `fixtures/` and production `node_modules` only.
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
  const base = await resolveBaseImage({ ...options, docker })
  if (base === imageDefaults.localBaseImage && !(await imageExists(base, docker))) {
    throw new DevnetError(`base image ${base} does not exist`, {
      code: 'DEVNET_RUNTIME_UNAVAILABLE',
      details: `run ${imageDefaults.baseScript} (or use ensureLiteImage, which does)`,
    })
  }
  const tag = await liteImageTag(repoRoot, { baseImage: base, docker })
  const src = walkFiles(repoRoot, [...contextEntries, ...productionModules(repoRoot)]).filter((file) => !file.includes('/.bin/'))
  let stream: NodeJS.ReadableStream
  try {
    stream = await docker.buildImage({ context: repoRoot, src }, {
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

/**
 * The lite image for the current tree, built only when missing (its tag changes with any input). Builds
 * `op-devnet-base:local` first when that is the base and it is missing.
 * @example
 * const { tag } = await ensureLiteImage({ repoRoot, baseImage: 'op-devnet-base:local' })
 */
export async function ensureLiteImage(options: BuildOptions): Promise<BuiltImage> {
  const started = Date.now()
  const docker = options.docker ?? dockerClient()
  const base = await resolveBaseImage({ ...options, docker })
  if (base === imageDefaults.localBaseImage && !(await imageExists(base, docker))) {
    await buildBaseImage({ repoRoot: options.repoRoot, tag: base, onProgress: options.onProgress })
  }
  const tag = await liteImageTag(options.repoRoot, { baseImage: base, docker })
  if (await imageExists(tag, docker)) return { tag, built: false, durationMs: Date.now() - started }
  const built = await buildLiteImage({ ...options, baseImage: base, docker })
  return { ...built, durationMs: Date.now() - started }
}

