/**
 * Regression: `suite --workers 8` (16, 24, 64) aborted 2–3 times in 10 with "FATAL ERROR:
 * Error::ThrowAsJavaScriptException napi_throw". Cause: threads terminated while koffi's native
 * initialisation ran (the pool stopped workers that were still starting once the first ones had
 * finished every task; the MLP oracle's dispose did the same). Before the fix the 24-worker
 * suite (25 one-step tasks, 24 workers) aborted 4 times in 8 on the development machine, 0 in 10
 * after; the fix never terminates a thread before it has loaded its kernels. Skipped without OpenBLAS, unless
 * GRADFLAT_REQUIRE_OPENBLAS=1 makes its absence a failure.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOpenBlasKernels } from '../linalg/kernels-openblas.js';

const loaded = loadOpenBlasKernels();
const required = process.env.GRADFLAT_REQUIRE_OPENBLAS === '1';
const skip = !('kernels' in loaded) && !required && `OpenBLAS unavailable (${'error' in loaded ? loaded.error : ''})`;
const cli = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const oracleUrl = new URL('../../engines/mlp/mlp-oracle.js', import.meta.url).href;
const selectUrl = new URL('../linalg/select-kernels.js', import.meta.url).href;

function node(args: string[], cwd: string): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

test('OpenBLAS is there when GRADFLAT_REQUIRE_OPENBLAS=1', { skip: !required }, () => {
  assert.ok('kernels' in loaded, 'error' in loaded ? loaded.error : '');
});

test('a suite of 25 one-step tasks on 12 OpenBLAS workers finishes (2 suites at once)', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-koffi-'));
  try {
    writeFileSync(join(dir, 's.yaml'), 'name: k\nproblem: { name: quartic, seed: 1, grid: 5 }\nseed: 1\nstarts: { count: 25 }\niterations: 1\nsteppers:\n  - { stepper: newton-mr }\nprobe: { kind: none }\n');
    for (let round = 0; round < 1; round++) {
      const rs = await Promise.all([0, 1].map((i) => node([cli, 'suite', 's.yaml', '--workers', '12', '--kernels', 'openblas', '--out', `o${round}${i}`], dir)));
      rs.forEach((r, i) => {
        assert.equal(r.code, 0, `round ${round} suite ${i}: exit ${r.code} ${r.signal ?? ''}\n${r.stderr}`);
        assert.ok(existsSync(join(dir, `o${round}${i}`, 'summary.json')));
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('MLP oracles with OpenBLAS worker threads disposed while starting, or never, let the process exit cleanly', { skip }, async () => {
  // Disposals spread over the first 300 ms meet the threads at every stage of their start-up.
  const script = (dispose: boolean) => `
    import { MlpOracle } from ${JSON.stringify(oracleUrl)};
    import { selectKernels } from ${JSON.stringify(selectUrl)};
    const N = 64, x = Float64Array.from({ length: N * 3 }, (_, i) => Math.sin(i));
    for (let i = 0; i < 10; i++) {
      const o = new MlpOracle({ layers: [3, 4, 3], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 0 }, { inputs: x, targets: x, N }, selectKernels('openblas'), { threads: 4, chunks: 4 });
      ${dispose ? 'setTimeout(() => o.dispose(), 30 * i);' : ''}
    }
  `;
  const rs = await Promise.all([true, false].map((d) => node(['--input-type=module', '-e', script(d)], tmpdir())));
  rs.forEach((r, i) => assert.equal(r.code, 0, `child ${i}: exit ${r.code} ${r.signal ?? ''}\n${r.stderr}`));
});
