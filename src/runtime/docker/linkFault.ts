/**
 * Link faults (delay, jitter, loss) on a container's interfaces, set from a short-lived helper container
 * that joins the target's network namespace (`NetworkMode: container:<id>`, `CapAdd: NET_ADMIN`) and runs
 * `tc qdisc ... netem` there; the target's image needs no tools and no capability.
 *
 * Without the kernel's `sch_netem` (some VM kernels), loss alone falls back to an nftables rule
 * (`numgen random` drop); delay, jitter and bandwidth then fail with `DEVNET_RUNTIME_UNAVAILABLE`.
 */
import type Docker from 'dockerode'
import { DevnetError } from '../../errors.js'
import type { LinkFault } from '../types.js'
import { tolerate } from './engine.js'

/** A link fault on every interface of a service but loopback, on egress (what the service sends). */
export type { LinkFault }

/** Exit code of the helper when delay is asked for and `sch_netem` is missing. */
const noNetem = 3

/**
 * The helper program (`node -e`, CommonJS). argv[1]: the fault as JSON, or `null` to clear. Clears any
 * earlier fault first (both mechanisms), then applies netem, or the nftables fallback for loss.
 */
const helperScript = String.raw`
const { execFileSync } = require('node:child_process')
const fault = JSON.parse(process.argv[1] || 'null')
const devs = Object.keys(require('node:os').networkInterfaces()).filter((d) => d !== 'lo')
const run = (cmd, args, input) => execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString()
const attempt = (cmd, args) => { try { run(cmd, args); return true } catch { return false } }
for (const dev of devs) attempt('tc', ['qdisc', 'del', 'dev', dev, 'root'])
attempt('nft', ['delete', 'table', 'inet', 'op_devnet_fault'])
if (!fault) { console.log('cleared on ' + devs.join(',')); process.exit(0) }
const delay = Math.max(0, Math.round(fault.delayMs || 0))
const jitter = Math.max(0, Math.round(fault.jitterMs || 0))
const loss = Math.min(100, Math.max(0, Number(fault.lossPercent || 0)))
const rate = Math.max(0, Math.round(fault.bandwidthKbps || 0))
const netem = []
if (delay || jitter) netem.push('delay', delay + 'ms', ...(jitter ? [jitter + 'ms'] : []))
if (loss) netem.push('loss', loss + '%')
if (rate) netem.push('rate', rate + 'kbit')
let why = ''
try {
  for (const dev of devs) run('tc', ['qdisc', 'replace', 'dev', dev, 'root', 'netem', ...netem])
  console.log('netem ' + netem.join(' ') + ' on ' + devs.join(','))
  process.exit(0)
} catch (error) {
  why = String(error.stderr || error.message).trim()
  for (const dev of devs) attempt('tc', ['qdisc', 'del', 'dev', dev, 'root'])
}
if (delay || jitter || rate) { console.error('tc netem failed: ' + why); process.exit(${noNetem}) }
const rules = 'table inet op_devnet_fault {\n chain egress {\n  type filter hook output priority 0; policy accept;\n' +
  '  oifname != "lo" ' + (loss >= 100 ? '' : 'numgen random mod 10000 < ' + Math.round(loss * 100) + ' ') + 'drop\n }\n}\n'
try {
  run('nft', ['-f', '-'], rules)
  console.log('nftables drop ' + loss + '% on egress (no sch_netem: ' + why + ')')
} catch (error) {
  console.error('neither tc netem (' + why + ') nor nftables (' + String(error.stderr || error.message).trim() + ') worked')
  process.exit(4)
}
`

/** Demultiplexes a non-TTY `docker logs` buffer (8-byte frame headers) into text. */
function demux(buffer: Buffer): string {
  const parts: Buffer[] = []
  let offset = 0
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4)
    parts.push(buffer.subarray(offset + 8, offset + 8 + size))
    offset += 8 + size
  }
  return Buffer.concat(parts).toString('utf8').trim()
}

/**
 * Applies `fault` (or clears with `undefined`) to the network namespace of container `target`.
 * @returns What the helper did, e.g. `netem delay 100ms 10ms loss 5% on eth0,eth1`.
 * @throws DevnetError `DEVNET_RUNTIME_UNAVAILABLE` when the kernel cannot do it.
 */
export async function applyLinkFault(docker: Docker, options: {
  target: string
  fault: LinkFault | undefined
  /** An image with node, `tc` and/or `nft`. */
  image: string
  labels: Record<string, string>
  service: string
}): Promise<string> {
  const helper = await docker.createContainer({
    Image: options.image,
    Entrypoint: ['node', '-e', helperScript],
    Cmd: [JSON.stringify(options.fault ?? null)],
    User: '0:0',
    Labels: options.labels,
    HostConfig: { NetworkMode: `container:${options.target}`, CapAdd: ['NET_ADMIN'] },
  })
  try {
    await helper.start()
    const { StatusCode: code } = (await helper.wait()) as { StatusCode: number }
    const output = demux((await helper.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer)
    if (code === 0) return output
    throw new DevnetError(`cannot set a link fault on service "${options.service}"`, {
      code: code === noNetem || code === 4 || /not found|ENOENT/.test(output) ? 'DEVNET_RUNTIME_UNAVAILABLE' : 'DEVNET_INTERNAL',
      details: code === noNetem ? `${output}; delay, jitter and bandwidth need the kernel's sch_netem module (loss alone falls back to nftables)` : output,
    })
  } finally {
    await tolerate(helper.remove({ force: true }), [404, 409])
  }
}
