/**
 * Configuration of the lite L1 clock, written by the planner as `config.json` and passed as
 * `l1-clock config.json`.
 */
export interface L1ClockConfig {
  name: string
  /** The L1 anvil it mines (started with `--no-mining`). */
  l1Rpc: string
  /** L1 block time, chain seconds (`l1.blockTime`): one block per slot. */
  blockTime: number
  /** Slot 0, seconds (the devnet's genesis time): slot k is at `genesisTime + k * blockTime`. */
  genesisTime: number
  /**
   * Mine nothing until `l1clock_resume` (the start's last step), unless L1 already has blocks past genesis
   * (this program restarted under a running devnet).
   */
  held: boolean
  host: string
  ports: { rpc: number }
}
