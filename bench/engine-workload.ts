/**
 * The engine benchmarks' workload (bench/engine.ts, bench/engine-ab.ts): `count` I-MR
 * characteristics with all eight Nelson rules, and 2,000,000 samples served round-robin over them,
 * as JSON text and parsed from it, as the worker's are (JSON.parse interns short strings —
 * stations, lines, parameters — which routing compares).
 */
import type { CharacteristicConfig, Sample } from '../src/core/index.js';
import { SeededRandom } from '../src/sim/random.js';

export const WORKLOAD_SAMPLES = 2_000_000;

export function engineWorkload(count: number): { characteristics: CharacteristicConfig[]; texts: string[]; samples: Sample[] } {
  const characteristics: CharacteristicConfig[] = Array.from({ length: count }, (_, i) => ({
    id: `c${i}`,
    match: { line: 'L1', station: `S${i % 100}`, parameter: `p${i}` },
    chart: { type: 'i-mr' },
    limits: { phase1: 25 },
    rules: ['nelson1', 'nelson2', 'nelson3', 'nelson4', 'nelson5', 'nelson6', 'nelson7', 'nelson8'],
    actions: { hold: ['nelson1'], alarm: ['nelson2', 'nelson3', 'nelson4', 'nelson5', 'nelson6', 'nelson7', 'nelson8'] },
  }));
  const rng = new SeededRandom(42);
  const texts: string[] = [];
  for (let k = 0; k < Math.round(WORKLOAD_SAMPLES / count); k++) {
    for (let i = 0; i < count; i++) {
      texts.push(JSON.stringify({ ts: '2026-11-25T06:00:00.000Z', line: 'L1', station: `S${i % 100}`, parameter: `p${i}`, value: 50 + rng.normal(), unit: `SN${k}` } satisfies Sample));
    }
  }
  return { characteristics, texts, samples: texts.map((t) => JSON.parse(t) as Sample) };
}
