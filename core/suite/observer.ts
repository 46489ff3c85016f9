/**
 * The head-to-head observer: what a suite measures about every run from outside the method.
 * Per step it adds to the log line the flatness (the method's own Newton r when it reports
 * one, else a probe every k steps), the method's cumulative work in HVP-equivalents and its
 * wall time without probes. Per run it keeps, for the summary ([GF] §4.2: do methods leave
 * gradient-flat regions, and at what cost?):
 *   lossAt        loss of θ_k for each k in `lossAfter` (loss drop = start loss − lossAt[k]);
 *                 a run that stopped before step k counts with the point it stopped at
 *   flat          first step certified flat, and the step at which the run left. With spectral
 *                 probes (the default, every method alike): flat = the share bracket at τ_flat
 *                 certainly ≥ s_flat (evaluation.thresholds.flatTau / flatShare); left = the
 *                 first of `leaveWindow` consecutive measurements after that, each certified
 *                 not-flat (an undecided one breaks the run: leaving is never guessed). A
 *                 function of θ alone, which no truncated Krylov solve can move. With newton
 *                 probes (the paper's measure, chosen explicitly): flat = r > flatR; left = in
 *                 the first window of `leaveWindow` consecutive measurements whose mean falls
 *                 below leaveR, the first measurement below leaveR (r is noisy from step to
 *                 step, [GF] Fig. 3B smooths it too; reporting the window's first low value
 *                 rather than its end keeps the answer to the probe interval, not interval ×
 *                 window).
 *   steps         largest ‖θ_{k+1} − θ_k‖ / ‖θ_k‖ and how many steps exceeded blowUpRatio
 *   targets       first step, work and wall time at which loss ≤ target.loss / ‖g‖² ≤ target.gradNormSq
 */
import { NewtonSolveWorkspace } from '../newton/direction.js';
import { DEFAULT_FLATNESS_CRITERION, shareAt, type FlatnessVerdict } from '../analysis/spectral-flatness.js';
import { norm2 } from '../linalg/vector.js';
import { addCounters, emptyCounters, workUnits, type OracleCounters } from '../oracle/oracle.js';
import type { Rng, RngState } from '../random/rng.js';
import type { RunObserver } from '../run/run-one.js';
import type { MeasuredStepMetrics, StepperState } from '../stepper/stepper.js';
import type { Oracle } from '../oracle/oracle.js';
import { probeFlatness, type ProbeSettings } from './probes.js';

export interface ObserverSettings {
  probe: ProbeSettings;
  /** True when the method reports the paper's r itself (StepMetrics.newton): no probe needed. */
  methodReportsFlatness: boolean;
  lossAfter: readonly number[];
  flatR: number;
  leaveR: number;
  leaveWindow: number;
  blowUpRatio: number;
  targets: { loss?: number; gradNormSq?: number };
  /** Buffers of newton probes' solves, reused by every probe (default: the observer makes one). */
  workspace?: NewtonSolveWorkspace;
}

export interface TargetHit {
  step: number;
  work: number;
  wallMs: number;
}

export interface ObservedRun {
  lossAt: Record<string, number>;
  /**
   * The flatness measure, counts and steps, kept compact for the summary. `by`: 'spectral' (the
   * certified verdict; lastR/maxR are then the share at τ_flat, and `undecided` counts the
   * measurements whose bracket straddled s_flat) or 'r' (the paper's r). Records written before
   * `by` existed used r.
   */
  flat: { by?: 'spectral' | 'r'; measured: number; firstFlatStep: number | null; leftAtStep: number | null; lastR: number | null; maxR: number | null; undecided?: number };
  steps: { maxStepRatio: number; blowUps: number };
  targets: { loss?: TargetHit | null; gradNormSq?: TargetHit | null };
  /** The method's own work (HVP-equivalents) and wall time, probes excluded. */
  work: number;
  wallMs: number;
}

interface ObserverCheckpoint {
  probeWork: OracleCounters; probeMs: number; elapsedMs: number; work: number; lossAt: Record<string, number>; measured: number;
  firstFlat: number | null; left: number | null; lastR: number | null; maxR: number | null; maxStepRatio: number; blowUps: number;
  targets: ObservedRun['targets']; recent: Array<[step: number, r: number]>; rng: RngState;
  /** Spectral verdicts: the current run of certified not-flat measurements (its first step, its length), and the undecided count. */
  notFlatRun?: [step: number, length: number]; undecided?: number;
}

