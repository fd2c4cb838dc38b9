import type { Sample } from '../core/sample.js';
import { SeededRandom } from './random.js';

export const FAULT_KINDS = ['shift', 'trend', 'drift', 'stratification', 'mixture', 'correlation'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A fault injected on purpose into one parameter from a given unit on. */
export interface Fault {
  kind: FaultKind;
  /** 1-based unit number (per line) from which the fault is active. */
  atUnit: number;
  /** "station.parameter"; default reflow.peak_temp. */
  target?: string;
  /** Lines affected; default all. */
  lines?: string[];
}

export interface SmtLineOptions {
  seed?: number;
  lines?: string[];
  /** Time of the first unit, ms since epoch. */
  startMs?: number;
  /** Time between units on one line, ms. */
  unitIntervalMs?: number;
  fault?: Fault;
  /** Boards per final-test batch (p chart sample size). */
  batchSize?: number;
}

interface ParameterModel { station: string; parameter: string; mean: number; sigma: number; equipment: string; digits: number }

/**
 * An SMT line's key stations with in-control process models: solder paste printing, reflow
 * (peak temperature and time above liquidus, correlated as they are on a real oven), screw
 * torque, conformal coating, AOI defect counts (Poisson) and final-test nonconforming boards
 * per batch (binomial).
 */
export const SMT_PARAMETERS: readonly ParameterModel[] = [
  { station: 'printer', parameter: 'paste_thickness', mean: 120, sigma: 4, equipment: 'printer-1', digits: 1 },
  { station: 'reflow', parameter: 'peak_temp', mean: 245, sigma: 1.2, equipment: 'oven-2', digits: 2 },
  { station: 'reflow', parameter: 'tal', mean: 60, sigma: 2, equipment: 'oven-2', digits: 2 },
  { station: 'screw', parameter: 'torque', mean: 1.2, sigma: 0.02, equipment: 'driver-3', digits: 4 },
  { station: 'coating', parameter: 'thickness', mean: 50, sigma: 1.5, equipment: 'coater-1', digits: 2 },
];
const AOI_DEFECT_MEAN = 2;
const FINAL_TEST_P = 0.02;
/** Correlation of TAL with peak temperature: a hotter profile stays above liquidus longer. */
const TAL_PEAK_CORRELATION = 0.8;
const UNITS_PER_LOT = 250;
const UNITS_PER_SHIFT = 1000;

/** Deterministic generator of the samples of an SMT line, a unit at a time per line. */
export class SmtLineSimulator {
  private readonly rng: SeededRandom;
  private readonly lines: string[];
  private readonly unitIntervalMs: number;
  private readonly batchSize: number;
  private unitNo = 0;
  private clock: number;
  private driftOffset = 0;
  private batchDefects = new Map<string, number>();

  constructor(private readonly o: SmtLineOptions = {}) {
    this.rng = new SeededRandom(o.seed ?? 1);
    this.lines = o.lines ?? ['L1'];
    this.unitIntervalMs = o.unitIntervalMs ?? 1000;
    this.batchSize = o.batchSize ?? 50;
    this.clock = o.startMs ?? Date.UTC(2026, 10, 25, 6, 0, 0);
  }

  /** Units produced so far per line. */
  get units(): number { return this.unitNo; }

  /** Extra offset (in σ) and spread factor that the fault applies to this unit's value. */
  private faultEffect(line: string, key: string): { offset: number; spread: number } {
    const f = this.o.fault;
    if (!f || this.unitNo < f.atUnit || (f.target ?? 'reflow.peak_temp') !== key || (f.lines && !f.lines.includes(line))) return { offset: 0, spread: 1 };
    const k = this.unitNo - f.atUnit;
    switch (f.kind) {
      case 'shift': return { offset: 1.5, spread: 1 };
      case 'trend': return { offset: 0.02 * k, spread: 1 };
      case 'drift': return { offset: this.driftOffset, spread: 1 };
      case 'stratification': return { offset: 0, spread: 0.25 };
      case 'mixture': return { offset: k % 2 ? 2 : -2, spread: 0.5 };
      case 'correlation': return { offset: 0, spread: 1 }; // acts on the TAL–peak relation, see nextUnit
    }
  }

  /** All samples of the next unit on every line (one per parameter), plus a final-test batch record every `batchSize` units. */
  nextUnit(): Sample[] {
    this.unitNo++;
    this.clock += this.unitIntervalMs;
    if (this.o.fault?.kind === 'drift' && this.unitNo >= this.o.fault.atUnit) this.driftOffset += 0.1 * this.rng.normal();
    const out: Sample[] = [];
    for (const line of this.lines) {
      const unit = `${line}-SN${String(this.unitNo).padStart(7, '0')}`;
      const lot = `LOT-${line}-${String(Math.ceil(this.unitNo / UNITS_PER_LOT)).padStart(4, '0')}`;
      const operator = `op${(Math.floor((this.unitNo - 1) / UNITS_PER_SHIFT) % 3) + 11}`;
      let peakZ = 0;
      for (const m of SMT_PARAMETERS) {
        const key = `${m.station}.${m.parameter}`;
        let z = this.rng.normal();
        if (key === 'reflow.peak_temp') peakZ = z;
        if (key === 'reflow.tal') {
          // A correlation break (e.g. a failing oven zone): TAL now moves against peak temperature.
          // Each parameter keeps its own mean and spread, so no univariate chart can see it.
          const broken = this.o.fault?.kind === 'correlation' && this.unitNo >= this.o.fault.atUnit && (!this.o.fault.lines || this.o.fault.lines.includes(line));
          const rho = broken ? -TAL_PEAK_CORRELATION : TAL_PEAK_CORRELATION;
          z = rho * peakZ + Math.sqrt(1 - rho ** 2) * z;
        }
        const { offset, spread } = this.faultEffect(line, key);
        const value = m.mean + m.sigma * (z * spread + offset);
        out.push(this.sample(line, m.station, m.parameter, Number(value.toFixed(m.digits)), unit, lot, operator, m.equipment));
      }
      const defects = this.rng.poisson(AOI_DEFECT_MEAN);
      out.push(this.sample(line, 'aoi', 'defects', defects, unit, lot, operator, 'aoi-1'));
      if (this.rng.uniform() < FINAL_TEST_P) this.batchDefects.set(line, (this.batchDefects.get(line) ?? 0) + 1);
      if (this.unitNo % this.batchSize === 0) {
        const batch = this.sample(line, 'final_test', 'nonconforming', this.batchDefects.get(line) ?? 0, unit, lot, operator, 'tester-1');
        batch.n = this.batchSize;
        out.push(batch);
        this.batchDefects.set(line, 0);
      }
    }
    return out;
  }

  private sample(line: string, station: string, parameter: string, value: number, unit: string, lot: string, operator: string, equipment: string): Sample {
    return { ts: new Date(this.clock).toISOString(), line, station, parameter, value, unit, lot, operator, equipment };
  }
}
