/**
 * op-bootnode's command line: op-node's p2p and RPC flag names (env prefix `OP_BOOTNODE_`), the ones a
 * discv5-only node uses. `--rollup.config` gives the chain ID of the `opstack` ENR entry.
 */
import { readFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import type { Hex } from 'viem'

export interface BootnodeConfig {
  chainId: number
  listenIp: string
  udpPort: number
  /** IP or hostname (resolved at start) put in the ENR; default the listen IP. */
  advertiseIp?: string
  privateKey: Hex
  bootnodes: string[]
  discoveryPath: string
  rpc: { addr: string; port: number }
}

function uint(flag: string) {
  return (v: string) => {
    if (!/^\d+$/.test(v) || Number(v) > 65_535) throw new Error(`${flag}: expected a port number, got "${v}"`)
    return Number(v)
  }
}

function bootnodeCommand(): Command {
  const o = (flags: string, desc: string, envName: string) => new Option(flags, desc).env(`OP_BOOTNODE_${envName}`)
  return new Command('bootnode')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined })
    .addOption(o('--rollup.config <path>', 'rollup.json (chain ID of the opstack ENR entry)', 'ROLLUP_CONFIG'))
    .addOption(o('--p2p.listen.ip <ip>', 'discv5 bind IP', 'P2P_LISTEN_IP').default('0.0.0.0'))
    .addOption(o('--p2p.listen.tcp <port>', 'TCP port (the UDP port when --p2p.listen.udp is 0)', 'P2P_LISTEN_TCP_PORT').default(9222).argParser(uint('--p2p.listen.tcp')))
    .addOption(o('--p2p.listen.udp <port>', 'discv5 UDP port; 0 = the TCP port', 'P2P_LISTEN_UDP_PORT').default(0).argParser(uint('--p2p.listen.udp')))
    .addOption(o('--p2p.advertise.ip <ip>', 'IP or hostname put in the ENR', 'P2P_ADVERTISE_IP'))
    .addOption(o('--p2p.priv.raw <hex>', 'hex secp256k1 identity key', 'P2P_PRIV_RAW'))
    .addOption(o('--p2p.priv.path <path>', 'file holding the hex identity key', 'P2P_PRIV_PATH'))
    .addOption(o('--p2p.bootnodes <enrs>', 'comma-separated ENRs of other bootnodes', 'P2P_BOOTNODES').default(''))
    .addOption(o('--p2p.discovery.path <path>', 'discovered-ENR file, or memory', 'P2P_DISCOVERY_PATH').default('opnode_discovery_db'))
    .addOption(o('--rpc.addr <host>', 'RPC listen address', 'RPC_ADDR').default('127.0.0.1'))
    .addOption(o('--rpc.port <port>', 'RPC listen port', 'RPC_PORT').default(9545).argParser(uint('--rpc.port')))
}

/** Parses the bootnode's flags (and environment); throws naming the flag on bad input. */
export function parseBootnodeFlags(args: string[]): BootnodeConfig {
  const cmd = bootnodeCommand()
  try {
    cmd.parse(args, { from: 'user' })
  } catch (err) {
    throw new Error(`bootnode flags: ${(err as Error).message.replace(/^error: /, '')}`)
  }
  const v = cmd.opts<Record<string, string | number | undefined>>()
  const get = (flag: string) => v[cmd.options.find((o) => o.long === `--${flag}`)!.attributeName()]
  const rollupPath = get('rollup.config') as string | undefined
  if (rollupPath === undefined) throw new Error('bootnode flags: missing required flag --rollup.config')
  const chainId = Number((JSON.parse(readFileSync(rollupPath, 'utf8')) as { l2_chain_id?: unknown }).l2_chain_id)
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new Error(`${rollupPath}: l2_chain_id: expected a positive integer`)
  const rawKey = (get('p2p.priv.raw') as string | undefined) ?? readKeyFile(get('p2p.priv.path') as string | undefined)
  const key = rawKey.trim().replace(/^0x/, '')
  if (!/^[0-9a-fA-F]{64}$/.test(key)) throw new Error('bootnode flags: --p2p.priv.raw: expected a 32-byte hex key')
  const udp = get('p2p.listen.udp') as number
  return {
    chainId,
    listenIp: get('p2p.listen.ip') as string,
    udpPort: udp === 0 ? (get('p2p.listen.tcp') as number) : udp,
    ...(get('p2p.advertise.ip') ? { advertiseIp: get('p2p.advertise.ip') as string } : {}),
    privateKey: `0x${key}`,
    bootnodes: String(get('p2p.bootnodes')).split(',').map((s) => s.trim()).filter(Boolean),
    discoveryPath: get('p2p.discovery.path') as string,
    rpc: { addr: get('rpc.addr') as string, port: get('rpc.port') as number },
  }
}

function readKeyFile(path: string | undefined): string {
  if (path === undefined) throw new Error('bootnode flags: give --p2p.priv.raw or --p2p.priv.path')
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new Error(`bootnode flags: --p2p.priv.path: ${(err as Error).message}`)
  }
}
