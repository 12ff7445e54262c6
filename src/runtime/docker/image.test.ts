import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Docker from 'dockerode'
import { expect, test } from 'vitest'
import { imageDefaults } from './image.js'
import { pruneAfterBuild } from './liteImage.js'

test('error: a prune after a build that cannot reach the engine says why in one progress line and leaves the build standing', async () => {
  // A real client whose socket is not there: the engine's list call fails as it does with the engine gone.
  const unreachable = new Docker({ socketPath: join(tmpdir(), `op-devnet-no-engine-${process.pid}.sock`) })
  const lines: string[] = []
  await expect(pruneAfterBuild(`${imageDefaults.repository}:current`, unreachable, (line) => lines.push(line))).resolves.toBeUndefined()
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(new RegExp(`^could not remove older ${imageDefaults.repository} images \\('docker rmi' removes them by hand\\): .*ENOENT`))
})
