/**
 * The lite image a start uses: built when the current tree's tag is missing (`image.ts` makes tags and
 * builds), and the older builds' images removed after a build.
 */
import type Docker from 'dockerode'
import { dockerClient, engineMessage, statusOf } from './engine.js'
import { buildBaseImage, buildLiteImage, imageDefaults, imageExists, liteImageTag, localBaseCurrent, resolveBaseImage, type BuildOptions, type BuiltImage } from './image.js'

/** Older lite images a build leaves besides its own (another checkout may be starting a devnet from one). */
export const LITE_IMAGES_KEPT = 2

/**
 * The lite image for the current tree, built only when missing (its tag changes with any input). Builds
 * `op-devnet-base:local` first when that is the base and it is missing or older than the script. After a
 * build it removes older lite images but the {@link LITE_IMAGES_KEPT} newest (`pruneLiteImages`).
 * @example
 * const { tag } = await ensureLiteImage({ repoRoot, baseImage: 'op-devnet-base:local' })
 */
export async function ensureLiteImage(options: BuildOptions): Promise<BuiltImage> {
  const started = Date.now()
  const docker = options.docker ?? dockerClient()
  const base = await resolveBaseImage(options)
  if (base === imageDefaults.localBaseImage && !(await localBaseCurrent(base, docker))) {
    await buildBaseImage({ repoRoot: options.repoRoot, tag: base, onProgress: options.onProgress })
  }
  const tag = await liteImageTag(options.repoRoot, { baseImage: base, docker })
  if (await imageExists(tag, docker)) return { tag, built: false, durationMs: Date.now() - started }
  const built = await buildLiteImage({ ...options, baseImage: base, docker })
  await pruneAfterBuild(tag, docker, options.onProgress)
  return { ...built, durationMs: Date.now() - started }
}

/**
 * After a build, older builds' images go (best effort: two stay for other checkouts). The build stands
 * whatever happens here; a prune that fails says why in one progress line.
 */
export async function pruneAfterBuild(tag: string, docker: Docker, onProgress?: (line: string) => void): Promise<void> {
  try {
    const removed = await pruneLiteImages({ keep: tag, keepNewest: LITE_IMAGES_KEPT, docker })
    if (removed.length) onProgress?.(`removed ${removed.length} older ${imageDefaults.repository} image(s)`)
  } catch (error) {
    onProgress?.(`could not remove older ${imageDefaults.repository} images ('docker rmi' removes them by hand): ${engineMessage(error)}`)
  }
}

/**
 * Removes `op-devnet-lite` images other than `keep` and the `keepNewest` newest others (each tree state gets
 * its own tag, so they pile up: 44 images and 4.3 GB on a machine after a day of builds). The newest
 * others stay for another checkout or build that may be starting a devnet from its own; images that
 * containers still use are left alone. `ensureLiteImage` calls it after each build.
 * @returns The removed tags.
 * @example
 * await pruneLiteImages({ keep: (await ensureLiteImage({ repoRoot })).tag })
 */
export async function pruneLiteImages(options: { keep?: string; keepNewest?: number; repository?: string; docker?: Docker } = {}): Promise<string[]> {
  const docker = options.docker ?? dockerClient()
  const repository = options.repository ?? imageDefaults.repository
  const removed: string[] = []
  const images = (await docker.listImages({ filters: { reference: [`${repository}:*`] } }))
    .filter((info) => !(info.RepoTags ?? []).includes(options.keep ?? ''))
    .sort((a, b) => b.Created - a.Created)
  for (const info of images.slice(options.keepNewest ?? 0)) {
    for (const tag of info.RepoTags ?? []) {
      if (!tag.startsWith(`${repository}:`)) continue
      try {
        await docker.getImage(tag).remove()
        removed.push(tag)
      } catch (error) {
        if (statusOf(error) !== 409 && statusOf(error) !== 404) throw error // 409: in use
      }
    }
  }
  return removed
}
