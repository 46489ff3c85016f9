/**
 * The MLP oracle gives the same numbers with the TypeScript and the OpenBLAS kernels (skipped,
 * with the reason, when OpenBLAS does not load).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DenseKernels } from '../../core/linalg/kernels.js';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { selectKernels } from '../../core/linalg/select-kernels.js';
import type { MlpSpec } from './architecture.js';
import { initMlpParameters, seededNormal } from './init.js';
import { MlpOracle, type MlpData } from './mlp-oracle.js';
import { maxRelErr } from '../../core/testing/assert-close.js';

let openblas: DenseKernels | undefined;
let skip: string | false = false;
try {
  openblas = selectKernels('openblas');
} catch (e) {
  skip = `OpenBLAS unavailable: ${(e as Error).message.split('\n')[0]}`;
}

test('MLP oracle: OpenBLAS and TypeScript kernels agree (loss, gradient, HVP, Hessian)', { skip }, () => {
  const specs: MlpSpec[] = [
    { layers: [16, 8, 16, 16], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 1e-4 },
    { layers: [6, 7, 5, 4], hiddenActivation: 'tanh', outputActivation: 'swish', biases: false, loss: 'softmax-cross-entropy', l2: 1e-3 },
  ];
  for (const spec of specs) {
    const normal = seededNormal(21);
    const N = 300;
    const dIn = spec.layers[0];
    const dOut = spec.layers[spec.layers.length - 1];
    const inputs = Float64Array.from({ length: N * dIn }, () => normal());
    const data: MlpData = spec.loss === 'mse'
      ? { inputs, N, targets: inputs }
      : { inputs, N, labels: Int32Array.from({ length: N }, (_, i) => i % dOut) };
    // blockRows 64: several blocks and a partial last one on both kernel sets.
    const a = new MlpOracle(spec, data, typescriptKernels, { blockRows: 64 });
    const b = new MlpOracle(spec, data, openblas as DenseKernels, { blockRows: 64 });
    const theta = initMlpParameters(spec, normal);
    for (let i = 0; i < theta.length; i++) theta[i] += 0.1 * normal();
    const v = Float64Array.from({ length: a.dim }, () => normal());
    // Only the summation order inside gemm differs: agreement to ~n·ε relative, 1e-12 is loose.
    const fa = a.loss(theta); const fb = b.loss(theta);
    assert.ok(Math.abs(fa - fb) <= 1e-12 * Math.abs(fa), `loss ${fa} vs ${fb}`);
    assert.ok(maxRelErr(b.gradient(theta).gradient, a.gradient(theta).gradient) <= 1e-12);
    assert.ok(maxRelErr(b.hvp(theta, v), a.hvp(theta, v)) <= 1e-12);
    if (a.dim <= 200) assert.ok(maxRelErr(b.hessian(theta), a.hessian(theta)) <= 1e-12);
  }
});
