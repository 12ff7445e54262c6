#!/usr/bin/env node
/**
 * A CPU profile of a running Node process (a lite service, the orchestrator): opens its inspector with
 * SIGUSR1, samples for the given seconds, writes the `.cpuprofile` (open it in Chrome's DevTools) and
 * prints the functions with the most self time. A lite service's pid is in `<stateDir>/<service>/pid`.
 * The inspector listens on 127.0.0.1:9229, so profile one process at a time.
 * @example node scripts/profile.mjs $(cat .devnet/replica-0/pid) 20 /tmp/replica.cpuprofile
 */
import { writeFileSync } from 'node:fs'
import WebSocket from 'ws'

const [pid, secs, out] = process.argv.slice(2)
if (!Number(pid) || !Number(secs) || !out) {
  console.error('usage: node scripts/profile.mjs <pid> <seconds> <out.cpuprofile>')
  process.exit(2)
}
process.kill(Number(pid), 'SIGUSR1')
await new Promise((r) => setTimeout(r, 700))
const list = await (await fetch('http://127.0.0.1:9229/json/list')).json()
const ws = new WebSocket(list[0].webSocketDebuggerUrl)
await new Promise((r) => ws.once('open', r))
let id = 0
const pending = new Map()
ws.on('message', (m) => {
  const msg = JSON.parse(m)
  if (msg.id && pending.has(msg.id)) {
    pending.get(msg.id)(msg.result)
    pending.delete(msg.id)
  }
})
const send = (method, params = {}) => new Promise((r) => {
  const i = ++id
  pending.set(i, r)
  ws.send(JSON.stringify({ id: i, method, params }))
})
await send('Profiler.enable')
await send('Profiler.setSamplingInterval', { interval: 500 })
await send('Profiler.start')
await new Promise((r) => setTimeout(r, Number(secs) * 1000))
const { profile } = await send('Profiler.stop')
ws.close()
writeFileSync(out, JSON.stringify(profile))

// Self time per function (samples are equally spaced), the top 25.
const self = new Map()
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
for (const sample of profile.samples) {
  const { callFrame: f } = byId.get(sample)
  const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + 1)
}
const total = profile.samples.length
for (const [key, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((100 * n) / total).toFixed(1).padStart(5)} %  ${key}`)
console.log(`${out}: ${total} samples over ${secs} s`)
