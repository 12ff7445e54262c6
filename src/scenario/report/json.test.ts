import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { syntheticRun } from './__fixtures__/run.js'
import { writeJsonReport } from './json.js'

test('default: writeJsonReport writes the result and every sample and event', async () => {
  const { history, result } = syntheticRun()
  const dir = await mkdtemp(join(tmpdir(), 'json-'))
  try {
    const file = join(dir, 'out', 'report.json')
    await writeJsonReport(history, result, file)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, result, history })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
