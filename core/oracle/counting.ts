/**
 * A counting oracle: the harness's own meter of a method's work. The harness builds the
 * stepper on `countingOracle(oracle)` and reads the wrapper's counters around each step, so a
 * stepper never has to report its work (one forgotten snapshot would skew every comparison)
 * and calls made by anyone else on the inner oracle (flatness probes, final evaluation) are
 * never billed to the method.
 *
 * Each call is counted by kind (loss, gradient, HVP, Gauss-Newton product, statistics pass).
 * A dense `hessian()` costs what the inner oracle says it costs (its own counters' change: an
 * analytic Hessian is free, one assembled from HVPs costs n), since only the oracle knows how it
 * builds one. Capabilities, provenance and the optional methods are forwarded as they are: the
 * wrapper has `hessian` iff the inner oracle has it, and so on.
 */
import { emptyCounters, type Oracle, type OracleCounters } from './oracle.js';

export interface CountingOracle extends Oracle {
  /** The oracle whose calls this one counts. */
  readonly inner: Oracle;
}

export function countingOracle(inner: Oracle): CountingOracle {
  const counters: OracleCounters = emptyCounters();
  const wrapper: CountingOracle = {
    inner,
    dim: inner.dim,
    capabilities: inner.capabilities,
    counters,
    ...(inner.provenance !== undefined && { provenance: inner.provenance }),
    loss(theta) {
      counters.loss++;
      return inner.loss(theta);
    },
    gradient(theta, out) {
      counters.gradient++;
      return inner.gradient(theta, out);
    },
    hvp(theta, v, out) {
      counters.hvp++;
      return inner.hvp(theta, v, out);
    },
  };
  if (typeof inner.hessian === 'function') {
    wrapper.hessian = (theta) => {
      const before = inner.counters.hvp;
      const H = inner.hessian!(theta);
      counters.hvp += Math.max(0, inner.counters.hvp - before);
      return H;
    };
  }
  if (typeof inner.layerStatistics === 'function') {
    wrapper.layerStatistics = (theta) => {
      counters.statistics++;
      return inner.layerStatistics!(theta);
    };
  }
  if (typeof inner.gaussNewtonProduct === 'function') {
    wrapper.gaussNewtonProduct = (theta, v, out) => {
      counters.gvp++;
      return inner.gaussNewtonProduct!(theta, v, out);
    };
  }
  // dispose is deliberately not forwarded: the harness owns the inner oracle's lifetime.
  return wrapper;
}
