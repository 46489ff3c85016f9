/**
 * Figure 6, performance profile (Dolan & Moré 2002) of a suite: for each start s and method m
 * the work t(s, m) to first reach the target; ratio ρ = t / min over methods; the profile of m
 * is the share of starts with ρ ≤ τ. A method that never reaches the target has ρ = ∞.
 * The target is the suite's `summary.targets` (loss and/or ‖g‖²); without one, the
 * convergence test of Moré & Wild (2009): loss ≤ f_L + κ(f₀ − f_L) with κ = 0.1, where f₀ is
 * the shared start's loss and f_L the lowest loss any method reached from that start. A start
 * from which no method lowered the loss (f_L ≥ f₀) has no meaningful test (every method would
 * "solve" it at θ₀ with no work): it counts as unsolved for every method, and the subtitle
 * says how many there were.
 */
import type { RunRow, StepRow } from '../io/run-rows.js';
import { figure, methodColor, type VlSpec } from './spec-common.js';

export interface Cost {
  /** The shared start (run index). */
  problem: number;
  method: string;
  /** Work to reach the target; Infinity when never reached. */
  cost: number;
}

export interface Target {
  label: string;
  /** Which iterate counts as solved, for a start. */
  reached: (problem: number) => (s: StepRow) => boolean;
  /** Starts on which the test is void (Moré–Wild: no method lowered the loss): unsolved by every method. */
  void?: ReadonlySet<number>;
}

export const MORE_WILD_KAPPA = 0.1;

/** The first logged θ_k meeting the test, by method and start; Infinity when none does. */
export function workToTarget(runs: readonly RunRow[], steps: readonly StepRow[], methods: readonly string[], target: Target): Cost[] {
  const byId = new Map<string, StepRow[]>();
  for (const s of steps) {
    let l = byId.get(s.id);
    if (!l) byId.set(s.id, (l = []));
    l.push(s);
  }
  // Only starts every method finished are compared.
  const problems = [...new Set(runs.map((r) => r.run))].filter((p) => methods.every((m) => runs.some((r) => r.group === m && r.run === p))).sort((a, b) => a - b);
  const costs: Cost[] = [];
  for (const p of problems) {
    const test = target.reached(p);
    for (const m of methods) {
      const run = runs.find((r) => r.group === m && r.run === p)!;
      const hit = (byId.get(run.id) ?? []).slice().sort((a, b) => a.iteration - b.iteration).find(test);
      costs.push({ problem: p, method: m, cost: hit ? hit.work : Infinity });
    }
  }
  return costs;
}

export function thresholdTarget(key: 'loss' | 'gradNormSq', value: number): Target {
  return { label: `${key === 'loss' ? 'loss' : '‖g‖²'} ≤ ${value}`, reached: () => (s) => s[key] <= value };
}

/**
 * Moré & Wild's test per start: loss ≤ f_L + κ (f₀ − f_L). f₀ is the loss at θ₀ (the step
 * logs' iteration 0, else the run records' start) and f_L the lowest logged loss; a start
 * with f_L ≥ f₀, or without a finite f₀ or f_L, is void: nobody solves it.
 */
export function moreWildTarget(runs: readonly RunRow[], steps: readonly StepRow[], methods: readonly string[], kappa = MORE_WILD_KAPPA): Target {
  const mine = runs.filter((r) => methods.includes(r.group));
  const ids = new Map(mine.map((r) => [r.id, r.run]));
  const f0 = new Map<number, number>(), fL = new Map<number, number>();
  for (const s of steps) {
    const p = ids.get(s.id);
    if (p === undefined || !Number.isFinite(s.loss)) continue;
    if (s.iteration === 0 && !f0.has(p)) f0.set(p, s.loss);
    fL.set(p, Math.min(fL.get(p) ?? Infinity, s.loss));
  }
  for (const r of mine) {
    if (!f0.has(r.run) && Number.isFinite(r.startLoss)) f0.set(r.run, r.startLoss);
  }
  const voidStarts = new Set([...ids.values()].filter((p) => !((fL.get(p) ?? Infinity) < (f0.get(p) ?? -Infinity))));
  return {
    label: `loss ≤ f_L + ${kappa}(f₀ − f_L)`,
    void: voidStarts,
    reached: (p) => {
      if (voidStarts.has(p)) return () => false;
      const a = f0.get(p)!, b = fL.get(p)!;
      const t = b + kappa * (a - b);
      return (s) => s.loss <= t;
    },
  };
}

export interface Ratio extends Cost {
  ratio: number;
}

