/**
 * Trains models/smt-l1.onnx (+ card) the way a plant would: in-control history of the simulator's
 * line L1 (seed 21, 4,000 boards, no fault) through `spc train`.   Run: npm run build && npx tsx scripts/make-example-model.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmtLineSimulator } from '../src/sim/smt-line.js';

const sim = new SmtLineSimulator({ seed: 21, lines: ['L1'] });
const lines: string[] = [];
for (let u = 0; u < 4000; u++) for (const s of sim.nextUnit()) lines.push(JSON.stringify(s));
const history = join(mkdtempSync(join(tmpdir(), 'spc-history-')), 'in-control.ndjson');
writeFileSync(history, lines.join('\n') + '\n');
execFileSync('node', ['dist/src/cli/main.js', 'train', '--input', history, '--line', 'L1',
  '--features', 'reflow.peak_temp,reflow.tal,printer.paste_thickness,coating.thickness,screw.torque', '--out', 'models/smt-l1.onnx'], { stdio: 'inherit' });
