#!/usr/bin/env node
/**
 * The float32-vs-float64 precision study as a command (docs/precision.md):
 *   node dist/cli/precision-study.js SUITE.yaml [--out DIR] [--force]
 * Errors print one line and exit as `gradflat` does: 2 for bad input, 1 when the work failed.
 */
import { exitCodeOf } from '../core/io/errors.js';
import { precisionStudyCommand } from '../studies/precision-study.js';

try {
  process.stdout.write(await precisionStudyCommand(process.argv.slice(2)));
} catch (err) {
  process.stderr.write(`precision-study: error: ${(err as Error).message}\n`);
  if (process.env.GRADFLAT_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = exitCodeOf(err);
}
