/** Process lifecycle of a lite component: stop cleanly on SIGTERM / SIGINT, then exit. */
export function stopOnSignals(stop: () => Promise<void>): void {
  const shutdown = async () => {
    await stop()
    process.exit(0)
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}
