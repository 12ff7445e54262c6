import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, expect, test } from 'vitest'
import { engineSocketMissing, engineSocketPath } from '../runtime/docker/socket.js'
import { defaultRuntime } from './start.js'

const root = mkdtempSync(join(tmpdir(), 'op-devnet-default-runtime-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const saved = process.env.DOCKER_HOST
afterEach(() => {
  if (saved === undefined) delete process.env.DOCKER_HOST
  else process.env.DOCKER_HOST = saved
})

test('args: the socket is the one docker-modem dials: DOCKER_HOST unix://, else Docker Desktop\'s when present, else /var/run/docker.sock; none for tcp or ssh', () => {
  const home = join(root, 'home')
  expect(engineSocketPath({}, home)).toBe('/var/run/docker.sock')
  mkdirSync(join(home, '.docker', 'run'), { recursive: true })
  writeFileSync(join(home, '.docker', 'run', 'docker.sock'), '')
  expect(engineSocketPath({}, home)).toBe(join(home, '.docker', 'run', 'docker.sock'))
  expect(engineSocketPath({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, home)).toBe('/run/user/1000/docker.sock')
  expect(engineSocketPath({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }, home)).toBeUndefined()
  expect(engineSocketPath({ DOCKER_HOST: 'ssh://me@host' }, home)).toBeUndefined()
  expect(engineSocketMissing({ DOCKER_HOST: 'unix:///no/such/docker.sock' }, home)).toBe(true)
  expect(engineSocketMissing({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }, home)).toBe(false) // only a connection can tell
  expect(engineSocketMissing({}, home)).toBe(false) // Desktop's socket exists
})

test('behavior: no socket to dial: the process runtime at once, with the notice', async () => {
  process.env.DOCKER_HOST = `unix://${join(root, 'no-engine.sock')}`
  const notices: string[] = []
  expect(await defaultRuntime((m) => notices.push(m))).toBe('process')
  expect(notices).toEqual(['no Docker engine answered: running services as local processes (--runtime process)'])
})

test('behavior: without a socket the Docker client is not even loaded (150-190 ms of CPU); with one it is (built start.js, a process of its own)', () => {
  const start = fileURLToPath(new URL('../../dist/devnet/start.js', import.meta.url))
  const loadsDockerode = (dockerHost: string) => {
    const script = `
      const { defaultRuntime } = await import(${JSON.stringify(start)})
      const runtime = await defaultRuntime()
      const { createRequire } = await import('node:module')
      const loaded = Object.keys(createRequire(import.meta.url)('node:module')._cache).some((k) => k.includes('/node_modules/dockerode/'))
      console.log(JSON.stringify({ runtime, loaded }))`
    return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: dockerHost } })) as { runtime: string; loaded: boolean }
  }
  expect(loadsDockerode(`unix://${join(root, 'absent.sock')}`)).toEqual({ runtime: 'process', loaded: false })
  writeFileSync(join(root, 'a-file.sock'), '') // there, though no engine: asked
  expect(loadsDockerode(`unix://${join(root, 'a-file.sock')}`)).toEqual({ runtime: 'process', loaded: true })
})

test('error: a socket that is not an engine is asked all the same, and fails the ping: the process runtime', async () => {
  const path = join(root, 'not-docker.sock')
  const sockets: Socket[] = []
  const server = createServer((socket) => {
    sockets.push(socket)
    socket.end('HTTP/1.1 500 nope\r\ncontent-length: 0\r\n\r\n')
  })
  await new Promise<void>((resolve) => server.listen(path, resolve))
  try {
    process.env.DOCKER_HOST = `unix://${path}`
    expect(await defaultRuntime()).toBe('process')
    expect(sockets.length).toBeGreaterThan(0)
  } finally {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
})
