import { expect, test } from 'vitest'
import { pauseContainer } from './engine.js'

/** An Engine API error as dockerode gives it. */
const engineError = (statusCode: number, message: string) => Object.assign(new Error(`(HTTP code ${statusCode}) ${message}`), { statusCode, json: { message } })
const unableToFreeze = () => engineError(500, 'Cannot pause container 8e6b: OCI runtime pause failed: unable to freeze: unknown')

test('behavior: a pause the engine could not freeze is tried again', async () => {
  let calls = 0
  await pauseContainer(async () => {
    if (++calls < 3) throw unableToFreeze()
  }, { backoffMs: 1 })
  expect(calls).toBe(3)
})

test('error: any other engine error is thrown at once', async () => {
  let calls = 0
  const notRunning = engineError(409, 'Container 8e6b is not running')
  await expect(pauseContainer(async () => {
    calls++
    throw notRunning
  }, { backoffMs: 1 })).rejects.toBe(notRunning)
  expect(calls).toBe(1)
  // A freezer that cannot work at all is not a busy cgroup: no second try either.
  const noFreezer = engineError(500, 'Cannot pause container 8e6b: OCI runtime pause failed: cannot toggle freezer: cgroups not configured for container: unknown')
  await expect(pauseContainer(async () => {
    calls++
    throw noFreezer
  }, { backoffMs: 1 })).rejects.toBe(noFreezer)
  expect(calls).toBe(2)
})

test('error: the last failure to freeze is thrown after the last try', async () => {
  let calls = 0
  await expect(pauseContainer(async () => {
    calls++
    throw unableToFreeze()
  }, { tries: 4, backoffMs: 1 })).rejects.toThrow(/unable to freeze/)
  expect(calls).toBe(4)
})
