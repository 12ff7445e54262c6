import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test, vi } from 'vitest'
import { spawnAnvil } from './anvil.js'

// Stand-ins for the anvil binary: shell scripts that print what anvil prints, then what a dying one would.
const dir = mkdtempSync(join(tmpdir(), 'op-devnet-anvil-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
function fakeAnvil(name: string, body: string): string {
  const file = join(dir, name)
  writeFileSync(file, `#!/bin/sh\n${body}\n`)
  chmodSync(file, 0o755)
  return file
}

test('behavior: a started anvil keeps its last 40 stderr lines, the newest last', async () => {
  const bin = fakeAnvil('chatty', 'echo "Listening on 127.0.0.1:4321"\nsleep 0.2\ni=0; while [ $i -lt 50 ]; do echo "stderr $i" >&2; i=$((i+1)); done\nsleep 30')
  const anvil = await spawnAnvil(bin, [])
  try {
    expect(anvil.port).toBe(4321)
    expect(anvil.stderrTail()).toEqual([])
    await vi.waitUntil(() => anvil.stderrTail().at(-1) === 'stderr 49', { timeout: 5_000 })
    expect(anvil.stderrTail()).toEqual(Array.from({ length: 40 }, (_, i) => `stderr ${i + 10}`))
  } finally {
    anvil.child.kill('SIGKILL')
  }
})

test('behavior: the tail holds a panic written just before the process dies', async () => {
  const bin = fakeAnvil('panics', 'echo "Listening on 127.0.0.1:4322"\nsleep 0.2\necho "thread \'main\' panicked at src/eth/backend.rs:1:1" >&2\nkill -ABRT $$')
  const anvil = await spawnAnvil(bin, [])
  // 'close' (as the rollup node's engine watches it): stdio is drained by then.
  const [, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => anvil.child.once('close', (code, sig) => resolve([code, sig])))
  expect(signal).toBe('SIGABRT')
  expect(anvil.stderrTail()).toEqual(["thread 'main' panicked at src/eth/backend.rs:1:1"])
})

test('error: an anvil that exits before listening rejects with its output', async () => {
  const bin = fakeAnvil('fails', 'echo "starting" \necho "error: bad genesis" >&2\nexit 3')
  await expect(spawnAnvil(bin, [])).rejects.toThrow(/exited with code 3:[\s\S]*starting[\s\S]*error: bad genesis/)
})
