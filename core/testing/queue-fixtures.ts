/** What the queue tests share: a small suite and the environment every process runs in. */

/** Two gradient-descent runs of 20 steps on a 2×2 quartic grid, as a suite file named `name`. */
export const tinyQueueSuite = (name: string): string => `
name: ${name}
problem: { name: quartic, seed: 1, grid: 2 }
seed: 5
starts: { count: 2 }
iterations: 20
steppers:
  - { stepper: gd }
summary: { lossAfter: [5] }
`;

/** Quiet output, short job locks (a killed worker's job moves on fast), the same kernels on every process. */
export const queueTestEnv: NodeJS.ProcessEnv = { ...process.env, CI: 'true', GRADFLAT_QUEUE_LOCK_MS: '1500', GRADFLAT_KERNELS: 'typescript' };
