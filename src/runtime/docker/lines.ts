/**
 * A ring buffer of a service's last log lines, fed from the container's output as it arrives
 * (stdout and stderr each keep their own unfinished line, so the two never mix within a line).
 */
import { StringDecoder } from 'node:string_decoder'

export class LineRing {
  #lines: string[] = []
  readonly #partial = new Map<string, { text: string; decoder: StringDecoder }>()

  constructor(readonly capacity: number) {}

  /** Adds a chunk of output from `source` (e.g. `stdout`). */
  push(source: string, chunk: Buffer): void {
    let partial = this.#partial.get(source)
    if (!partial) this.#partial.set(source, (partial = { text: '', decoder: new StringDecoder('utf8') }))
    const parts = (partial.text + partial.decoder.write(chunk)).split('\n')
    partial.text = parts.pop() ?? ''
    for (const line of parts) this.#lines.push(line.endsWith('\r') ? line.slice(0, -1) : line)
    if (this.#lines.length > this.capacity) this.#lines.splice(0, this.#lines.length - this.capacity)
  }

  /** The last `n` lines, oldest first (unfinished lines included at the end). */
  lines(n = this.capacity): string[] {
    const pending = [...this.#partial.values()].map((partial) => partial.text).filter(Boolean)
    const all = pending.length ? [...this.#lines, ...pending] : this.#lines
    return n > 0 ? all.slice(-n) : []
  }

  /** Ends the unfinished lines (the output stream closed). */
  flush(): void {
    for (const partial of this.#partial.values()) {
      const rest = partial.text + partial.decoder.end()
      if (rest) this.#lines.push(rest)
      partial.text = ''
      partial.decoder = new StringDecoder('utf8')
    }
    if (this.#lines.length > this.capacity) this.#lines.splice(0, this.#lines.length - this.capacity)
  }
}
