/**
 * A devnet plan as a docker compose file (`devnet compose`), for users who prefer `docker compose up`.
 * Pure: the I/O (service files, the file itself) is in `devnet/compose.ts`.
 *
 * Each service is what the docker runtime would create: `containerSpec()` (shared with
 * `runtime/docker/service.ts`) gives the name, entrypoint, command, env, workdir, published ports and
 * networks with their aliases; the plan's readiness becomes an exec-form healthcheck (the lite image has
 * no shell) and `dependsOn` becomes `depends_on: { condition: service_healthy }`.
 *
 * Differences from the runtime, by design: the networks take subnets from the engine's default pools
 * (not `10.213.0.0/16`), and resources are labelled `op-devnet.session=compose` and
 * `op-devnet.detached=true` with no orchestrator pid, so `devnet sweep` leaves them alone while
 * `devnet sweep --name <devnet>` (and `docker compose down`) removes them.
 */
import { Document } from 'yaml'
import { DevnetError } from '../../errors.js'
import { containerSpec, type ContainerNetwork, type ContainerSpec } from './container.js'
import { dockerDefaults, labels } from './engine.js'
import { linkClasses } from './networks.js'
import { defaults } from '../waits.js'
import { resolveLinks } from '../../plan/links.js'
import type { DevnetPlan, LinkClass, ReadinessPlan, ServicePlan } from '../../plan/types.js'

/** Every compose default, in one place. */
export const composeDefaults = {
  /** Value of `op-devnet.session` on everything a compose file creates. @default 'compose' */
  session: 'compose',
  /** Time between two healthchecks (also before the first one: Docker 20.10 has no `start_interval`). @default 2_000 */
  healthIntervalMs: 2_000,
  /** Time a healthcheck may take (node startup + one probe). @default 3_000 */
  healthTimeoutMs: 3_000,
  /** Probe timeout inside the healthcheck script. @default dockerDefaults.readyProbeTimeoutMs */
  probeTimeoutMs: dockerDefaults.readyProbeTimeoutMs,
  /** Failures during this period do not count (the runtime's readiness timeout). @default defaults.readyTimeoutMs */
  healthStartPeriodMs: defaults.readyTimeoutMs,
  /** Consecutive failures after the start period that make a service unhealthy. @default 3 */
  healthRetries: 3,
}

export interface ComposeOptions {
  /** The image of every service: the lite image (it holds node and anvil). */
  image: string
  /**
   * Where the service files are (`<filesDir>/<service>/`), relative to the compose file (a relative path
   * gets a leading `./`, which compose needs to read it as a bind mount) or absolute.
   */
  filesDir: string
  /** `uid:gid` the services run as (the runtime's default is the host user's). @default the image's user */
  user?: string
}

export interface ComposeHealthcheck {
  /** Exec form: `['CMD', 'node', '-e', script]`. */
  test: string[]
  interval: string
  timeout: string
  retries: number
  start_period: string
}

export interface ComposeService {
  container_name: string
  image: string
  entrypoint: string[]
  command: string[]
  working_dir: string
  user?: string
  init: boolean
  volumes: string[]
  environment: Record<string, string>
  /** `127.0.0.1:<host>:<container>`. */
  ports: string[]
  /** The container's own ports, kept out of its outgoing connections' local ports (`ContainerSpec.sysctls`). */
  sysctls?: Record<string, string>
  /** The container's CPU weight (`ContainerSpec.cpuShares`). */
  cpu_shares?: number
  networks: Record<string, { aliases: string[]; priority?: number }>
  depends_on?: Record<string, { condition: 'service_healthy' }>
  healthcheck: ComposeHealthcheck
  stop_grace_period: string
  logging: { driver: string; options: Record<string, string> }
  labels: Record<string, string>
}

export interface ComposeNetwork {
  name: string
  driver: 'bridge'
  internal?: boolean
  labels: Record<string, string>
}

/** A compose spec file (no `version:`). Services and networks are keyed by plan service name and link class. */
export interface ComposeFile {
  /** Project name: the devnet name, lowercased, other characters than `[a-z0-9_-]` as `-`. */
  name: string
  services: Record<string, ComposeService>
  networks: Partial<Record<LinkClass, ComposeNetwork>>
}

/**
 * The compose file of a plan planned for the docker runtime (`planDevnet(topology, { runtime: 'docker', ... })`).
 * @example
 * const file = composeFile(plan, { image: 'op-devnet-lite:3f2a9c0d1e4b', filesDir: './devnet' })
 * file.services.sequencer.ports // ['127.0.0.1:9545:9545', '127.0.0.1:7545:7545', '127.0.0.1:9222:9222']
 */
export function composeFile(plan: DevnetPlan, options: ComposeOptions): ComposeFile {
  const filesDir = bindPath(options.filesDir)
  const services: Record<string, ComposeService> = {}
  const used = new Map<LinkClass, ContainerNetwork>()
  for (const planned of plan.services) {
    // Compose services dial each other by name: every link resolves to its target.
    const service = resolveLinks(planned, (link) => link.target)
    const c = containerSpec(service, plan.name)
    for (const network of c.networks) used.set(network.link, network)
    services[service.name] = composeService(plan.name, service, c, options, filesDir)
  }
  const networks: Partial<Record<LinkClass, ComposeNetwork>> = {}
  for (const link of linkClasses) {
    const network = used.get(link)
    if (!network) continue
    networks[link] = {
      name: network.name,
      driver: 'bridge',
      ...(network.internal ? { internal: true } : {}),
      labels: resourceLabels(plan.name, 'network', { [labels.link]: link }),
    }
  }
  return { name: projectName(plan.name), services, networks }
}

