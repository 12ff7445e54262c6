// A stand-in for dist/components/main.js in tests of the devnet layer and the CLI: it serves the ports and
// RPC methods the planner's readiness checks and head polling use, nothing more.
//   node fake-lite.mjs rollup-node config.json | batcher config.json | proxyd --config proxyd.toml | bootnode <flags>
//   | challenger <op-challenger flags> | l1-clock config.json (mines L1 once a second while resumed, as the real one does per slot)
//   | proposer --rpc.addr=<host> --rpc.port=<port> ...
// FAKE_LITE_CRASH=<service name> makes that service exit 1 at start (FAKE_LITE_CRASH_AFTER_MS later, and with FAKE_LITE_HANG
// only once the hanging one has said so in its log); FAKE_LITE_HANG=<service name> makes it never ready (it serves nothing);
// FAKE_LITE_SLOW=<service name> makes it ready only FAKE_LITE_SLOW_MS (default 3000) later.
import { closeSync, readFileSync, writeSync } from 'node:fs'
import { createServer as createHttp } from 'node:http'
import { createServer as createTcp } from 'node:net'

const [component, ...args] = process.argv.slice(2)
// proxyd takes proxyd's TOML; the fake needs only its name, host and port.
const toml = component === 'proxyd' ? readFileSync(args[1], 'utf8') : ''
// Flags come as `--name value` (the challenger's) or `--name=value` (the proposer's).
const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1))
const config = component === 'proxyd'
  ? { name: 'proxyd', host: /rpc_host = "([^"]+)"/.exec(toml)[1], ports: { rpc: Number(/rpc_port = (\d+)/.exec(toml)[1]) } }
  : component === 'challenger'
    ? { name: 'challenger', host: flag('--metrics.addr'), ports: { metrics: Number(flag('--metrics.port')) } }
    : component === 'proposer'
      ? { name: 'proposer', host: flag('--rpc.addr'), ports: { rpc: Number(flag('--rpc.port')) } }
      : component === 'bootnode'
        ? { name: 'bootnode', host: flag('--rpc.addr'), ports: { rpc: Number(flag('--rpc.port')) } }
        : JSON.parse(readFileSync(args[0], 'utf8'))
console.log(`fake ${component} ${config.name} starting`)
if (process.env.FAKE_LITE_CRASH === config.name) {
  // FAKE_LITE_CRASH_AFTER_MS: after a while (the others have started by then); the hanging one may start late on a
  // loaded machine (a replica runs at a lower priority), so the crash also waits for its line (services are siblings' dirs).
  const hang = process.env.FAKE_LITE_HANG
  for (let i = 0; hang && hang !== config.name && i < 1500; i++) {
    let log = ''
    try { log = readFileSync(`../${hang}/service.log`, 'utf8') } catch {}
    if (log.includes('hanging on purpose')) break
    await new Promise((r) => setTimeout(r, 20))
  }
  await new Promise((r) => setTimeout(r, Number(process.env.FAKE_LITE_CRASH_AFTER_MS ?? 0)))
  console.log('boom: crashing on purpose')
  process.exit(1)
}
if (process.env.FAKE_LITE_HANG === config.name) {
  console.log('hanging on purpose')
  setInterval(() => {}, 60_000)
  await new Promise(() => {}) // serves nothing, ever
}
if (process.env.FAKE_LITE_SLOW === config.name) await new Promise((r) => setTimeout(r, Number(process.env.FAKE_LITE_SLOW_MS ?? 3_000)))
const started = Date.now()
const head = () => Math.floor((Date.now() - started) / 100)

function rpc(port, host, methods) {
  const server = createHttp((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') return res.end('OK') // as op-service and proxyd
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      const { id, method } = JSON.parse(body)
      res.setHeader('content-type', 'application/json')
      const handler = methods[method]
      res.end(JSON.stringify(handler ? { jsonrpc: '2.0', id, result: handler() } : { jsonrpc: '2.0', id, error: { code: -32601, message: `method ${method} not found` } }))
    })
  })
  server.listen(port, host)
}

const ref = (number) => ({ hash: `0x${'00'.repeat(32)}`, number, parentHash: `0x${'00'.repeat(32)}`, timestamp: 0 })
const l2ref = (number) => ({ ...ref(number), l1origin: { hash: `0x${'00'.repeat(32)}`, number: 0 }, sequenceNumber: 0 })

if (component === 'rollup-node') {
  rpc(config.ports.rollup, config.host, {
    optimism_syncStatus: () => {
      const n = head()
      return {
        current_l1: ref(Math.floor(n / 2)), current_l1_finalized: ref(0), head_l1: ref(Math.floor(n / 2) + 1), safe_l1: ref(0), finalized_l1: ref(0),
        unsafe_l2: { ...l2ref(n + 2), timestamp: process.env.FAKE_LITE_STALE === config.name ? 0 : Math.floor(Date.now() / 1000) }, safe_l2: l2ref(n + 1), finalized_l2: l2ref(n), pending_safe_l2: l2ref(n + 1), cross_unsafe_l2: l2ref(n + 2), local_safe_l2: l2ref(n + 1),
      }
    },
  })
  rpc(config.ports.el, config.host, {
    eth_chainId: () => `0x${config.rollup.l2_chain_id.toString(16)}`,
    eth_blockNumber: () => `0x${head().toString(16)}`,
  })
  createTcp((socket) => socket.end()).listen(config.ports.p2p, config.host)
} else if (component === 'batcher') {
  rpc(config.ports.rpc, config.host, { admin_batcherActive: () => true })
} else if (component === 'challenger') {
  rpc(config.ports.metrics, config.host, { health_status: () => 'OK' })
} else if (component === 'proposer') {
  rpc(config.ports.rpc, config.host, { proposer_status: () => ({ active: true }) })
} else if (component === 'bootnode') {
  rpc(config.ports.rpc, config.host, { opp2p_self: () => ({ ENR: '' }) })
} else if (component === 'l1-clock') {
  let timer
  const status = () => ({ mining: timer !== undefined, mined: 0, lastTimestamp: 0 })
  const mine = () => fetch(config.l1Rpc, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"evm_mine","params":[]}' }).catch(() => {})
  rpc(config.ports.rpc, config.host, {
    l1clock_status: status,
    l1clock_resume: () => {
      timer ??= setInterval(mine, 1_000)
      return status()
    },
    l1clock_halt: () => {
      clearInterval(timer)
      timer = undefined
      return status()
    },
  })
  if (!config.held) timer = setInterval(mine, 1_000)
} else if (component === 'proxyd') {
  rpc(config.ports.rpc, config.host, { eth_chainId: () => '0x385' })
} else {
  console.error(`unknown component ${component}`)
  process.exit(2)
}
process.on('SIGTERM', () => {
  console.log('SIGTERM: bye')
  process.exit(0)
})
// As the launcher does: say on DEVNET_READY_FD that the start is done (the servers listen by the next turn).
setImmediate(() => {
  const fd = Number(process.env.DEVNET_READY_FD)
  if (fd >= 3) {
    writeSync(fd, 'ready\n')
    closeSync(fd)
  }
})
