/**
 * Starting points "uniformly at random with respect to their loss value" ([GF] appendix A):
 * draw a target loss uniformly between the smallest and largest loss seen during training and
 * take the stored point whose loss is nearest, without replacement. Sampling uniformly in time
 * would instead crowd the starts near the end of training, where the loss is flat in time.
 */
import type { Rng } from '../random/rng.js';
import { UsageError } from '../io/errors.js';

export function sampleUniformInLoss(losses: readonly number[], count: number, rng: Rng): number[] {
  if (count > losses.length) throw new UsageError(`asked for ${count} starting points but training stored only ${losses.length}; train longer or ask for fewer (--train-steps or starts.steps; --runs or starts.count)`);
  const order = losses.map((l, i) => [l, i] as const).filter(([l]) => Number.isFinite(l)).sort((a, b) => a[0] - b[0]);
  const lo = order[0][0];
  const hi = order[order.length - 1][0];
  const taken = new Uint8Array(order.length);
  const picks: number[] = [];
  for (let c = 0; c < count; c++) {
    const target = lo + (hi - lo) * rng.uniform();
    // binary search for the first loss ≥ target, then walk out to the nearest untaken one
    let a = 0, b = order.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (order[m][0] < target) a = m + 1; else b = m;
    }
    let left = a - 1, right = a, best = -1;
    while (best < 0 && (left >= 0 || right < order.length)) {
      while (left >= 0 && taken[left]) left--;
      while (right < order.length && taken[right]) right++;
      const dl = left >= 0 ? target - order[left][0] : Infinity;
      const dr = right < order.length ? order[right][0] - target : Infinity;
      if (dl === Infinity && dr === Infinity) break;
      best = dl <= dr ? left : right;
    }
    if (best < 0) break;
    taken[best] = 1;
    picks.push(order[best][1]);
  }
  return picks;
}
