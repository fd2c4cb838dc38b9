import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { readSamples } from '../adapters/files/sample-reader.js';
import { cardPathOf, sha256, type ModelCard } from '../anomaly/card.js';
import { HistoryRows } from '../anomaly/history.js';
import { exportOnnx, INPUT_NAME, OPSET } from '../anomaly/onnx-export.js';
import { trainModel } from '../anomaly/train.js';
import { Progress } from './progress.js';

export interface TrainCliOptions { input: string; features: string; out: string; kind: string; line?: string; arl0: string; variance: string; holdout: string }

const VERSION = '0.1.0';

/** `spc train`: fits a multivariate model on in-control history, writes the .onnx and its card. */
export async function train(o: TrainCliOptions): Promise<number> {
  const features = o.features.split(',').map((f) => f.trim()).filter(Boolean);
  if (new Set(features).size !== features.length) throw new RangeError('--features lists a feature twice');
  if (features.some((f) => !/^[^.]+\..+$/.test(f))) throw new RangeError(`--features must be station.parameter names, e.g. reflow.peak_temp,reflow.tal (got ${o.features})`);
  if (o.kind !== 'mahalanobis' && o.kind !== 'pca') throw new RangeError(`--kind must be mahalanobis or pca (got ${o.kind})`);
  const arl0 = Number(o.arl0);
  if (!(arl0 > 1)) throw new RangeError(`--arl0 must be > 1 (got ${o.arl0})`);
  if (!o.out.endsWith('.onnx')) throw new RangeError(`--out must name a .onnx file (got ${o.out})`);

  const history = new HistoryRows(features, o.line);
  const progress = new Progress('train');
  let bad = 0;
  await readSamples(o.input, {
    sample: (s) => history.add(s),
    reject: () => { bad++; },
    progress: (done, total) => progress.update(done, total, history.samples),
  });
  progress.done();
  if (history.rows.length === 0) throw new Error(`no complete units in ${o.input}: no unit has a value of every feature (${features.join(', ')})${o.line ? ` on line ${o.line}` : ''}`);

  const trained = trainModel(features, history.rows, { kind: o.kind, alpha: 1 / arl0, variance: Number(o.variance), holdout: Number(o.holdout) });
  const name = basename(o.out, '.onnx');
  const bytes = exportOnnx(trained.model, name, VERSION);
  mkdirSync(dirname(o.out) || '.', { recursive: true });
  writeFileSync(o.out, bytes);
  const card: ModelCard = {
    cardVersion: 1, name, kind: trained.model.kind, features, ...(o.line ? { line: o.line } : {}),
    trainingWindow: { from: history.from, to: history.to }, units: history.rows.length, samples: history.samples,
    thresholds: trained.thresholds, calibration: trained.calibration,
    onnx: { file: basename(o.out), sha256: sha256(bytes), opset: OPSET, input: INPUT_NAME, outputs: trained.model.kind === 'pca' ? ['score', 'contributions', 'q'] : ['score', 'contributions'] },
    createdAt: new Date().toISOString(), createdBy: `spc-guard ${VERSION} spc train`,
  };
  writeFileSync(cardPathOf(o.out), JSON.stringify(card, null, 2) + '\n');
  const c = trained.calibration;
  process.stdout.write([
    `model      ${o.out} (${trained.model.kind}, ${features.length} features, ${bytes.length} bytes, opset ${OPSET})`,
    `card       ${cardPathOf(o.out)}`,
    `history    ${history.rows.length} complete units from ${history.samples} samples (${history.from} … ${history.to})${history.incompleteUnits ? `, ${history.incompleteUnits} incomplete units left out` : ''}${bad ? `, ${bad} bad lines skipped` : ''}`,
    `limits     T² ${trained.thresholds.score.toFixed(3)}${trained.thresholds.q !== undefined ? `, Q ${trained.thresholds.q.toFixed(3)}` : ''} for α = ${c.alpha.toExponential(3)} (ARL₀ ${c.expectedArl0.toFixed(0)})`,
    `held out   ${c.holdoutRows} units: false-alarm rate ${(100 * c.holdoutFalseAlarmRate).toFixed(2)}% (expected ${(100 * c.alpha).toFixed(2)}%)`,
    '',
  ].join('\n'));
  return 0;
}