/**
 * {@link composeFile} as YAML, with `header` (if any) as a leading comment.
 * @example
 * writeFileSync('compose/devnet.yaml', composeYaml(plan, { image, filesDir: './devnet', header: 'generated by devnet compose' }))
 */
export function composeYaml(plan: DevnetPlan, options: ComposeOptions & { header?: string }): string {
  // YAML 1.1 scalars quoted (`"0:0"`, `"yes"`): docker-compose v1 parses with PyYAML, a YAML 1.1 parser
  const doc = new Document(composeFile(plan, options), { version: '1.1' })
  if (options.header) doc.commentBefore = options.header.split('\n').map((line) => ` ${line}`).join('\n')
  return doc.toString({ lineWidth: 0 })
}

/**
 * The exec-form healthcheck command of a readiness plan, probing the container port (inside the
 * container, so no docker-proxy in the way): `rpc` POSTs the method and exits 0 on a `result`, `port`
 * exits 0 once a TCP connection opens; both exit 1 otherwise.
 */
export function healthcheckTest(service: ServicePlan): string[] {
  return ['CMD', 'node', '-e', healthcheckScript(service.readiness, service)]
}

function healthcheckScript(readiness: ReadinessPlan, service: ServicePlan): string {
  const port = service.ports[readiness.port]
  if (!port) throw new DevnetError(`service "${service.name}": readiness port "${readiness.port}" is not one of its ports`)
  const timeout = composeDefaults.probeTimeoutMs
  const fail = '()=>process.exit(1)'
  switch (readiness.kind) {
    case 'rpc': {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: readiness.method, params: readiness.params ?? [] })
      return (
        `require('http').request('http://127.0.0.1:${port.port}',{method:'POST',headers:{'content-type':'application/json'},timeout:${timeout}},` +
        `r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>{try{const j=JSON.parse(d);process.exit(r.statusCode<400&&j&&'result' in j&&!j.error?0:1)}catch{process.exit(1)}})})` +
        `.on('error',${fail}).on('timeout',${fail}).end(${JSON.stringify(body)})`
      )
    }
    case 'http':
      return (
        `require('http').get('http://127.0.0.1:${port.port}${readiness.path}',{timeout:${timeout}},` +
        `r=>{r.resume();process.exit(r.statusCode>=200&&r.statusCode<300?0:1)}).on('error',${fail}).on('timeout',${fail})`
      )
    case 'port':
      return `require('net').connect(${port.port},'127.0.0.1').on('connect',()=>process.exit(0)).on('error',${fail}).setTimeout(${timeout},${fail})`
    default:
      throw new DevnetError(`service "${service.name}": unknown readiness kind ${JSON.stringify((readiness as { kind: unknown }).kind)}`)
  }
}

function composeService(devnet: string, service: ServicePlan, c: ContainerSpec, options: ComposeOptions, filesDir: string): ComposeService {
  return {
    container_name: c.name,
    image: options.image,
    entrypoint: c.entrypoint.map(escape),
    command: c.command.map(escape),
    working_dir: c.workingDir,
    ...(options.user ? { user: options.user } : {}),
    init: c.init,
    volumes: [`${filesDir}/${service.name}:${c.workingDir}`],
    environment: Object.fromEntries(Object.entries(c.env).map(([key, value]) => [key, escape(value)])),
    ports: c.ports.map((p) => `${c.hostIp}:${p.host}:${p.container}${p.udp ? '/udp' : ''}`),
    ...(Object.keys(c.sysctls).length ? { sysctls: { ...c.sysctls } } : {}),
    ...(c.cpuShares ? { cpu_shares: c.cpuShares } : {}),
    // compose connects networks by descending priority: rpc first, as the runtime does
    networks: Object.fromEntries(c.networks.map((n, i) => [n.link, { aliases: [n.alias], ...(i === 0 && c.networks.length > 1 ? { priority: 100 } : {}) }])),
    ...(service.dependsOn.length ? { depends_on: Object.fromEntries(service.dependsOn.map((d) => [d, { condition: 'service_healthy' as const }])) } : {}),
    healthcheck: {
      test: healthcheckTest(service).map(escape),
      interval: duration(composeDefaults.healthIntervalMs),
      timeout: duration(composeDefaults.healthTimeoutMs),
      retries: composeDefaults.healthRetries,
      start_period: duration(composeDefaults.healthStartPeriodMs),
    },
    stop_grace_period: duration(Math.max(1, Math.ceil(defaults.stopGraceMs / 1000)) * 1000),
    logging: { driver: c.logConfig.type, options: { ...c.logConfig.config } },
    labels: resourceLabels(devnet, 'service', { [labels.service]: service.name }),
  }
}

function resourceLabels(devnet: string, kind: string, extra: Record<string, string>): Record<string, string> {
  return {
    [labels.session]: composeDefaults.session,
    [labels.devnet]: devnet,
    [labels.kind]: kind,
    ...extra,
    [labels.detached]: 'true',
  }
}

/** Compose interpolates `$`: a literal one is `$$`. */
function escape(value: string): string {
  return value.replaceAll('$', '$$$$')
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`
}

function bindPath(dir: string): string {
  const trimmed = dir.replace(/\/+$/, '') || '.'
  return trimmed.startsWith('/') || trimmed === '.' || trimmed === '..' || trimmed.startsWith('./') || trimmed.startsWith('../') ? trimmed : `./${trimmed}`
}

function projectName(devnet: string): string {
  const name = devnet.toLowerCase().replace(/[^a-z0-9_-]/g, '-')
  return /^[a-z0-9]/.test(name) ? name : `d${name}`
}
