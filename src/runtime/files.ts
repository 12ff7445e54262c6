/** Writing a service's planned files into its directory, shared by every runtime. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { ServiceError } from '../errors.js'

/** Writes `files` (relative path -> content) under `dir`; refuses paths that escape it. */
export function writeServiceFiles(service: string, dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true })
  for (const [path, content] of Object.entries(files)) {
    const target = resolve(dir, path)
    const inside = relative(dir, target)
    if (!inside || inside.startsWith('..') || isAbsolute(inside)) {
      throw new ServiceError(service, `file path "${path}" escapes the service directory`)
    }
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, content)
  }
}
