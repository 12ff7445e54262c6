/**
 * A minimal, streaming tar writer (ustar + PAX for long names) for build contexts. The engine takes an
 * uncompressed tar: no gzip pass (dockerode's own context packing gzips ~80 MB in JS, seconds of CPU).
 */
import { lstat, readFile, readlink } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'

const block = 512

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`
}

function header(fields: { name: string; mode: number; size: number; mtime: number; type: '0' | '2' | 'x'; linkname?: string }): Buffer {
  const buffer = Buffer.alloc(block)
  buffer.write(fields.name, 0, 100, 'utf8')
  buffer.write(octal(fields.mode & 0o7777, 8), 100, 'ascii')
  buffer.write(octal(0, 8), 108, 'ascii') // uid
  buffer.write(octal(0, 8), 116, 'ascii') // gid
  buffer.write(octal(fields.size, 12), 124, 'ascii')
  buffer.write(octal(Math.max(0, Math.floor(fields.mtime)), 12), 136, 'ascii')
  buffer.write('        ', 148, 'ascii') // checksum placeholder
  buffer.write(fields.type, 156, 'ascii')
  if (fields.linkname) buffer.write(fields.linkname, 157, 100, 'utf8')
  buffer.write('ustar\0', 257, 'ascii')
  buffer.write('00', 263, 'ascii')
  let sum = 0
  for (const byte of buffer) sum += byte
  buffer.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii')
  return buffer
}

function padding(size: number): Buffer {
  return Buffer.alloc((block - (size % block)) % block)
}

/** A PAX record `"<len> key=value\n"`, where `<len>` counts the whole record including itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`
  let length = Buffer.byteLength(body) + 1
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body)
  return `${length}${body}`
}

function needsPax(value: string): boolean {
  return Buffer.byteLength(value) > 99 || /[^\x20-\x7e]/.test(value)
}

/** A tar member: a file (or symlink) on disk, or bytes given directly. */
export type TarEntry = { path: string; file: string } | { path: string; content: Buffer; mode?: number }

async function* entries(members: Iterable<TarEntry>): AsyncGenerator<Buffer> {
  for (const member of members) {
    const { path } = member
    let content: Buffer
    let mode = 0o644
    let mtime = 0
    let linkname: string | undefined
    if ('file' in member) {
      const stat = await lstat(member.file)
      mode = stat.mode
      mtime = stat.mtimeMs / 1000
      if (stat.isSymbolicLink()) linkname = await readlink(member.file)
      content = linkname === undefined ? await readFile(member.file) : Buffer.alloc(0)
    } else {
      content = member.content
      mode = member.mode ?? mode
    }
    const records = (needsPax(path) ? paxRecord('path', path) : '') + (linkname && needsPax(linkname) ? paxRecord('linkpath', linkname) : '')
    if (records) {
      const pax = Buffer.from(records, 'utf8')
      yield header({ name: 'PaxHeader', mode: 0o644, size: pax.length, mtime, type: 'x' })
      yield pax
      yield padding(pax.length)
    }
    yield header({
      name: needsPax(path) ? path.slice(-99).replace(/[^\x20-\x7e]/g, '_') : path,
      mode,
      size: content.length,
      mtime,
      type: linkname === undefined ? '0' : '2',
      linkname: linkname && !needsPax(linkname) ? linkname : undefined,
    })
    if (content.length) {
      yield content
      yield padding(content.length)
    }
  }
  yield Buffer.alloc(block * 2)
}

/** Files under `root` (relative, `/`-separated paths) as tar entries of the same paths. */
export function filesUnder(root: string, files: string[]): TarEntry[] {
  return files.map((path) => ({ path, file: join(root, path) }))
}

/**
 * A tar stream of `members` (regular files and symlinks), owned by root, with their modes and mtimes.
 * Directories are implied by the paths.
 * @example
 * await docker.buildImage(tarStream(filesUnder(repoRoot, ['docker/Dockerfile', 'dist/index.js'])), { t: 'x' })
 */
export function tarStream(members: Iterable<TarEntry>): Readable {
  return Readable.from(entries(members), { objectMode: false })
}

/** The whole tar of `members` in memory (to nest it in another tar). */
export async function tarBuffer(members: Iterable<TarEntry>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of entries(members)) chunks.push(chunk)
  return Buffer.concat(chunks)
}
