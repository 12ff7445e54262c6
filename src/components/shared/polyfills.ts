/**
 * Runtime polyfills needed on Node 20. Import this module before anything that
 * uses them (js-libp2p 3 calls `Promise.withResolvers`, native only from Node 22).
 * Every polyfill is a no-op where the runtime already provides the feature.
 */

interface Resolvers<T> {
  promise: Promise<T>
  resolve: (value: T | PromiseLike<T>) => void
  reject: (reason?: unknown) => void
}

const PromiseCtor = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> }

if (typeof PromiseCtor.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
      let resolve!: Resolvers<T>['resolve']
      let reject!: Resolvers<T>['reject']
      // `this` keeps subclass semantics (`MyPromise.withResolvers()`), like the native method.
      const promise = new this<T>((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    },
  })
}

export {}
