/** Writes examples/smt-line.ndjson: 600 units of line L1 with a +1.5σ shift of reflow peak temperature from unit 400. */
import { writeFileSync } from 'node:fs';
import { SmtLineSimulator } from '../src/sim/smt-line.js';

const sim = new SmtLineSimulator({ seed: 1, lines: ['L1'], fault: { kind: 'shift', atUnit: 400, target: 'reflow.peak_temp' } });
const lines: string[] = [];
for (let u = 0; u < 600; u++) for (const s of sim.nextUnit()) lines.push(JSON.stringify(s));
writeFileSync('examples/smt-line.ndjson', lines.join('\n') + '\n');
console.log(`examples/smt-line.ndjson: ${lines.length} samples`);
