/** The op-devnet cache on this machine: built L1 states, the lite programs' code cache. */
import { homedir } from 'node:os'
import { join } from 'node:path'

/** `$DEVNET_CACHE_DIR`, else `$XDG_CACHE_HOME/op-devnet`, else `~/.cache/op-devnet`. */
export function cacheDir(): string {
  return process.env.DEVNET_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'op-devnet')
}

/**
 * Where the lite programs keep their V8 code cache (`components/main.ts`): `code/` for the process runtime,
 * `code-docker/` mounted into containers, whose node may be another build than the host's (V8 would
 * reject the other's cache, and the two would rewrite it in turn).
 */
export function codeCacheDir(runtime: 'process' | 'docker' = 'process'): string {
  return join(cacheDir(), runtime === 'process' ? 'code' : 'code-docker')
}
