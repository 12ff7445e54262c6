/**
 * The lite OP Stack programs by name, and `runProgram`, which runs one: `<component> [args...]`. Each
 * component is its own program (own process or container), like its official counterpart. The launcher
 * (`main.ts`) loads this module, or its CommonJS bundle with V8's code cache.
 */
const components: Record<string, () => Promise<{ main(args: string[]): Promise<void> }>> = {
  'rollup-node': () => import('./rollup-node/main.js'),
  batcher: () => import('./batcher/index.js'),
  challenger: () => import('./challenger/index.js'),
  proposer: () => import('./proposer/index.js'),
  conductor: () => import('./conductor/index.js'),
  proxyd: () => import('./proxyd/index.js'),
  links: () => import('./links/index.js'),
  bootnode: () => import('./bootnode/index.js'),
}

/** Runs the program `argv[0]` with the rest as its arguments; a failure prints it and exits 1. */
export function runProgram(argv: string[]): void {
  const [name, ...args] = argv
  const load = name ? components[name] : undefined
  if (!load) {
    console.error(`usage: main.js <${Object.keys(components).join('|')}> [config.json]`)
    process.exit(2)
  }
  // In a container whose links go through a link proxy (docker runtime without sch_netem), the proxy runs
  // in front of the component, in the same network namespace: `DEVNET_LINKS` holds its `LinksConfig`.
  const links = process.env.DEVNET_LINKS
  const proxyReady = links ? import('./links/index.js').then((m) => m.serveLinks(JSON.parse(links))) : Promise.resolve()
  proxyReady
    .then(load)
    .then((m) => m.main(args))
    .catch((err: unknown) => {
      console.error(`${name} failed:`, err instanceof Error ? (err.stack ?? err.message) : err)
      process.exit(1)
    })
}