export function headToHeadObserver(oracle: Oracle, s: ObserverSettings, rng: Rng): RunObserver {
  let probeWork: OracleCounters = emptyCounters();
  let probeMs = 0;
  let t0 = performance.now();
  let work = 0;
  const lossAt: Record<string, number> = {};
  const wanted = new Set(s.lossAfter);
  let measured = 0;
  let firstFlat: number | null = null;
  let left: number | null = null;
  let lastR: number | null = null;
  let maxR: number | null = null;
  let maxStepRatio = 0;
  let blowUps = 0;
  const targets: ObservedRun['targets'] = {};
  if (s.targets.loss !== undefined) targets.loss = null;
  if (s.targets.gradNormSq !== undefined) targets.gradNormSq = null;
  const methodMs = () => performance.now() - t0 - probeMs;
  let workspace = s.workspace;

  const atState = (st: { iteration: number; loss: number; gradNormSq: number }) => {
    if (wanted.has(st.iteration)) lossAt[st.iteration] = st.loss;
    const hit = (): TargetHit => ({ step: st.iteration, work, wallMs: methodMs() });
    if (targets.loss === null && st.loss <= s.targets.loss!) targets.loss = hit();
    if (targets.gradNormSq === null && st.gradNormSq <= s.targets.gradNormSq!) targets.gradNormSq = hit();
  };

  let recent: Array<[step: number, r: number]> = [];
  let notFlatRun: [step: number, length: number] = [0, 0];
  let undecided = 0;
  // Spectral probes: the certified verdict decides; the share at τ_flat is kept as lastR/maxR.
  const noteVerdict = (k: number, verdict: FlatnessVerdict, share: number) => {
    measured++;
    if (Number.isFinite(share)) {
      lastR = share;
      maxR = Math.max(maxR ?? share, share);
    }
    if (verdict === 'undecided') undecided++;
    if (firstFlat === null) {
      if (verdict === 'flat') firstFlat = k;
      return;
    }
    if (left !== null) return;
    notFlatRun = verdict === 'not-flat' ? [notFlatRun[1] === 0 ? k : notFlatRun[0], notFlatRun[1] + 1] : [0, 0];
    if (notFlatRun[1] >= s.leaveWindow) left = notFlatRun[0];
  };
  const noteR = (k: number, r: number) => {
    if (!Number.isFinite(r)) return;
    measured++;
    lastR = r;
    maxR = Math.max(maxR ?? r, r);
    if (firstFlat === null) {
      if (r > s.flatR) firstFlat = k;
      return;
    }
    recent.push([k, r]);
    if (recent.length > s.leaveWindow) recent.shift();
    if (left === null && recent.length === s.leaveWindow && recent.reduce((a, [, x]) => a + x, 0) / s.leaveWindow < s.leaveR) {
      left = recent.find(([, x]) => x < s.leaveR)![0];
    }
  };
  // Spectral probes judge every method the same way, Newton-MR's own r aside.
  const spectral = s.probe.kind === 'spectral';

  return {
    onStep(m: MeasuredStepMetrics, from: StepperState) {
      atState(from);
      const fields: Record<string, unknown> = {};
      const due = m.iteration % s.probe.every === 0;
      if (s.methodReportsFlatness && m.newton && !spectral) {
        // Same cadence as the probes of other methods, so "left flat" compares across methods.
        if (due) noteR(m.iteration, m.newton.r_solverA);
      } else if (s.probe.kind !== 'none' && due) {
        const p0 = performance.now();
        if (s.probe.kind === 'newton') workspace = NewtonSolveWorkspace.ofOrder(workspace, oracle.dim);
        const probe = probeFlatness(oracle, from.theta, from.gradient, s.probe, rng, workspace);
        probeMs += performance.now() - p0;
        if (probe) {
          probeWork = addCounters(probeWork, probe.work);
          if (probe.r !== undefined) noteR(m.iteration, probe.r);
          else if (probe.spectral && probe.verdict) noteVerdict(m.iteration, probe.verdict, shareAt(probe.spectral, (s.probe.criterion ?? DEFAULT_FLATNESS_CRITERION).tau));
          fields.probe = probe;
        }
      }
      work += workUnits(m.work);
      const thetaNorm = norm2(from.theta);
      const ratio = thetaNorm > 0 ? m.stepNorm / thetaNorm : m.stepNorm > 0 ? Infinity : 0;
      if (ratio > maxStepRatio) maxStepRatio = ratio;
      if (ratio > s.blowUpRatio) blowUps++;
      fields.cumulativeWork = work;
      fields.methodWallMs = methodMs();
      return fields;
    },
    work: () => probeWork,
    finish(final: StepperState): ObservedRun & Record<string, unknown> {
      atState(final);
      // A run that stopped early (halted, target reached) stays at its last point.
      for (const k of wanted) if (k > final.iteration) lossAt[k] = final.loss;
      return {
        lossAt, flat: { by: spectral ? 'spectral' : 'r', measured, firstFlatStep: firstFlat, leftAtStep: left, lastR, maxR, ...(spectral && { undecided }) },
        steps: { maxStepRatio, blowUps }, targets, work, wallMs: methodMs(),
      };
    },
    // Run checkpoints: every running value, the probe RNG's position and the time spent so far.
    checkpoint: (): ObserverCheckpoint => ({
      probeWork, probeMs, elapsedMs: performance.now() - t0, work, lossAt, measured, firstFlat, left, lastR, maxR,
      maxStepRatio, blowUps, targets, recent, rng: rng.getState(), notFlatRun, undecided,
    }),
    restore(data: unknown) {
      const d = structuredClone(data) as ObserverCheckpoint;
      ({ probeWork, probeMs, work, measured, firstFlat, left, lastR, maxR, maxStepRatio, blowUps, recent } = d);
      notFlatRun = d.notFlatRun ?? [0, 0];
      undecided = d.undecided ?? 0;
      t0 = performance.now() - d.elapsedMs;
      Object.assign(lossAt, d.lossAt);
      Object.assign(targets, d.targets);
      rng.setState(d.rng);
    },
  };
}
