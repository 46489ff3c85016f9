/**
 * A tf.LayersModel on disk in the TensorFlow.js format (model.json + binary weight files, as
 * `model.save('file://…')` in tfjs-node or the tfjs converter write them), read and written with
 * the pure-JS @tensorflow/tfjs (which has no file:// handler in Node). Lets a plugin file that
 * imports only 'gradflat' load a user's saved model (examples/tfjs-saved-model/).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { loadTfjs } from './backend.js';
import { UsageError } from '../../core/io/errors.js';

interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: Array<{ paths: string[]; weights: TF.io.WeightsManifestEntry[] }>;
  format?: string;
}

/** Loads model.json and the weight files it lists (paths relative to it). Errors name the file and what is wrong. */
export async function loadLayersModelFile(modelJson: string): Promise<TF.LayersModel> {
  const tf = loadTfjs();
  const path = resolve(modelJson);
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as ModelJson;
  } catch (e) {
    throw new UsageError(`tfjs model ${path}: cannot read it as JSON (${(e as Error).message.split('\n')[0]}); give the model.json written by model.save()`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology) throw new UsageError(`tfjs model ${path}: no 'modelTopology' (is this a tfjs layers-model model.json?)`);
  const manifest = json.weightsManifest ?? [];
  const weightSpecs = manifest.flatMap((g) => g.weights);
  const buffers = manifest.flatMap((g) => g.paths.map((p) => {
    const file = join(dirname(path), p);
    try {
      return readFileSync(file);
    } catch {
      throw new UsageError(`tfjs model ${path}: weight file ${file} (listed in weightsManifest) is missing`);
    }
  }));
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs, weightData }));
}

/** Writes model.json and weights.bin into `dir` (the tfjs on-disk format); returns model.json's path. */
export async function saveLayersModelFiles(model: TF.LayersModel, dir: string): Promise<string> {
  const tf = loadTfjs();
  mkdirSync(dir, { recursive: true });
  const modelPath = join(dir, 'model.json');
  await model.save(tf.io.withSaveHandler(async (a) => {
    const data = a.weightData instanceof ArrayBuffer ? new Uint8Array(a.weightData) : Buffer.concat((a.weightData ?? []).map((b) => new Uint8Array(b)));
    writeFileSync(join(dir, 'weights.bin'), data);
    writeFileSync(modelPath, JSON.stringify({
      modelTopology: a.modelTopology, format: 'layers-model', generatedBy: a.generatedBy, convertedBy: a.convertedBy ?? null,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return modelPath;
}
