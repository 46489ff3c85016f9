/**
 * `gradflat summarize` on a `gradflat run` directory: rebuilds summary.json from the run
 * records on disk (it may have been deleted), or says which runs are not finished.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassThresholds } from '../analysis/flatness.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { UsageError } from '../io/errors.js';
import type { ExperimentConfig, ExperimentResult } from './experiment.js';
import { readRunRecord, type DamagedRecord } from './record-file.js';
import type { RunRecord } from './run-one.js';
import { buildSummary } from './summary.js';

interface RunManifest {
  identity: { config: ExperimentConfig & { hyperparameters: Record<string, unknown>; thresholds: ClassThresholds; indexCutoff: number } };
  problem?: { name?: string };
}

export function summarizeRunDirectory(out: string, manifest: RunManifest, onDamaged?: DamagedRecord): ExperimentResult {
  const config = manifest.identity.config;
  const startsPath = join(out, 'starts.json');
  if (!existsSync(startsPath)) {
    throw new UsageError(`${out} is a 'gradflat run' directory whose starting points were never made (no starts.json): nothing ran there yet; run the same 'gradflat run' command again`);
  }
  const count = (JSON.parse(readFileSync(startsPath, 'utf8')) as unknown[]).length;
  const records: RunRecord[] = [];
  const missing: string[] = [];
  for (let run = 0; run < count; run++) {
    const p = join(out, 'runs', `run-${String(run).padStart(3, '0')}.json`);
    const r = readRunRecord(p, onDamaged);
    if (r) records.push(r);
    else missing.push(p);
  }
  if (missing.length > 0) {
    throw new UsageError(`${out} is a 'gradflat run' directory with ${records.length} of ${count} runs finished (unfinished: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}); ` +
      "run the same 'gradflat run' command again to finish them (it resumes), then its summary.json is written");
  }
  const summary = buildSummary(manifest.problem?.name ?? config.problem.name, config.stepper, config.hyperparameters, records, config.thresholds, config.indexCutoff);
  writeJsonAtomic(join(out, 'summary.json'), summary);
  return { dir: out, records, summary, resumed: records.length };
}
