/**
 * Step logs do not hold θ, so the quartic's trajectories are replayed: each run's stepper is
 * built again from the directory's manifest (stepper, hyperparameters) and run from the run's
 * θ₀ for as many steps as the record says. The quartic oracle is exact arithmetic on two
 * numbers, so the replay is the run itself; it is checked against the log (loss at every
 * iteration) and the record (final θ), and a run that does not match — or whose stepper is
 * not registered (a plugin file not loaded) — is drawn as a straight dashed line from start
 * to final point instead.
 */
import '../../core/di.js';
import type { ReportFigureContext } from '../../core/registry/problems.js';
import { QuarticOracle } from './oracle.js';
import { runStepper } from '../../core/run/run-loop.js';
import { num, type DirData, type StepRow } from '../../core/io/run-rows.js';
import type { QuarticTrajectory } from './figure.js';

const close = (a: number, b: number) => a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

export function replayQuarticTrajectories(dir: DirData, steppers: ReportFigureContext['steppers'], onRun?: (done: number, total: number) => void): { trajectories: QuarticTrajectory[]; notes: string[] } {
  const notes: string[] = [];
  const logged = new Map<string, Map<number, StepRow>>();
  for (const s of dir.steps) {
    let m = logged.get(s.id);
    if (!m) logged.set(s.id, (m = new Map()));
    m.set(s.iteration, s);
  }
  const trajectories: QuarticTrajectory[] = [];
  const unregistered = new Set<string>();
  let mismatched = 0;
  let done = 0;
  for (const run of dir.runs) {
    onRun?.(++done, dir.runs.length);
    if (!run.start || run.start.length !== 2) continue;
    const fallback = (): QuarticTrajectory => ({ id: run.id, group: run.group, cls: run.cls, points: run.theta ? [run.start!, run.theta] : [run.start!], replayed: false });
    const cfg = dir.steppers[run.group];
    if (!cfg || !steppers.has(cfg.stepper)) {
      unregistered.add(cfg?.stepper ?? run.group);
      trajectories.push(fallback());
      continue;
    }
    const points: number[][] = [];
    let ok = true;
    try {
      const oracle = new QuarticOracle();
      // The manifest writes non-finite numbers as strings ("Infinity"): give the stepper numbers back.
      const hp = Object.fromEntries(Object.entries(cfg.hyperparameters).map(([k, v]) => [k, typeof v === 'string' && /^-?Infinity$|^NaN$/.test(v) ? num(v) : v]));
      const stepper = steppers.create(cfg.stepper, oracle, hp);
      const log = logged.get(run.id);
      runStepper(stepper, Float64Array.from(run.start), {
        maxIterations: Math.max(0, run.steps),
        targetGradNormSq: cfg.targetGradNormSq,
        onState: (st) => {
          points.push([st.theta[0], st.theta[1]]);
          const at = log?.get(st.iteration);
          if (at && !close(at.loss, st.loss)) ok = false;
        },
      });
      const last = points[points.length - 1];
      if (run.theta && (!last || !close(last[0], run.theta[0]) || !close(last[1], run.theta[1]))) ok = false;
    } catch {
      ok = false;
    }
    if (ok) trajectories.push({ id: run.id, group: run.group, cls: run.cls, points, replayed: true });
    else {
      mismatched++;
      trajectories.push(fallback());
    }
  }
  if (unregistered.size > 0) notes.push(`${dir.name}: quartic trajectories of stepper(s) ${[...unregistered].join(', ')} not replayed (not registered: load their plugin file); drawn from start to final point`);
  if (mismatched > 0) notes.push(`${dir.name}: ${mismatched} quartic run(s) replayed differently from their log; drawn from start to final point`);
  return { trajectories, notes };
}
