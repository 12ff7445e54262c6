/** Starting an anvil on a free loopback port (the rollup node's engine, throwaway anvils before a devnet starts). */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

/**
 * Spawns `anvilBin` with `args` plus `--host 127.0.0.1 --port 0` and resolves once it listens, with
 * its port. Rejects with anvil's output if it exits first or does not listen within `timeoutMs`.
 * @example
 * const { child, port } = await spawnAnvil(bin, ['--init', 'genesis.json'])
 */
/** How many of anvil's last stderr lines a started anvil keeps for {@link SpawnedAnvil.stderrTail}. */
const STDERR_TAIL_LINES = 40

/** A started anvil. */
export interface SpawnedAnvil {
  child: ChildProcess
  port: number
  /** Its last lines on stderr since the start (at most 40): a panic's message when it dies. */
  stderrTail(): string[]
}

export async function spawnAnvil(anvilBin: string, args: string[], timeoutMs = 15_000): Promise<SpawnedAnvil> {
  const child = spawn(anvilBin, [...args, '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = [] // its output until it listens, for a failed start
  const errTail: string[] = []
  let starting = true
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout! })
      const timer = setTimeout(() => reject(new Error(`anvil did not start within ${timeoutMs / 1000} s:\n${lines.join('\n')}`)), timeoutMs)
      rl.on('line', (line) => {
        lines.push(line)
        const m = /Listening on [\d.]+:(\d+)/.exec(line)
        if (m) {
          clearTimeout(timer)
          rl.close()
          resolve(Number(m[1]))
        }
      })
      child.stderr!.on('data', (d: Buffer) => {
        if (starting) lines.push(d.toString())
        errTail.push(...d.toString().split('\n').filter(Boolean))
        if (errTail.length > STDERR_TAIL_LINES) errTail.splice(0, errTail.length - STDERR_TAIL_LINES)
      })
      child.once('error', reject)
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`anvil exited with code ${code}:\n${lines.join('\n')}`))
      })
    })
    starting = false
    child.stdout!.resume()
    return { child, port, stderrTail: () => [...errTail] }
  } catch (err) {
    if (child.exitCode === null) child.kill('SIGKILL')
    throw err
  }
}
