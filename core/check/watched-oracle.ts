/**
 * An oracle wrapper for the conformance check: it remembers every array it hands out (a
 * gradient or H·v computed without an `out` buffer) with a copy, so that a later write into
 * one shows; and it records a dispose() the stepper should never have made (the harness owns
 * the oracle's lifetime).
 */
import type { Oracle } from '../oracle/oracle.js';

export interface WatchedOracle extends Oracle {
  /** The first array handed out and written to since, as a message; undefined when none. */
  writtenBuffer(): string | undefined;
  /** Whether anything called dispose() on this oracle. */
  readonly disposed: boolean;
}

export function watchedOracle(inner: Oracle): WatchedOracle {
  const handed: Array<{ what: string; array: Float64Array; copy: Float64Array }> = [];
  let disposed = false;
  const keep = (what: string, array: Float64Array, out: Float64Array | undefined): Float64Array => {
    // An `out` buffer is the caller's own; a returned array may be the oracle's (e.g. a cache).
    if (out === undefined) handed.push({ what, array, copy: Float64Array.from(array) });
    return array;
  };
  const o: WatchedOracle = {
    dim: inner.dim,
    capabilities: inner.capabilities,
    counters: inner.counters,
    ...(inner.provenance !== undefined && { provenance: inner.provenance }),
    loss: (t) => inner.loss(t),
    gradient(t, out) {
      const r = inner.gradient(t, out);
      keep(`the gradient returned by call ${handed.length + 1}`, r.gradient, out);
      return r;
    },
    hvp: (t, v, out) => keep(`the H·v returned by call ${handed.length + 1}`, inner.hvp(t, v, out), out),
    writtenBuffer() {
      for (const h of handed) {
        for (let i = 0; i < h.copy.length; i++) {
          if (!Object.is(h.array[i], h.copy[i])) return `${h.what.replace(/call \d+/, 'the oracle')} was written to afterwards (entry ${i}: ${h.copy[i]} → ${h.array[i]})`;
        }
      }
      return undefined;
    },
    get disposed() {
      return disposed;
    },
    dispose() {
      disposed = true;
    },
  };
  if (inner.hessian) o.hessian = (t) => inner.hessian!(t);
  if (inner.hvpBlock) o.hvpBlock = (t, V, out) => inner.hvpBlock!(t, V, out);
  if (inner.layerStatistics) o.layerStatistics = (t) => inner.layerStatistics!(t);
  if (inner.gaussNewtonProduct) o.gaussNewtonProduct = (t, v, out) => inner.gaussNewtonProduct!(t, v, out);
  return o;
}
