/**
 * Figure 5 ([GF] Fig. 2), quartic runs only: f(x, y) = 0.25x⁴ − 3x² + 9x + 0.9y⁴ + 5y² + 40 as
 * a heatmap, the Newton direction field p = −H⁻¹g (unit arrows), the trajectories from the
 * grid coloured by the class of their final point, and the two stationary points of ‖g‖²:
 * the critical point (−3, 0) and the gradient-flat minimum of ‖g‖² at (√2, 0).
 */
import { groupsOf, type PointClass } from '../../core/io/run-rows.js';
import { classColor, CONFIG, legendParam, dimUnless, VL_SCHEMA, type VlSpec } from '../../core/report/spec-common.js';
import { quarticLoss, QUARTIC_CRITICAL_POINT, QUARTIC_FLAT_MINIMUM } from './oracle.js';

export const quarticGradient = (x: number, y: number): [number, number] => [x ** 3 - 6 * x + 9, 3.6 * y ** 3 + 10 * y];
/** The Hessian is diagonal: (3x² − 6, 10.8y² + 10). */
export const quarticHessianDiagonal = (x: number, y: number): [number, number] => [3 * x * x - 6, 10.8 * y * y + 10];

/** Newton direction p = −H⁻¹g, or null where H is singular or g = 0. */
export function newtonDirection(x: number, y: number): [number, number] | null {
  const [gx, gy] = quarticGradient(x, y);
  const [hx, hy] = quarticHessianDiagonal(x, y);
  if (hx === 0 || (gx === 0 && gy === 0)) return null;
  return [-gx / hx, -gy / hy];
}

export interface QuarticTrajectory {
  id: string;
  group: string;
  cls: PointClass;
  /** θ₀, θ₁, … */
  points: ReadonlyArray<readonly number[]>;
  /** False when the iterates could not be replayed and only the start and final point are known. */
  replayed: boolean;
}

export const STATIONARY_POINTS = [
  { x: QUARTIC_CRITICAL_POINT[0], y: QUARTIC_CRITICAL_POINT[1], cls: 'critical', label: '(−3, 0): critical point' },
  { x: QUARTIC_FLAT_MINIMUM[0], y: QUARTIC_FLAT_MINIMUM[1], cls: 'gradient-flat', label: '(√2, 0): gradient-flat, min of ‖g‖²' },
] as const;

export interface QuarticOptions {
  cells?: number;
  arrows?: number;
  /** Points kept per trajectory (default 1000), the first and last included. */
  maxPointsPerRun?: number;
}

/**
 * A square window [−m, m]²: at least ±4.5, [GF]'s grid of starts [−4, 4]² with a margin, grown
 * to hold every iterate with 5% to spare (a point leaves the window when either coordinate is
 * large), but no further than ±6, beyond which trajectories are clipped.
 */
export function quarticWindow(trajectories: readonly QuarticTrajectory[]): [number, number] {
  let m = 4.5;
  for (const t of trajectories) for (const [x, y] of t.points) {
    if (Number.isFinite(x) && Number.isFinite(y)) m = Math.max(m, Math.min(6, Math.max(Math.abs(x), Math.abs(y)) * 1.05));
  }
  return [-m, m];
}

/**
 * At most `max` points of a trajectory (its finite ones), evenly spaced along its length: a
 * point is kept once the path has travelled length/(max − 2) since the last kept one, and the
 * first and last always stay. Long runs that creep towards a limit keep their early, long
 * steps, where the shape is.
 */
export function thinTrajectory(points: ReadonlyArray<readonly number[]>, max: number): Array<{ k: number; x: number; y: number }> {
  const pts = points.map(([x, y], k) => ({ k, x, y })).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (pts.length <= max || pts.length <= 2) return pts;
  if (max < 3) return [pts[0], pts[pts.length - 1]];
  let total = 0;
  for (let i = 1; i < pts.length; i++) total += Math.hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y);
  const spacing = total / (max - 2);
  const out = [pts[0]];
  let travelled = 0;
  for (let i = 1; i < pts.length - 1; i++) {
    travelled += Math.hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y);
    if (spacing > 0 && travelled >= spacing && out.length < max - 1) {
      out.push(pts[i]);
      travelled = 0;
    }
  }
  out.push(pts[pts.length - 1]);
  return out;
}

