import type { Sample } from '../core/sample.js';
import { SeededRandom } from './random.js';

/** The products of the simulated molding line: part number, nominal shot weight (g) and σ. */
export const MOLDING_PRODUCTS = [
  { product: 'P-100', nominal: 50, sigma: 0.08 },
  { product: 'P-200', nominal: 75, sigma: 0.08 },
] as const;

export interface MoldingLineOptions {
  seed?: number;
  line?: string;
  startMs?: number;
  /** Time between shots, ms. */
  shotIntervalMs?: number;
  /** Shots per product before the changeover to the next. */
  batch?: number;
  /** From this shot on, cavity 2 wears: its parts get heavier by `driftPerShot` σ per shot. */
  driftAt?: number;
  driftPerShot?: number;
}

/**
 * A mixed-model molding line (`rules/molding-line.yaml`): two part numbers with different nominal
 * weights alternate in batches, and a two-cavity mold makes two parts per shot. From `driftAt`
 * cavity 2 wears (a drift only its own chart can see among the changeovers).
 */
export class MoldingLineSimulator {
  private readonly rng: SeededRandom;
  private shot = 0;
  private clock: number;

  constructor(private readonly o: MoldingLineOptions = {}) {
    this.rng = new SeededRandom(o.seed ?? 1);
    this.clock = o.startMs ?? Date.UTC(2026, 10, 25, 6);
  }

  /** Shots so far. */
  get units(): number { return this.shot; }

  /** The two parts of the next shot. */
  nextUnit(): Sample[] {
    this.shot++;
    this.clock += this.o.shotIntervalMs ?? 1000;
    const p = MOLDING_PRODUCTS[Math.floor((this.shot - 1) / (this.o.batch ?? 50)) % MOLDING_PRODUCTS.length];
    const ts = new Date(this.clock).toISOString();
    const line = this.o.line ?? 'L2';
    const driftAt = this.o.driftAt ?? Infinity;
    return ['1', '2'].map((cavity) => {
      const wear = cavity === '2' && this.shot >= driftAt ? (this.shot - driftAt) * (this.o.driftPerShot ?? 0.05) : 0;
      const value = Math.round((p.nominal + p.sigma * (this.rng.normal() + wear)) * 1000) / 1000;
      return { ts, line, station: 'molding', parameter: 'shot_weight', value, unit: `${line}-S${String(this.shot).padStart(6, '0')}-C${cavity}`, product: p.product, attributes: { cavity } };
    });
  }
}
