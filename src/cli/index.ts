/** Entry point of the `devnet` command (`bin/devnet.js` imports the compiled copy). */
import { run } from './program.js'

process.exit(await run(process.argv))