export function quarticSpec(trajectories: readonly QuarticTrajectory[], opts: QuarticOptions = {}): VlSpec {
  const [lo, hi] = quarticWindow(trajectories);
  const cells = opts.cells ?? 50;
  const h = (hi - lo) / cells;
  const heat: Array<Record<string, number>> = [];
  for (let j = 0; j < cells; j++) for (let i = 0; i < cells; i++) {
    const x = lo + i * h, y = lo + j * h;
    // Cells overlap by 2% so that anti-aliasing leaves no seams between them.
    heat.push({ x, x2: x + h * 1.02, y, y2: y + h * 1.02, f: quarticLoss(x + h / 2, y + h / 2) });
  }
  const arrows: Array<Record<string, number>> = [];
  const na = opts.arrows ?? 17;
  const step = (hi - lo) / na;
  for (let j = 0; j < na; j++) for (let i = 0; i < na; i++) {
    const x = lo + (i + 0.5) * step, y = lo + (j + 0.5) * step;
    const p = newtonDirection(x, y);
    if (!p) continue;
    const n = Math.hypot(p[0], p[1]);
    if (!(n > 0) || !Number.isFinite(n)) continue;
    // Vega rotates symbols clockwise from 'up'; the axes have equal scales, so up = +y.
    arrows.push({ x, y, angle: (Math.atan2(p[0] / n, p[1] / n) * 180) / Math.PI });
  }
  const groups = groupsOf(trajectories);
  const maxPoints = opts.maxPointsPerRun ?? 1000;
  const paths: Array<Record<string, unknown>> = [];
  let thinned = 0;
  for (const t of trajectories) {
    const kept = thinTrajectory(t.points, maxPoints);
    if (kept.length < t.points.length) thinned++;
    // `replayed` and `start` only where they hold: the file stays small.
    for (const p of kept) paths.push({ id: t.id, group: t.group, cls: t.cls, k: p.k, x: p.x, y: p.y, ...(!t.replayed && { replayed: false }), ...(p.k === 0 && { start: true }) });
  }
  const notReplayed = trajectories.filter((t) => !t.replayed).length;
  const x = { field: 'x', type: 'quantitative', title: 'x', scale: { domain: [lo, hi], nice: false, zero: false } };
  const y = { field: 'y', type: 'quantitative', title: 'y', scale: { domain: [lo, hi], nice: false, zero: false } };
  const panel = (group: string | null): VlSpec => ({
    width: 440, height: 440,
    // The heatmap's colour (f) and the classes' colour are separate scales.
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
    ...(group !== null && groups.length > 1 && { title: { text: group, fontSize: 12 } }),
    layer: [
      {
        data: { name: 'heat' }, // aria: false keeps thousands of cell descriptions out of the SVG.
        mark: { type: 'rect', strokeWidth: 0, aria: false },
        encoding: {
          x, x2: { field: 'x2' }, y, y2: { field: 'y2' },
          color: { field: 'f', type: 'quantitative', title: 'f(x, y)', scale: { type: 'log', range: ['#ffffff', '#ababab'] }, legend: { orient: 'right', gradientLength: 160 } },
        },
      },
      {
        data: { name: 'arrows' }, mark: { type: 'point', shape: 'arrow', filled: true, size: 70, color: '#5a5a5a', opacity: 0.75, aria: false },
        encoding: { x: { ...x, field: 'x' }, y: { ...y, field: 'y' }, angle: { field: 'angle', type: 'quantitative', scale: null } },
      },
      {
        data: { name: 'paths' },
        transform: group === null ? [] : [{ filter: { field: 'group', equal: group } }],
        mark: { type: 'line', strokeWidth: 1.3, clip: true, point: false },
        params: [legendParam(`pick_class${group === null ? '' : groups.indexOf(group)}`, 'cls')],
        encoding: {
          x, y, order: { field: 'k' }, detail: { field: 'id' }, color: classColor(),
          strokeDash: { condition: { test: 'datum.replayed === false', value: [3, 3] }, value: [1, 0] },
          opacity: dimUnless(`pick_class${group === null ? '' : groups.indexOf(group)}`, 0.85, 0.08),
          tooltip: [{ field: 'id', title: 'run' }, { field: 'cls', title: 'class' }],
        },
      },
      {
        data: { name: 'paths' },
        transform: [{ filter: 'datum.start' }, ...(group === null ? [] : [{ filter: { field: 'group', equal: group } }])],
        mark: { type: 'point', size: 16, filled: false, strokeWidth: 1, clip: true, aria: false },
        encoding: { x, y, color: { ...classColor(), legend: null }, tooltip: [{ field: 'id', title: 'run' }, { field: 'x', format: '.3f', title: 'x₀' }, { field: 'y', format: '.3f', title: 'y₀' }] },
      },
      {
        data: { values: STATIONARY_POINTS.map((p) => ({ ...p })) },
        mark: { type: 'point', shape: 'diamond', size: 260, strokeWidth: 1.5, opacity: 1, fillOpacity: 1 },
        encoding: { x, y, fill: { ...classColor(), legend: null }, stroke: { value: '#111111' }, tooltip: [{ field: 'label', title: 'stationary point of ‖g‖²' }] },
      },
      // Labels with a white halo (the same text stroked white underneath).
      ...[{ stroke: 'white', strokeWidth: 4 }, {}].map((halo) => ({
        data: { values: STATIONARY_POINTS.map((p) => ({ ...p })) },
        mark: { type: 'text', dy: 20, fontSize: 11, fontWeight: 'bold', align: 'center', color: '#111111', ...halo },
        encoding: { x, y, text: { field: 'label' } },
      })),
    ],
  });
  return {
    $schema: VL_SCHEMA,
    title: {
      text: 'The quartic of [GF] Fig. 2: trajectories from the grid',
      subtitle: [
        'f(x, y) = 0.25x⁴ − 3x² + 9x + 0.9y⁴ + 5y² + 40 (grey, log scale); arrows: Newton direction −H⁻¹g (unit length);',
        'lines: iterates of each run, coloured by the class of its final point; diamonds: the two stationary points of ‖g‖².',
        ...(notReplayed > 0 ? [`${notReplayed} run(s) could not be replayed: dashed straight line from start to final point.`] : []),
        ...(thinned > 0 ? [`${thinned} long trajectories thinned to ≤ ${maxPoints} iterates each, evenly spaced along the path (first and last kept).`] : []),
      ],
    },
    config: CONFIG,
    datasets: { heat, arrows, paths },
    ...(groups.length > 1 ? { concat: groups.map((g) => panel(g)), columns: Math.min(2, groups.length) } : panel(null)),
  };
}
