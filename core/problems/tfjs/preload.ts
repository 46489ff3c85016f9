/**
 * Starts the tfjs WASM backend while gradflat's modules load, when $GRADFLAT_TFJS_BACKEND is
 * 'wasm' — set by the user, or by `prepareEngine('tfjs')` (engine.ts) in the process that chose
 * it, so that its worker threads (which inherit the environment) compute on the same backend.
 * The WASM backend can only start asynchronously, and problems are built synchronously; this
 * module's top-level await is what lets a suite worker build a tfjs problem on it. For any other
 * value it does nothing (and loads nothing).
 */
import { selectTfjsBackend } from './backend.js';

if (process.env.GRADFLAT_TFJS_BACKEND?.trim().toLowerCase() === 'wasm') await selectTfjsBackend('wasm');
