/** `devnet images build`: builds the registry-free base image (if missing) and the lite image, with progress. */
import { packageRoot } from '../../devnet/start.js'
import { assertDockerAvailable, ensureLiteImage } from '../../runtime/docker/index.js'

export async function imagesBuild(): Promise<void> {
  await assertDockerAvailable()
  const { tag, built, durationMs } = await ensureLiteImage({
    repoRoot: packageRoot(),
    onProgress: (line) => process.stdout.write(`  ${line.trimEnd()}\n`),
  })
  process.stdout.write(built ? `built ${tag} in ${(durationMs / 1000).toFixed(1)} s\n` : `${tag} is up to date (keyed by a hash of dist/, fixtures/, the lockfile, the Dockerfile and the base image)\n`)
}
