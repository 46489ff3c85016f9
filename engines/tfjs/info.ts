/** The `gradflat info` line about the tfjs engine: which backend `--engine tfjs` would use, and why. */
import { selectTfjsBackend } from './backend.js';

export async function tfjsInfoLine(): Promise<string> {
  try {
    const s = await selectTfjsBackend();
    return `tfjs engine (--engine tfjs): backend '${s.backend}' — ${s.description}; tfjs ${s.tfjsVersion}; ${s.reason}` +
      `${process.env.GRADFLAT_TFJS_BACKEND ? ` (GRADFLAT_TFJS_BACKEND=${process.env.GRADFLAT_TFJS_BACKEND})` : ''}`;
  } catch (e) {
    return `tfjs engine (--engine tfjs): unavailable: ${(e as Error).message.split('\n')[0]}`;
  }
}
