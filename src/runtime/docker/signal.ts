/**
 * A signal to one process inside a container, by its pid in the container's pid namespace (e.g. the
 * etcd member a conductor spawned, which `etcdPartition` freezes). The lite image has no shell and no
 * `kill`: a `docker exec` of its node sends the signal.
 */
import type Docker from 'dockerode'
import { DevnetError } from '../../errors.js'
import { engineMessage } from './engine.js'

/** Exit code of the exec when no such process exists (not an error: it is gone). */
const gone = 3

/**
 * Sends `signal` to process `pid` of `container` (as root, so any process of it).
 * @returns `false` when no such process exists.
 * @throws DevnetError `DEVNET_SERVICE_FAILED` when the exec fails.
 * @example
 * await signalInContainer(container, 18, 'SIGSTOP')
 */
export async function signalInContainer(container: Docker.Container, pid: number, signal: NodeJS.Signals): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) throw new DevnetError(`invalid pid ${pid}`, { code: 'DEVNET_INTERNAL' })
  const script = `try { process.kill(${pid}, ${JSON.stringify(signal)}) } catch (e) { if (e.code === 'ESRCH') process.exit(${gone}); console.error(e.message); process.exit(1) }`
  let output = ''
  try {
    const exec = await container.exec({ Cmd: ['node', '-e', script], User: '0:0', AttachStdout: true, AttachStderr: true })
    const stream = await exec.start({})
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
      stream.once('end', resolve)
      stream.once('close', resolve)
      stream.once('error', reject)
    })
    const { ExitCode } = (await exec.inspect()) as { ExitCode: number | null }
    if (ExitCode === gone) return false
    if (ExitCode !== 0) throw new Error(`exit code ${ExitCode}: ${output.replace(/[\x00-\x08]/g, '').trim()}`)
    return true
  } catch (error) {
    throw new DevnetError(`cannot send ${signal} to pid ${pid} in container ${container.id.slice(0, 12)}: ${engineMessage(error)}`, { code: 'DEVNET_SERVICE_FAILED', cause: error })
  }
}
