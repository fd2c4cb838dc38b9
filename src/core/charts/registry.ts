import { spec as c } from './c.js';
import { spec as cusum } from './cusum.js';
import { spec as dnom } from './dnom.js';
import { spec as ewma } from './ewma.js';
import { spec as iMr } from './i-mr.js';
import { spec as laneyP } from './laney-p.js';
import { spec as laneyU } from './laney-u.js';
import { spec as np } from './np.js';
import { spec as p } from './p.js';
import { spec as q } from './q.js';
import type { ChartSpec } from './spec.js';
import { spec as u } from './u.js';
import { spec as xbarR } from './xbar-r.js';
import { spec as xbarS } from './xbar-s.js';
import { spec as zmr } from './zmr.js';

/**
 * Every chart type, in the order the docs list them: the only list. A new chart is one file
 * exporting a `spec` (spec.ts) and one line here; the rule-file schema, the semantic checks, the
 * engine, the ARL tool, `spc explain` and README's chart table follow.
 */
export const CHART_SPECS = [iMr, xbarR, xbarS, ewma, cusum, dnom, zmr, q, p, np, c, u, laneyP, laneyU] as const satisfies readonly ChartSpec[];

export type ChartType = (typeof CHART_SPECS)[number]['key'];

const byKey = new Map<string, ChartSpec>(CHART_SPECS.map((s) => [s.key, s]));

/** The spec of a chart type (undefined for an unknown key). */
export function chartSpec(key: string): ChartSpec | undefined { return byKey.get(key); }
