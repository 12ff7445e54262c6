/**
 * A ring buffer of a service's last log lines, fed from its log file.
 *
 * Children write straight to the file (not through a pipe to this process), so a service keeps running and
 * logging when the CLI that started it exits (`devnet up --detach`). The buffer catches up on demand.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs'
import { StringDecoder } from 'node:string_decoder'

/** Read at most this much new output at once; older output stays in the file only. */
const maxCatchUpBytes = 1 << 20

export class LogTail {
  #lines: string[] = []
  #partial = ''
  #offset = 0
  #decoder = new StringDecoder('utf8')

  constructor(readonly file: string, readonly capacity: number) {}

  /** Ignore what the file holds so far (output of an earlier run). */
  skipExisting(): void {
    let size = 0
    try {
      size = statSync(this.file).size
    } catch {
      // no file yet
    }
    this.#lines = []
    this.#resetAt(size)
  }

  /** The last `n` lines, oldest first (a trailing line without newline included). */
  lines(n = this.capacity): string[] {
    this.#catchUp()
    const all = this.#partial ? [...this.#lines, this.#partial] : this.#lines
    return n > 0 ? all.slice(-n) : []
  }

  #catchUp(): void {
    let fd: number
    try {
      fd = openSync(this.file, 'r')
    } catch {
      return
    }
    try {
      const size = fstatSync(fd).size
      if (size < this.#offset) this.#resetAt(0) // truncated: start over
      if (size - this.#offset > maxCatchUpBytes) this.#resetAt(size - maxCatchUpBytes)
      const buffer = Buffer.alloc(size - this.#offset)
      let read = 0
      while (read < buffer.length) {
        const n = readSync(fd, buffer, read, buffer.length - read, this.#offset + read)
        if (n === 0) break
        read += n
      }
      this.#offset += read
      this.#push(this.#decoder.write(buffer.subarray(0, read)))
    } finally {
      closeSync(fd)
    }
  }

  #resetAt(offset: number): void {
    this.#offset = offset
    this.#partial = ''
    this.#decoder = new StringDecoder('utf8')
  }

  #push(text: string): void {
    if (!text) return
    const parts = (this.#partial + text).split('\n')
    this.#partial = parts.pop() ?? ''
    for (const line of parts) this.#lines.push(line.endsWith('\r') ? line.slice(0, -1) : line)
    if (this.#lines.length > this.capacity) this.#lines.splice(0, this.#lines.length - this.capacity)
  }
}
