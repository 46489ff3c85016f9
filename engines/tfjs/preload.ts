/**
 * Starts the tfjs backend a suite worker thread must compute on, before it builds its problem.
 *
 * The main process chooses the backend (`prepareEngine('tfjs')`, engines/select.ts) and records it in
 * $GRADFLAT_TFJS_BACKEND, which worker threads inherit. The WASM backend can only start
 * asynchronously and problems are built synchronously, so a worker of a tfjs suite awaits this
 * first (core/suite/suite-worker.ts). Nothing else calls it: importing gradflat never loads tfjs,
 * and a float64 suite's workers never load it.
 *
 * A failure is not thrown here: it is remembered (backend.ts), and building the tfjs oracle then
 * throws with the reason, where the error belongs.
 */
import { selectTfjsBackend } from './backend.js';

export async function preloadTfjsBackend(): Promise<void> {
  // Unset (a suite run through the API without prepareEngine): the worker makes the same
  // synchronous choice as its main process, when the problem is built.
  if ((process.env.GRADFLAT_TFJS_BACKEND ?? '').trim() === '') return;
  try {
    await selectTfjsBackend();
  } catch {
    // Reported when the tfjs oracle is built (ensureTfjsBackend names the cause).
  }
}
