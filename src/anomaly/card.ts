import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TrainedModel } from './train.js';

/** The model card written beside each .onnx: what it expects, how it was trained and calibrated. */
export interface ModelCard {
  cardVersion: 1;
  name: string;
  kind: 'mahalanobis' | 'pca';
  /** Feature names (`station.parameter`) in the order of the ONNX input's columns. */
  features: string[];
  line?: string;
  trainingWindow: { from: string; to: string };
  /** Complete units used (training + held out) and samples read. */
  units: number;
  samples: number;
  thresholds: TrainedModel['thresholds'];
  calibration: TrainedModel['calibration'];
  onnx: { file: string; sha256: string; opset: number; input: string; outputs: string[] };
  createdAt: string;
  createdBy: string;
}

export const cardPathOf = (onnxPath: string) => onnxPath.replace(/\.onnx$/, '') + '.card.json';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads and checks a model and its card; errors name the file and say what to do. */
export function loadModelFiles(onnxPath: string): { bytes: Uint8Array; card: ModelCard } {
  let bytes: Uint8Array;
  try { bytes = readFileSync(onnxPath); } catch { throw new Error(`anomaly model ${onnxPath} not found (train one with: spc train --input history.ndjson --features … --out ${onnxPath})`); }
  const cardPath = cardPathOf(onnxPath);
  let card: ModelCard;
  try { card = JSON.parse(readFileSync(cardPath, 'utf8')) as ModelCard; } catch (e) { throw new Error(`model card ${cardPath} is missing or not JSON (${(e as Error).message}); it is written by spc train beside the model`); }
  if (card.cardVersion !== 1 || !Array.isArray(card.features) || typeof card.thresholds?.score !== 'number') throw new Error(`model card ${cardPath} is not a version-1 spc-guard card`);
  const digest = sha256(bytes);
  if (digest !== card.onnx.sha256) throw new Error(`anomaly model ${onnxPath} does not match its card (sha256 ${digest.slice(0, 12)}…, card says ${card.onnx.sha256.slice(0, 12)}…): the file is corrupt or was replaced; retrain or restore it`);
  return { bytes, card };
}