export function performanceRatios(costs: readonly Cost[]): Ratio[] {
  const best = new Map<number, number>();
  for (const c of costs) best.set(c.problem, Math.min(best.get(c.problem) ?? Infinity, c.cost));
  return costs.map((c) => {
    const b = best.get(c.problem)!;
    const ratio = !Number.isFinite(c.cost) ? Infinity : b === 0 ? (c.cost === 0 ? 1 : Infinity) : c.cost / b;
    return { ...c, ratio };
  });
}

/** Step points (τ, share of starts with ratio ≤ τ) per method, from τ = 1 to `tauMax`. */
export function performanceProfile(ratios: readonly Ratio[], methods: readonly string[], tauMax?: number): Array<{ method: string; tau: number; share: number }> {
  const problems = new Set(ratios.map((r) => r.problem)).size;
  const finite = ratios.map((r) => r.ratio).filter(Number.isFinite);
  const top = tauMax ?? Math.max(2, ...finite.map((x) => x * 1.5));
  const out: Array<{ method: string; tau: number; share: number }> = [];
  if (problems === 0) return out;
  for (const m of methods) {
    const rs = ratios.filter((r) => r.method === m).map((r) => r.ratio).filter(Number.isFinite).sort((a, b) => a - b);
    let count = rs.filter((x) => x <= 1).length;
    out.push({ method: m, tau: 1, share: count / problems });
    for (const x of rs) {
      if (x <= 1) continue;
      count = rs.filter((y) => y <= x).length;
      const last = out[out.length - 1];
      if (last.method === m && last.tau === x) last.share = count / problems;
      else out.push({ method: m, tau: x, share: count / problems });
    }
    out.push({ method: m, tau: top, share: count / problems });
  }
  return out;
}

export function profileSpec(runs: readonly RunRow[], steps: readonly StepRow[], methods: readonly string[], targets: { loss?: number; gradNormSq?: number }): VlSpec {
  const list: Target[] = [];
  if (targets.loss !== undefined) list.push(thresholdTarget('loss', targets.loss));
  if (targets.gradNormSq !== undefined) list.push(thresholdTarget('gradNormSq', targets.gradNormSq));
  const fromSuite = list.length > 0;
  if (!fromSuite) list.push(moreWildTarget(runs, steps, methods));
  const values: Array<Record<string, unknown>> = [];
  const notes: string[] = [];
  let problems = 0;
  for (const t of list) {
    const ratios = performanceRatios(workToTarget(runs, steps, methods, t));
    const compared = new Set(ratios.map((r) => r.problem));
    problems = compared.size;
    const solved = methods.map((m) => `${m} ${ratios.filter((r) => r.method === m && Number.isFinite(r.ratio)).length}`);
    notes.push(`${t.label} reached (of ${problems}): ${solved.join(', ')}`);
    const voided = [...(t.void ?? [])].filter((p) => compared.has(p)).length;
    if (voided > 0) notes.push(`${voided} of the ${problems} starts count as unsolved by every method: no method lowered the loss from them (f_L ≥ f₀).`);
    for (const p of performanceProfile(ratios, methods)) values.push({ target: t.label, ...p });
  }
  const unit: VlSpec = {
    width: 320, height: 220,
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2, clip: true },
    params: [{ name: 'pick_method', select: { type: 'point', fields: ['method'] }, bind: 'legend' }],
    encoding: {
      x: { field: 'tau', type: 'quantitative', title: 'τ (work ≤ τ × the best method\'s)', scale: { type: 'log', base: 2 } },
      y: { field: 'share', type: 'quantitative', title: 'share of starts solved', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
      color: methodColor(methods),
      opacity: { condition: { param: 'pick_method', value: 1, empty: true }, value: 0.1 },
      tooltip: [{ field: 'method' }, { field: 'tau', title: 'τ', format: '.3~g' }, { field: 'share', title: 'share', format: '.0%' }],
    },
  };
  const body: VlSpec = list.length > 1
    ? { facet: { field: 'target', type: 'nominal', header: { title: null } }, columns: 2, spec: unit }
    : unit;
  return figure('Head-to-head: performance profile in oracle work', [
    `Share of the ${problems} shared starts on which a method reached the target within τ times the work`,
    'of the best method on that start (Dolan & Moré 2002); a method that never reaches it stays below.',
    ...(fromSuite ? ['Target from the suite file (summary.targets).'] : [
      `No target in the suite file: Moré & Wild's test, loss ≤ f_L + ${MORE_WILD_KAPPA}(f₀ − f_L),`,
      'f₀ the start\'s loss and f_L the lowest loss any method reached from it.']),
    ...notes,
  ], { data: { values }, ...body });
}
