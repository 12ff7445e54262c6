/** The docker runtime against the real engine: lifecycle, readiness, logs, errors, cleanup and sweep. */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { dirname, join } from 'node:path'
import { expect, test } from 'vitest'
import { ServiceError } from '../../errors.js'
import { allocatePorts } from '../ports.js'
import { requires } from '../../../test/requires.js'
import { engine, docker, runtimes, newRuntime, anvilPlan, p2pPlan, rpc, leftovers, deadPid, useDockerSuite, execIn } from './__fixtures__/harness.js'
import { dockerDefaults, labels } from './engine.js'
import { codeCacheFile } from '../../components/shared/codeCache.js'
import { imageDefaults, localBaseCurrent } from './image.js'
import { pruneLiteImages } from './liteImage.js'
import { networkName } from './networks.js'
import { codeCacheMount } from './service.js'
import { sweep } from './sweep.js'

requires('a Docker engine', engine, 'bash scripts/docker-engine.sh')('docker runtime', () => {
  useDockerSuite('odt')

  test('default', async () => {
    const [port] = await allocatePorts(1)
    const runtime = newRuntime()
    const started = Date.now()
    const l1 = await runtime.start(anvilPlan('l1', port!))
    console.info(`anvil container start-to-ready: ${Date.now() - started} ms`)
    expect(l1.state()).toBe('running')
    expect(l1.endpoint('rpc')).toBe(`http://127.0.0.1:${port}`)
    expect(await rpc(l1.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')

    const info = await docker.getContainer(l1.id).inspect()
    const devnet = runtime.options.devnet
    expect(info.Name).toBe(`/${devnet}-l1`)
    expect(info.Config.Labels).toMatchObject({
      [labels.session]: runtime.options.sessionId,
      [labels.devnet]: devnet,
      [labels.service]: 'l1',
      [labels.pid]: String(process.pid),
    })
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([networkName(devnet, 'rpc')]) // no p2p port, no default bridge
    expect(info.NetworkSettings.Networks[networkName(devnet, 'rpc')]!.Aliases).toContain(`${devnet}-l1`)
    expect(info.HostConfig.PortBindings).toEqual({ '8545/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] })
  })

  test('behavior: a plan\'s nice becomes the container\'s CPU weight; without one it has docker\'s default', async () => {
    const [a, b] = await allocatePorts(2)
    const runtime = newRuntime()
    const [follower, other] = await Promise.all([runtime.start(anvilPlan('follower', a!, { nice: 10 })), runtime.start(anvilPlan('other', b!))])
    expect((await docker.getContainer(follower.id).inspect()).HostConfig.CpuShares).toBe(110)
    expect((await docker.getContainer(other.id).inspect()).HostConfig.CpuShares ?? 0).toBe(0)
  })

  test('behavior: writes files into the bind-mounted service directory, the workdir', async () => {
    const [port] = await allocatePorts(1)
    const genesis = { config: { chainId: 1337 }, alloc: {}, gasLimit: '0x1c9c380', timestamp: '0x0', difficulty: '0x0', extraData: '0x' }
    const l1 = await newRuntime().start(anvilPlan('l1', port!, {
      args: ['--init', 'conf/genesis.json', '--host', '0.0.0.0', '--port', '8545'],
      files: { 'conf/genesis.json': JSON.stringify(genesis) },
    }))
    expect(await rpc(l1.endpoint('rpc'), 'eth_chainId')).toBe('0x539')
    expect((await docker.getContainer(l1.id).inspect()).Config.WorkingDir).toBe('/devnet/l1')
  })

  test('behavior: lite containers get the host\'s code cache directory, where their program writes its cache; anvil ones do not', async () => {
    const [a, b] = await allocatePorts(2)
    const cacheDir = join(mkdtempSync(join(tmpdir(), 'op-devnet-code-')), 'code-docker') // created by the runtime
    const runtime = newRuntime({ codeCacheDir: cacheDir })
    const links = await runtime.start(anvilPlan('links', a!, {
      program: 'lite', role: 'batcher', args: ['links', '--admin-port', '8545', '--admin-host', '0.0.0.0'], readiness: { kind: 'port', port: 'rpc' },
    }))
    const l1 = await runtime.start(anvilPlan('l1', b!))
    const lite = await docker.getContainer(links.id).inspect()
    expect(lite.Config.Env).toContain(`DEVNET_CODE_CACHE=${codeCacheMount}`)
    // it says when it is ready in its own directory (the runtime's probes wait for that); anvil cannot
    expect(lite.Config.Env).toContain('DEVNET_READY_FILE=/devnet/links/.ready')
    expect(readFileSync(join(runtime.options.stateDir, 'links', '.ready'), 'utf8')).toBe('ready\n')
    expect(lite.HostConfig.Binds).toContain(`${cacheDir}:${codeCacheMount}`)
    const plain = await docker.getContainer(l1.id).inspect()
    expect(plain.HostConfig.Binds).toHaveLength(1)
    expect(plain.Config.Env?.some((e) => e.startsWith('DEVNET_READY_FILE='))).toBe(false)
    // named after the program and its bundle's path in the container
    await expect.poll(() => existsSync(codeCacheFile(cacheDir, 'links', join(dirname(dockerDefaults.liteEntrypoint), 'programs', 'links.cjs'))), { timeout: 10_000 }).toBe(true)
    rmSync(dirname(cacheDir), { recursive: true, force: true })
  })

  test('behavior: a container\'s own ports are reserved in its network namespace, so its outgoing connections never take one (a conductor\'s 50054 is in the ephemeral range)', async () => {
    const [a, b] = await allocatePorts(2)
    const l1 = await newRuntime().start(anvilPlan('l1', a!, {
      ports: { rpc: { port: 8545, host: a!, protocol: 'http', public: true }, consensus: { port: 50054, host: b!, protocol: 'tcp', public: false } },
    }))
    const reserved = await execIn(l1.id, ['node', '-p', 'require("fs").readFileSync("/proc/sys/net/ipv4/ip_local_reserved_ports", "utf8")'])
    expect(reserved.trim()).toBe('8545,50054')
  })

  test('behavior: captures logs in the ring buffer and service.log', async () => {
    const [port] = await allocatePorts(1)
    const l1 = await newRuntime().start(anvilPlan('l1', port!))
    // Ready is the port answering: the line saying so may still be on its way through the engine's attach
    // stream (in CI it had not arrived when start() returned once).
    await expect.poll(() => l1.logs().join('\n')).toContain('Listening on 0.0.0.0:8545')
    expect(l1.logs(1)).toHaveLength(1)
    await rpc(l1.endpoint('rpc'), 'eth_blockNumber')
    await expect.poll(() => readFileSync(l1.logFile, 'utf8')).toContain('eth_blockNumber')
    expect(readFileSync(l1.logFile, 'utf8')).toContain('Listening on 0.0.0.0:8545')
  })

  test('behavior: pause makes calls hang, resume brings them back', async () => {
    const [port] = await allocatePorts(1)
    const l1 = await newRuntime().start(anvilPlan('l1', port!))
    await l1.pause()
    expect(l1.state()).toBe('paused')
    await expect(rpc(l1.endpoint('rpc'), 'eth_chainId', 500)).rejects.toThrow()
    await l1.resume()
    expect(l1.state()).toBe('running')
    expect(await rpc(l1.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')
  })

  test('behavior: kill leaves the container exited until stop removes it', async () => {
    const [port] = await allocatePorts(1)
    const l1 = await newRuntime().start(anvilPlan('l1', port!))
    await l1.kill()
    expect(l1.state()).toBe('exited')
    const info = await docker.getContainer(l1.id).inspect()
    expect(info.State.Status).toBe('exited')
    expect(info.State.ExitCode).toBe(137)
    await l1.stop()
    expect(l1.state()).toBe('exited')
    await expect(docker.getContainer(l1.id).inspect()).rejects.toMatchObject({ statusCode: 404 })
    await l1.stop() // idempotent
  })

  test('behavior: restart answers on the same host port, also after a kill', async () => {
    const [port] = await allocatePorts(1)
    const l1 = await newRuntime().start(anvilPlan('l1', port!))
    const id = l1.id
    await rpc(l1.endpoint('rpc'), 'evm_mine')
    await l1.restart()
    expect(l1.state()).toBe('running')
    expect(l1.id).toBe(id)
    expect(l1.endpoint('rpc')).toBe(`http://127.0.0.1:${port}`)
    expect(await rpc(l1.endpoint('rpc'), 'eth_blockNumber')).toBe('0x0') // a new anvil
    await l1.kill()
    await l1.restart()
    expect(await rpc(`http://127.0.0.1:${port}`, 'eth_chainId')).toBe('0x7a69')
  })

  test('behavior: kill and stop work on a paused service', async () => {
    const [port, other] = await allocatePorts(2)
    const runtime = newRuntime()
    const a = await runtime.start(anvilPlan('a', port!))
    await a.pause()
    await a.kill()
    expect(a.state()).toBe('exited')
    const b = await runtime.start(anvilPlan('b', other!))
    await b.pause()
    await b.stop()
    expect(b.state()).toBe('stopped')
    expect((await leftovers(runtime.options.devnet)).containers).toEqual([`/${runtime.options.devnet}-a`])
  })

  test('behavior: stop is idempotent and reuses the in-flight promise', async () => {
    const [port] = await allocatePorts(1)
    const l1 = await newRuntime().start(anvilPlan('l1', port!))
    const first = l1.stop()
    expect(l1.stop()).toBe(first)
    await first
    expect(l1.state()).toBe('stopped')
  })

  test('error: a program that exits at once gives ServiceError with its last log lines, and leaves nothing', async () => {
    const [port] = await allocatePorts(1)
    const runtime = newRuntime()
    const plan = anvilPlan('batcher', port!, { program: 'lite', role: 'batcher', args: ['no-such-component'] })
    const error = await runtime.start(plan).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServiceError)
    expect((error as ServiceError).service).toBe('batcher')
    expect((error as ServiceError).shortMessage).toMatch(/exited with code 2 before it was ready/)
    expect((error as ServiceError).metaMessages?.join('\n')).toContain('usage: main.js')
    expect((await leftovers(runtime.options.devnet)).containers).toEqual([])
    expect(readFileSync(join(runtime.options.stateDir, 'batcher', 'service.log'), 'utf8')).toContain('usage: main.js')
  })

  test('behavior: a port readiness waits for the program, not for docker-proxy', async () => {
    const [port] = await allocatePorts(1)
    const l1 = await newRuntime().start(anvilPlan('l1', port!, { readiness: { kind: 'port', port: 'rpc' } }))
    expect(await rpc(l1.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')
  })

  test('error: not ready in time gives a timeout ServiceError and removes the container', async () => {
    const [port] = await allocatePorts(1)
    const runtime = newRuntime()
    const plan = anvilPlan('l1', port!, { readiness: { kind: 'rpc', port: 'rpc', method: 'eth_noSuchMethod' } })
    const error = await runtime.start(plan, { readyTimeoutMs: 1_500 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ service: 'l1', code: 'DEVNET_SERVICE_TIMEOUT' })
    expect((error as ServiceError).metaMessages?.join('\n')).toContain('Listening on')
    expect((await leftovers(runtime.options.devnet)).containers).toEqual([])
  })

  test('error: a port already published fails the start and removes the container', async () => {
    const [port] = await allocatePorts(1)
    const runtime = newRuntime()
    await runtime.start(anvilPlan('l1', port!))
    const error = await runtime.start(anvilPlan('other', port!)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServiceError)
    expect((error as Error).message).toMatch(/port is already allocated|address already in use/)
    expect((await leftovers(runtime.options.devnet)).containers).toEqual([`/${runtime.options.devnet}-l1`])
  })

  test('behavior: stopAll removes every container and network of the devnet', async () => {
    const runtime = newRuntime()
    const [l1Port] = await allocatePorts(1)
    await runtime.start(anvilPlan('l1', l1Port!))
    await runtime.start(await p2pPlan('a'))
    const devnet = runtime.options.devnet
    expect((await leftovers(devnet)).networks.sort()).toEqual([networkName(devnet, 'p2p'), networkName(devnet, 'rpc')])
    await runtime.stopAll()
    expect(await leftovers(devnet)).toEqual({ containers: [], networks: [] })
    await runtime.stopAll() // idempotent
  })

  test('behavior: sweep removes what a dead orchestrator left, and only that', async () => {
    const orphaned = newRuntime({ ownerPid: deadPid(), sessionId: 'orphaned' })
    const [port, livePort] = await allocatePorts(2)
    await orphaned.start(anvilPlan('l1', port!))
    const live = newRuntime()
    await live.start(anvilPlan('l1', livePort!))
    const devnet = orphaned.options.devnet
    const removed = await sweep()
    expect(removed.containers).toContain(`${devnet}-l1`)
    expect(removed.networks).toEqual(expect.arrayContaining([networkName(devnet, 'rpc'), networkName(devnet, 'p2p')]))
    expect(removed.containers).not.toContain(`${live.options.devnet}-l1`)
    expect(await leftovers(devnet)).toEqual({ containers: [], networks: [] })
    expect((await leftovers(live.options.devnet)).containers).toHaveLength(1)
    runtimes.splice(runtimes.indexOf(orphaned), 1)
  })

  test('behavior: a new run of a devnet clears what an orphaned run of the same name left', async () => {
    const [port] = await allocatePorts(1)
    const orphaned = newRuntime({ ownerPid: deadPid(), sessionId: 'orphaned' })
    await orphaned.start(anvilPlan('l1', port!))
    runtimes.splice(runtimes.indexOf(orphaned), 1)
    const again = newRuntime({ devnet: orphaned.options.devnet })
    const l1 = await again.start(anvilPlan('l1', port!))
    expect(await rpc(l1.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')
  })

  test('error: a devnet name a live session uses is refused', async () => {
    const [port, other] = await allocatePorts(2)
    const first = newRuntime()
    await first.start(anvilPlan('l1', port!))
    const second = newRuntime({ devnet: first.options.devnet, sessionId: 'another' })
    await expect(second.start(anvilPlan('l1', other!))).rejects.toMatchObject({ code: 'DEVNET_ALREADY_RUNNING' })
  })

  test('behavior: signalProcess goes into the container (a pid not there is no error; after the stop, nothing to signal)', async () => {
    const [port] = await allocatePorts(1)
    const l1 = await newRuntime().start(anvilPlan('l1', port!))
    await expect(l1.signalProcess(4_000_000, 'SIGSTOP')).resolves.toBeUndefined()
    await expect(l1.signalProcess(0, 'SIGSTOP')).rejects.toThrow('invalid pid 0')
    await l1.stop()
    await expect(l1.signalProcess(1, 'SIGSTOP')).resolves.toBeUndefined()
  })

  test('behavior: the local base is current only with the version label of the script', async () => {
    const script = readFileSync(new URL(`../../../${imageDefaults.baseScript}`, import.meta.url), 'utf8')
    expect(script.match(/^version=(\d+)$/m)?.[1]).toBe(String(imageDefaults.baseVersion))
    const base = (await docker.getImage(imageDefaults.localBaseImage).inspect()) as { Config: { Labels: Record<string, string> } }
    expect(base.Config.Labels['op-devnet.base-version']).toBe(String(imageDefaults.baseVersion)) // the suite's ensureLiteImage rebuilt an older one
    expect(await localBaseCurrent(imageDefaults.localBaseImage)).toBe(true)
    const unlabelled = 'op-devnet-odt:no-base-version'
    execFileSync('docker', ['import', '-', unlabelled], { input: execFileSync('tar', ['-cf', '-', '-T', '/dev/null']), stdio: ['pipe', 'ignore', 'inherit'] })
    try {
      expect(await localBaseCurrent(unlabelled)).toBe(false)
    } finally {
      await docker.getImage(unlabelled).remove()
    }
    expect(await localBaseCurrent('op-devnet-base:no-such-tag')).toBe(false)
  })

  test('behavior: pruning lite images keeps the one asked for, the newest others and any a container uses; the rest go', async () => {
    const repository = `op-devnet-odt-prune-${process.pid}` // not the suite's own lite images
    const tags = ['oldest', 'older', 'newer', 'newest'].map((t) => `${repository}:${t}`)
    for (const [i, tag] of tags.entries()) {
      if (i) await sleep(1_100) // Created is in seconds
      execFileSync('docker', ['import', '--change', `LABEL n=${i}`, '-', tag], { input: execFileSync('tar', ['-cf', '-', '-T', '/dev/null']), stdio: ['pipe', 'ignore', 'inherit'] })
    }
    const user = await docker.createContainer({ Image: tags[1], Entrypoint: ['/nothing'], name: `${repository}-user` })
    try {
      // keep "oldest" (the current build) and the newest other: "newer" goes, "older" stays for its container
      expect(await pruneLiteImages({ keep: tags[0], keepNewest: 1, repository })).toEqual([tags[2]])
      const left = (await docker.listImages({ filters: { reference: [`${repository}:*`] } })).flatMap((i) => i.RepoTags ?? []).sort()
      expect(left).toEqual([tags[3], tags[1], tags[0]].sort())
    } finally {
      await user.remove({ force: true })
      for (const tag of tags) await docker.getImage(tag).remove().catch(() => {})
    }
  })

  test('behavior: a local base that lacks a tool the host now has is not current (etcd installed after the base was built)', async () => {
    const labelled = (tag: string, lacks: string) =>
      execFileSync('docker', ['import', '--change', `LABEL op-devnet.base-version=${imageDefaults.baseVersion}`, '--change', `LABEL op-devnet.base-lacks="${lacks}"`, '-', tag], {
        input: execFileSync('tar', ['-cf', '-', '-T', '/dev/null']),
        stdio: ['pipe', 'ignore', 'inherit'],
      })
    const [gained, stillMissing] = ['op-devnet-odt:lacks-node', 'op-devnet-odt:lacks-nothing-here']
    labelled(gained, 'no-such-tool-odt node') // node runs these tests, so the host has it
    labelled(stillMissing, 'no-such-tool-odt')
    try {
      expect(await localBaseCurrent(gained)).toBe(false)
      expect(await localBaseCurrent(stillMissing)).toBe(true)
    } finally {
      for (const tag of [gained, stillMissing]) await docker.getImage(tag).remove()
    }
  })
})
