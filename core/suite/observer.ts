/**
 * The head-to-head observer: what a suite measures about every run from outside the method.
 * Per step it adds to the log line the flatness (the method's own Newton r when it reports
 * one, else a probe every k steps), the method's cumulative work in HVP-equivalents and its
 * wall time without probes. Per run it keeps, for the summary ([GF] §4.2: do methods leave
 * gradient-flat regions, and at what cost?):
 *   lossAt        loss of θ_k for each k in `lossAfter` (loss drop = start loss − lossAt[k]);
 *                 a run that stopped before step k counts with the point it stopped at
 *   flat          first step whose flatness > flatR, and the step at which the run left: in the
 *                 first window of `leaveWindow` consecutive measurements after that whose mean
 *                 falls below leaveR, the first measurement below leaveR (r is noisy from step
 *                 to step, [GF] Fig. 3B smooths it too; reporting the window's first low value
 *                 rather than its end keeps the answer to the probe interval, not interval ×
 *                 window). Flatness is r (the method's own Newton solve, or a Newton probe), or —
 *                 with `probe.kind: spectral`, for every method alike — the share of ‖g‖² in
 *                 eigen-directions |λ| ≤ τ‖H‖₂ (probe.flatTau, default 1e-6), which no
 *                 truncated Krylov solve can move.
 *   steps         largest ‖θ_{k+1} − θ_k‖ / ‖θ_k‖ and how many steps exceeded blowUpRatio
 *   targets       first step, work and wall time at which loss ≤ target.loss / ‖g‖² ≤ target.gradNormSq
 */
import { NewtonSolveWorkspace } from '../newton/direction.js';
import { SPECTRAL_FLAT_TAU, shareAt } from '../analysis/spectral-flatness.js';
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
  /** The flatness measure (r; the spectral share with probe.kind spectral): counts and steps, kept compact for the summary. */
  flat: { measured: number; firstFlatStep: number | null; leftAtStep: number | null; lastR: number | null; maxR: number | null };
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
          else if (probe.spectral) noteR(m.iteration, shareAt(probe.spectral, s.probe.flatTau ?? SPECTRAL_FLAT_TAU));
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
        lossAt, flat: { measured, firstFlatStep: firstFlat, leftAtStep: left, lastR, maxR },
        steps: { maxStepRatio, blowUps }, targets, work, wallMs: methodMs(),
      };
    },
    // Run checkpoints: every running value, the probe RNG's position and the time spent so far.
    checkpoint: (): ObserverCheckpoint => ({
      probeWork, probeMs, elapsedMs: performance.now() - t0, work, lossAt, measured, firstFlat, left, lastR, maxR,
      maxStepRatio, blowUps, targets, recent, rng: rng.getState(),
    }),
    restore(data: unknown) {
      const d = structuredClone(data) as ObserverCheckpoint;
      ({ probeWork, probeMs, work, measured, firstFlat, left, lastR, maxR, maxStepRatio, blowUps, recent } = d);
      t0 = performance.now() - d.elapsedMs;
      Object.assign(lossAt, d.lossAt);
      Object.assign(targets, d.targets);
      rng.setState(d.rng);
    },
  };
}
