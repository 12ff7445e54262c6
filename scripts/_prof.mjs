// node scripts/_prof.mjs <pid> <seconds> <out>: CPU profile of a running node process via SIGUSR1 + inspector
import WebSocket from 'ws'
import { writeFileSync } from 'node:fs'
const [pid, secs, out] = process.argv.slice(2)
process.kill(Number(pid), 'SIGUSR1')
await new Promise((r) => setTimeout(r, 700))
const list = await (await fetch('http://127.0.0.1:9229/json/list')).json()
const ws = new WebSocket(list[0].webSocketDebuggerUrl)
await new Promise((r) => ws.once('open', r))
let id = 0
const pending = new Map()
ws.on('message', (m) => { const msg = JSON.parse(m); if (msg.id && pending.has(msg.id)) { pending.get(msg.id)(msg.result); pending.delete(msg.id) } })
const send = (method, params = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })) })
await send('Profiler.enable')
await send('Profiler.setSamplingInterval', { interval: 500 })
await send('Profiler.start')
await new Promise((r) => setTimeout(r, Number(secs) * 1000))
const { profile } = await send('Profiler.stop')
writeFileSync(out, JSON.stringify(profile))
ws.close()
console.log('saved', out)
