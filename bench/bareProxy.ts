/**
 * The floor for the proxyd throughput figure: the least a Node.js HTTP JSON-RPC proxy does (read the
 * body, forward it over a keep-alive agent, answer with what came back), with no routing, rewriting,
 * limits or metrics. Usage: `node --import tsx bench/bareProxy.ts <port> <backend url>`.
 */
import { Agent, createServer, request } from 'node:http'

const [port, backend] = [Number(process.argv[2]), new URL(process.argv[3])]
const agent = new Agent({ keepAlive: true, maxSockets: 64 })
createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const body = Buffer.concat(chunks)
    const headers = { 'content-type': 'application/json', 'content-length': body.length }
    const up = request({ host: backend.hostname, port: backend.port, path: '/', method: 'POST', agent, headers }, (r) => {
      const out: Buffer[] = []
      r.on('data', (c: Buffer) => out.push(c))
      r.on('end', () => {
        const answer = Buffer.concat(out)
        res.writeHead(r.statusCode ?? 502, { 'content-type': 'application/json', 'content-length': answer.length })
        res.end(answer)
      })
    })
    up.on('error', () => res.destroy())
    up.end(body)
  })
}).listen(port, '127.0.0.1')
