/**
 * `devnet fault` / `devnet heal` on a devnet started with `devnet up --detach` (process runtime): an L1
 * reorg moves the replica's safe head back and `devnet status` lists the fault; a bad argument gets the
 * scenario-style `path: expected …` error and a non-zero exit.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { defaultLiteEntrypoint, stopFromDescriptor, type DevnetDescriptor } from '../src/devnet/index.js'
import { runCli, syncStatus, testSpeed, waitFor } from './helpers.js'
import { requires } from './requires.js'

const cwd = mkdtempSync(join(tmpdir(), 'op-devnet-faults-cli-'))
afterAll(async () => {
  // Without the CLI, so a broken CLI cannot leak a detached devnet.
  await stopFromDescriptor(join(cwd, '.devnet', 'devnet')).catch(() => {})
  rmSync(cwd, { recursive: true, force: true })
})

const devnet = (...args: string[]) => runCli(cwd, args)

requires('dist/ (the built lite components)', existsSync(defaultLiteEntrypoint()), 'npm run build')('devnet fault on a detached devnet (process)', () => {
  test('behavior: l1Reorg --depth 3 moves the replica safe head back; status lists it; a bad argument fails like a scenario step', async () => {
    const up = await devnet('up', '--detach', '--ports', 'auto', '--runtime', 'process', '--speed', String(testSpeed))
    expect(up.code, up.stderr).toBe(0)
    const status = async () => JSON.parse((await devnet('status', '--json')).stdout) as DevnetDescriptor
    const rollup = (await status()).services.find((s) => s.name === 'replica-0')!.endpoints.rollup
    await waitFor('replica-0 safe >= 6', async () => (await syncStatus(rollup)).safe_l2.number >= 6, 90_000, 500)

    const bad = await devnet('fault', 'l1Reorg', '--depth', 'x')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe('error: args.depth: expected an integer >= 1, found "x"\n')
    const unknown = await devnet('fault', 'crash', '--service', 'replica-7')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('args.service: unknown service "replica-7"; expected one of: sequencer, replica-0, l1, batcher, proposer, challenger, proxyd, bootnode')

    // A reorg whose dropped L1 blocks hold no batch leaves the safe head alone: try up to three times.
    let movedBack = false
    for (let attempt = 0; attempt < 3 && !movedBack; attempt++) {
      const before = (await syncStatus(rollup)).safe_l2.number
      // Watch from before the command starts (the CLI takes a while to start on a loaded machine) until 10 s after it returns.
      let deadline = Infinity
      const reorg = devnet('fault', 'l1Reorg', '--depth', '3').finally(() => (deadline = Date.now() + 10_000))
      let highest = before
      while (!movedBack && Date.now() < deadline) {
        const safe = (await syncStatus(rollup)).safe_l2.number
        movedBack = safe < highest
        highest = Math.max(highest, safe)
        await new Promise((r) => setTimeout(r, 100))
      }
      const done = await reorg
      expect(done.code, done.stderr).toBe(0)
    }
    expect(movedBack).toBe(true)

    const text = await devnet('status')
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/Faults\n.*\n\s+l1Reorg\s+l1\s+depth=3 reinclude=false allowFinalized=false/)
    const faults = (await status()).faults!
    expect(faults[0]).toMatchObject({ name: 'l1Reorg', targets: ['l1'], args: { depth: 3 }, lasts: 'instant' })

    // A window stays listed as active until its recovery closes it.
    expect((await devnet('fault', 'batcherOutage')).code).toBe(0)
    expect((await status()).faults!.at(-1)).toMatchObject({ name: 'batcherOutage', targets: ['batcher'] })
    expect((await status()).faults!.at(-1)!.ended).toBeUndefined()
    expect((await devnet('heal')).code).toBe(0)
    expect((await status()).faults!.at(-1)!.ended).toMatchObject({ by: 'heal' })

    expect((await devnet('down')).code).toBe(0)
  }, 240_000)
})
