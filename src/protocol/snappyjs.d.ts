/** Minimal types for `snappyjs` (block-format snappy, no framing). */
declare module 'snappyjs' {
  export function compress<T extends Uint8Array | ArrayBuffer>(input: T): T
  export function uncompress<T extends Uint8Array | ArrayBuffer>(input: T, maxLength?: number): T
  const snappy: {
    compress: typeof compress
    uncompress: typeof uncompress
  }
  export default snappy
}
