/**
 * The scenario runner: starts the scenario's devnet, records its history, runs the steps (waits,
 * expectations, faults, load, marks), checks the invariants continuously and at the end, writes the
 * reports and stops the devnet. `runScenario` is the library API; `devnet scenario run` wraps it.
 */
import { setMaxListeners } from 'node:events'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { keccak256, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { logFileName } from '../devnet/logs.js'
import { startDevnet } from '../devnet/start.js'
import type { Devnet } from '../devnet/started.js'
import { withdrawalRoundTrip } from '../devnet/withdrawal.js'
import { applyFault, newFaultState, type FaultContext } from '../faults/index.js'
import { checkInvariants } from '../invariants/index.js'
import { evaluateCondition, explainCondition, historyView, termValue } from './evaluate.js'
import type { History, Violation } from '../devnet/history.js'
import { loadScenario } from './load.js'
import { deriveSeed, drawSeed } from './random.js'
import { Recorder } from './recorder.js'
import { stalledAfter } from './stallWatch.js'
import { writeHtmlTimeline, writeJsonReport } from './report/index.js'
import { l2BlockOf, sendDeposit, sendDepositLoad } from './deposits.js'
import { sendTraffic } from './traffic.js'
import type { Scenario, ScenarioResult, Step, StepResult, WithdrawStep } from './types.js'

export interface RunScenarioOptions {
  runtime?: 'process' | 'docker'
  /** Where `<scenario>.json` and `<scenario>.html` go; no reports without it. */
  reportDir?: string
  /** Called once the devnet is up, before the first step (e.g. to act on it beside the steps). */
  onDevnet?: (devnet: Devnet) => void
  /** Progress: a step started or ended. */
  onStep?: (step: Step, result?: StepResult) => void
  /** A violation found while the run goes on (continuous checking). */
  onViolation?: (v: Violation) => void
  /** How long to let L1 and the nodes settle after the last step before the final checks. @default 3000 */
  settleMs?: number
  /**
   * Devnet clock speed (1 to 16): chain time runs this many times faster than wall time. Step times,
   * `sleep`, `within`, `timeout`, `for`, load durations and rates, `settleMs` and every history `t` are in
   * chain time, so a scenario and its invariants mean the same at any speed. @default 1
   */
  speed?: number
  /** Seed of every random choice (load timing and mix, the runtime's loss and jitter). @default the scenario's `seed`, else a fresh one (recorded in the result) */
  seed?: number
}

export interface RunScenarioReturnType {
  result: ScenarioResult
  history: History
}

/**
 * Runs one scenario file (or a loaded Scenario) end to end on a fresh devnet.
 * @example
 * const { result } = await runScenario('scenarios/l1-reorg-shallow.yaml', { runtime: 'process' })
 */
export async function runScenario(scenarioOrFile: Scenario | string, options: RunScenarioOptions = {}): Promise<RunScenarioReturnType> {
  const scenario = typeof scenarioOrFile === 'string' ? await loadScenario(scenarioOrFile) : scenarioOrFile
  const seed = options.seed ?? scenario.seed ?? drawSeed()
  const started = Date.now()
  const stateDir = mkdtempSync(join(tmpdir(), `op-devnet-scenario-${scenario.name}-`))
  // Ctrl-C exits the process without the finally below: the state dir goes at exit, after the runtime's own
  // exit hook killed the services (re-registered once the devnet started, so it runs last).
  const removeStateDir = () => rmSync(stateDir, { recursive: true, force: true })
  process.on('exit', removeStateDir)
  const topology = structuredClone(scenario.topology)
  topology.name = `sc-${scenario.name}`.slice(0, 31).replace(/-+$/, '')
  let devnet: Devnet | undefined
  let recorder: Recorder | undefined
  const steps: StepResult[] = []
  let error: ScenarioResult['error']
  let checker: NodeJS.Timeout | undefined
  try {
    devnet = await startDevnet({ topology, runtime: options.runtime, ports: 'auto', stateDir, seed, speed: options.speed })
    process.off('exit', removeStateDir).on('exit', removeStateDir)
    options.onDevnet?.(devnet)
    recorder = new Recorder(devnet, scenario.name, scenario.sampleMs)
    recorder.start()
    const rec = recorder
    const seen = new Set<string>()
    const invariantOptions = { except: scenario.invariants.except, ...scenario.invariants.options }
    checker = setInterval(() => {
      for (const v of checkInvariants(rec.history, invariantOptions).violations) {
        const key = `${v.invariant}:${v.t}:${v.message}`
        if (!seen.has(key)) {
          seen.add(key)
          options.onViolation?.(v)
        }
      }
    }, 2000)
    const ctx: FaultContext = { devnet, state: newFaultState(), record: (e) => rec.record(e) }
    const marks: Record<string, number> = {}
    const load: Array<Promise<void>> = []
    // A failed step skips the rest: the background loads stop too (one sending to a node left paused would
    // otherwise retry each transaction for its full timeout, for hours: a docker chaos run hung so).
    const stopLoads = new AbortController()
    // Every transaction a load has in flight waits on it (and removes its listener once done): dozens at once
    // under load are no leak, so no MaxListenersExceededWarning.
    setMaxListeners(0, stopLoads.signal)
    let aborted = false
    for (const step of scenario.steps) {
      if (aborted) {
        steps.push({ index: step.index, kind: step.kind, label: step.label, status: 'skipped', startedAt: rec.now(), durationMs: 0 })
        continue
      }
      if (step.atMs !== undefined) await rec.sleep(step.atMs - rec.now())
      options.onStep?.(step)
      const r = await runStep(step, { devnet, ctx, rec, marks, sampleMs: scenario.sampleMs, load, stopLoads: stopLoads.signal, seed })
      steps.push(r)
      options.onStep?.(step, r)
      if (r.status === 'failed' && step.kind !== 'expect') {
        aborted = true
        stopLoads.abort()
      }
    }
    await Promise.allSettled(load)
    await rec.sleep(options.settleMs ?? 3000)
  } catch (err) {
    error = { message: err instanceof Error ? err.message : String(err), ...(typeof (err as { code?: unknown }).code === 'string' ? { code: (err as { code: string }).code } : {}) }
  } finally {
    clearInterval(checker)
    await recorder?.stop()
    if (recorder && devnet) {
      await recorder.sampleDeposits(undefined, { final: true }).catch(() => {})
      await recorder.sampleGamesFinal().catch(() => {})
      await recorder.fillCanonical().catch(() => {})
    }
    await devnet?.stop().catch(() => {})
  }
  try {
    return await finish()
  } finally {
    removeStateDir()
    process.off('exit', removeStateDir)
  }

  async function finish(): Promise<RunScenarioReturnType> {
    const history = recorder?.history ?? emptyHistory(scenario.name, options.runtime ?? 'process')
    const { checked, violations } = recorder ? checkInvariants(history, { except: scenario.invariants.except, ...scenario.invariants.options }) : { checked: [], violations: [] }
    const result: ScenarioResult = {
      scenario: scenario.name,
      file: scenario.file,
      runtime: history.runtime,
      seed,
      speed: options.speed ?? 1,
      passed: !error && violations.length === 0 && steps.every((s) => s.status !== 'failed'),
      durationMs: Date.now() - started,
      steps,
      invariants: checked,
      violations,
      ...(error ? { error } : {}),
    }
    if (options.reportDir) {
      const dir = resolve(options.reportDir)
      mkdirSync(dir, { recursive: true })
      await writeJsonReport(history, result, join(dir, `${scenario.name}.json`))
      await writeHtmlTimeline(history, result, join(dir, `${scenario.name}.html`))
      if (!result.passed) keepLogs(stateDir, join(dir, `${scenario.name}-logs`))
    }
    return { result, history }
  }
}

/** Copies every service's log of a failed run (`<stateDir>/<service>/service.log`) to `<to>/<service>.log`. */
function keepLogs(stateDir: string, to: string): void {
  for (const service of readdirSync(stateDir)) {
    const file = join(stateDir, service, logFileName)
    if (!existsSync(file)) continue
    mkdirSync(to, { recursive: true })
    copyFileSync(file, join(to, `${service}.log`))
  }
}

interface StepEnv {
  devnet: Devnet
  ctx: FaultContext
  /** The run's seed; each load step draws from its own seed derived from it and the step's index. */
  seed: number
  rec: Recorder
  marks: Record<string, number>
  sampleMs: number
  load: Array<Promise<void>>
  /** Aborted when the run stops early: the background loads stop sending. */
  stopLoads: AbortSignal
}

async function runStep(step: Step, env: StepEnv): Promise<StepResult> {
  const { rec, marks } = env
  const startedAt = rec.now()
  const done = (status: StepResult['status'], message?: string, evidence?: unknown[]): StepResult => ({
    index: step.index,
    kind: step.kind,
    label: step.label,
    status,
    startedAt,
    durationMs: rec.now() - startedAt,
    ...(message ? { message } : {}),
    ...(evidence ? { evidence } : {}),
  })
  const view = () => historyView(rec.history, marks)
  rec.record({ kind: 'step-start', name: step.label })
  try {
    switch (step.kind) {
      case 'wait':
      case 'expect': {
        if (step.kind === 'expect' && step.mode === 'always') {
          const end = rec.now() + step.forMs
          while (rec.now() < end) {
            if (!evaluateCondition(step.condition, view())) {
              const v = view()
              rec.record({ kind: 'expect-fail', name: step.label, details: { saw: explainCondition(step.condition, v) } })
              return done('failed', `does not hold: ${explainCondition(step.condition, v)}`, [v.heads])
            }
            await rec.sleep(env.sampleMs)
          }
          rec.record({ kind: 'expect-pass', name: step.label })
          return done('passed')
        }
        const limit = step.kind === 'wait' ? step.timeoutMs : step.withinMs
        const start = rec.now()
        while (!evaluateCondition(step.condition, view())) {
          // A host stall (nothing ran) does not count against the limit: the chain could not move then.
          if (rec.now() > start + limit + stalledAfter(rec.history.stalls ?? [], start)) {
            const v = view()
            if (step.kind === 'expect') rec.record({ kind: 'expect-fail', name: step.label, details: { saw: explainCondition(step.condition, v) } })
            return done('failed', `not met within ${limit} ms: ${explainCondition(step.condition, v)}`, [v.heads])
          }
          await rec.sleep(env.sampleMs)
        }
        if (step.kind === 'expect') rec.record({ kind: 'expect-pass', name: step.label })
        return done('passed', explainCondition(step.condition, view()))
      }
      case 'fault':
        await applyFault(env.ctx, step.fault)
        await rec.sample() // see the fault's first effect in the next condition
        return done('passed')
      case 'sleep':
        await rec.sleep(step.ms)
        return done('passed')
      case 'mark': {
        const value = termValue(step.value, view())
        if (value === undefined) return done('failed', `no value for ${step.label} yet`)
        marks[step.name] = value
        return done('passed', `${step.name} = ${value}`)
      }
      case 'deposit': {
        const end = rec.now() + step.timeoutMs
        const deposit = await sendDeposit(env.devnet, { mint: step.mint, to: step.to, timeoutMs: step.timeoutMs })
        const node = step.node ?? rec.history.nodes[0]
        let block = await l2BlockOf(env.devnet, node, deposit.l2Hash).catch(() => null)
        while (!block && rec.now() < end) {
          await rec.sleep(100)
          block = await l2BlockOf(env.devnet, node, deposit.l2Hash).catch(() => null)
        }
        const details = { l1Block: deposit.l1.number, l1BlockHash: deposit.l1.hash, logIndex: deposit.logIndex, l2Hash: deposit.l2Hash, l2Block: block?.number }
        rec.record({ kind: 'note', name: 'deposit', targets: [node], details })
        if (!block) return done('failed', `deposit ${deposit.l2Hash} (L1 block ${deposit.l1.number}) not on ${node} within ${step.timeoutMs} ms`)
        if (step.mark) marks[step.mark] = deposit.l1.number
        await rec.sampleDeposits() // the history holds the deposit on L2 before any later step acts
        return done('passed', `deposit ${deposit.l2Hash}: L1 block ${deposit.l1.number}, ${node} block ${block.number}`)
      }
      case 'load': {
        const seed = deriveSeed(env.seed, step.index)
        // rate and duration are chain time: the same transactions, sent `speed` times faster on the wall.
        const speed = env.devnet.clock.speed
        const wall = { rate: step.rate * speed, durationMs: step.durationMs / speed }
        if (step.tx === 'deposits') {
          env.load.push(sendDepositLoad(env.devnet, seed, { ...step, ...wall, signal: env.stopLoads }).then(({ sent, failed, firstError }) => {
            rec.record({ kind: 'note', name: 'load', targets: ['l1'], details: { seed, tx: 'deposits', sent, failed, ...(firstError ? { firstError } : {}) } })
          }))
          return done('passed', `sending ${step.rate} deposits/s for ${step.durationMs} ms in the background (seed ${seed})`)
        }
        const tx = step.tx === 'withdrawals' ? step.tx : undefined
        const sending = sendTraffic(env.devnet, seed, { ...step, ...wall, tx, signal: env.stopLoads, onCall: (c) => rec.recordCall(c) }).then(({ sent, failed, landed, missing, rebroadcast }) => {
          rec.record({ kind: 'note', name: 'load', targets: [step.node ?? rec.history.nodes[0]], details: { seed, ...(tx ? { tx } : {}), sent, failed, landed, missing, rebroadcast } })
        })
        env.load.push(sending)
        return done('passed', `sending ${step.rate} ${tx ?? 'tx'}/s for ${step.durationMs} ms in the background (seed ${seed})`)
      }
      case 'withdraw': {
        const { value, finalized, at } = await withdraw(env.devnet, step)
        rec.record({ kind: 'note', name: 'withdrawal', details: { value: step.value, gameIndex: finalized.game.index, l2Block: finalized.game.l2Block, ...at } })
        return done('passed', `${value} wei arrived on L1: game ${finalized.game.index} (L2 block ${finalized.game.l2Block}), finalized ${at.finalized} ms after initiating`)
      }
    }
  } catch (err) {
    return done('failed', err instanceof Error ? err.message : String(err))
  } finally {
    rec.record({ kind: 'step-end', name: step.label })
  }
}

/** Runs a withdraw step: the round trip, then the L1 balance of the recipient must have grown by the value. */
async function withdraw(devnet: Devnet, step: WithdrawStep) {
  const account = privateKeyToAccount(devnet.keys.accounts[step.account].privateKey)
  // A recipient of its own, so the balance check sees only this withdrawal.
  const to = privateKeyToAccount(keccak256(stringToHex(`${devnet.name}/withdraw/${step.index}`))).address
  const before = await devnet.l1.getBalance({ address: to })
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the withdrawal did not finalize within ${step.withinMs} ms`)), step.withinMs / devnet.clock.speed)
  })
  try {
    const finalized = await Promise.race([withdrawalRoundTrip(devnet, { account, to, value: BigInt(step.value), timeoutMs: step.withinMs }), timeout])
    const value = (await devnet.l1.getBalance({ address: to })) - before
    if (value !== BigInt(step.value)) throw new Error(`finalized, but ${to} received ${value} wei on L1 instead of ${step.value}`)
    return { value, finalized, at: { initiated: finalized.initiatedAt, ...finalized.at } }
  } finally {
    clearTimeout(timer)
  }
}

function emptyHistory(scenario: string, runtime: 'process' | 'docker'): History {
  return { scenario, runtime, startedAt: Date.now(), nodes: [], samples: [], l1: [], agreement: [], outputs: [], events: [], proxyd: [], clients: [], l1Canonical: {} }
}
