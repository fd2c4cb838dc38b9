import { describe, expect, it } from 'vitest';
import { parseRuleFile } from '../../src/rules-file/load.js';

function errorsOf(yaml: string): string[] {
  const r = parseRuleFile(yaml, 'rules/smt.yaml');
  if (r.ok) throw new Error('expected errors, got a valid rule file');
  return r.diagnostics.map(String);
}

const VALID = `version: 1
characteristics:
  - id: reflow.peak_temp
    match: { line: L1, station: reflow, parameter: peak_temp }
    chart: { type: xbar-r, subgroupSize: 5 }
    limits: { phase1: 25 }
    spec: { lsl: 235, usl: 255 }
    rules: [we1, we2, we3, we4]
    actions: { hold: [we1], alarm: [we2, we3, we4] }
`;

describe('rule file: valid', () => {
  it('parses into a typed config', () => {
    const r = parseRuleFile(VALID, 'x.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.characteristics[0]).toMatchObject({ id: 'reflow.peak_temp', chart: { type: 'xbar-r', subgroupSize: 5 }, limits: { phase1: 25 }, actions: { hold: ['we1'] } });
  });
});

describe('rule file: schema errors point at file:line:col', () => {
  it('unknown rule name, at the list item', () => {
    expect(errorsOf(VALID.replace('rules: [we1, we2, we3, we4]', 'rules: [we1, we2, nelson9]'))).toEqual([
      'rules/smt.yaml:8:23 characteristics[0].rules[2] must be one of we1..we4, nelson1..nelson8 (got "nelson9")',
      // reported in the same pass: the actions still name rules the shortened list no longer has
      'rules/smt.yaml:9:42 characteristics[0].actions.alarm[1] "we3" is not among this characteristic\'s rules (we1, we2)',
      'rules/smt.yaml:9:47 characteristics[0].actions.alarm[2] "we4" is not among this characteristic\'s rules (we1, we2)',
    ]);
  });
  it('unknown key, at the key, with a suggestion', () => {
    expect(errorsOf(VALID.replace('subgroupSize: 5', 'subgroupsize: 5'))).toEqual([
      'rules/smt.yaml:5:28 characteristics[0].chart has unknown key "subgroupsize" (did you mean "subgroupSize"?); allowed: type, subgroupSize, lambda, L, k, h, n, limits',
    ]);
  });
  it('unknown chart type', () => {
    expect(errorsOf(VALID.replace('type: xbar-r', 'type: xbar'))).toEqual([
      'rules/smt.yaml:5:20 characteristics[0].chart.type must be one of i-mr, xbar-r, xbar-s, ewma, cusum, dnom, zmr, q, p, np, c, u, laney-p, laney-u (got "xbar")',
    ]);
  });
  it('subgroupSize out of 2..25', () => {
    expect(errorsOf(VALID.replace('subgroupSize: 5', 'subgroupSize: 30'))).toEqual([
      'rules/smt.yaml:5:42 characteristics[0].chart.subgroupSize must be ≤ 25 (got 30)',
    ]);
  });
  it('lambda outside (0, 1]', () => {
    const ewma = VALID.replace('{ type: xbar-r, subgroupSize: 5 }', '{ type: ewma, lambda: 0 }').replace('[we1, we2, we3, we4]', '[we1]').replace('alarm: [we2, we3, we4]', 'alarm: [we1]');
    expect(errorsOf(ewma)).toEqual(['rules/smt.yaml:5:34 characteristics[0].chart.lambda must be > 0 (got 0)']);
    expect(errorsOf(ewma.replace('lambda: 0', 'lambda: 1.5'))).toEqual(['rules/smt.yaml:5:34 characteristics[0].chart.lambda must be ≤ 1 (got 1.5)']);
  });
  it('missing required key, at the mapping', () => {
    expect(errorsOf(VALID.replace('    limits: { phase1: 25 }\n', ''))).toEqual([
      'rules/smt.yaml:3:5 characteristics[0] needs limits: { phase1: N } (estimate from the first N points) or { center, sigma } (fixed limits)',
    ]);
  });
  it('wrong version and wrong type', () => {
    expect(errorsOf(VALID.replace('version: 1', 'version: 2').replace('phase1: 25', 'phase1: many'))).toEqual([
      'rules/smt.yaml:1:10 version must be 1 (got 2)',
      'rules/smt.yaml:6:23 characteristics[0].limits.phase1 must be an integer (got "many")',
    ]);
  });
  it('YAML syntax errors carry their position', () => {
    const errs = errorsOf('version: 1\ncharacteristics:\n  - id: a\n   bad: [\n');
    expect(errs.length).toBeGreaterThan(0);
    expect(errs[0]).toMatch(/^rules\/smt\.yaml:\d+:\d+ YAML: /);
  });
  it('duplicate keys are a YAML error', () => {
    expect(errorsOf(VALID.replace('    rules: [we1, we2, we3, we4]\n', '    rules: [we1]\n    rules: [we2]\n'))[0]).toMatch(/^rules\/smt\.yaml:9:5 YAML: Map keys must be unique/);
  });
});

describe('rule file: semantic checks', () => {
  it('run rules are refused on EWMA and CUSUM', () => {
    const y = VALID.replace('{ type: xbar-r, subgroupSize: 5 }', '{ type: cusum, k: 0.5, h: 5 }').replace('    actions: { hold: [we1], alarm: [we2, we3, we4] }\n', '');
    expect(errorsOf(y)).toEqual([
      'rules/smt.yaml:8:18 characteristics[0].rules[1] "we2" is a run rule and does not apply to a cusum chart, whose points are autocorrelated; use we1 or nelson1',
      'rules/smt.yaml:8:23 characteristics[0].rules[2] "we3" is a run rule and does not apply to a cusum chart, whose points are autocorrelated; use we1 or nelson1',
      'rules/smt.yaml:8:28 characteristics[0].rules[3] "we4" is a run rule and does not apply to a cusum chart, whose points are autocorrelated; use we1 or nelson1',
    ]);
  });
  it('duplicate ids', () => {
    const second = VALID.split('\n').slice(2).join('\n');
    expect(errorsOf(VALID + second)).toEqual([
      'rules/smt.yaml:10:9 characteristics[1].id duplicates the id of characteristics[0] ("reflow.peak_temp"); ids must be unique',
    ]);
  });
  it('chart parameters that do not apply, and X̄ without subgroupSize', () => {
    expect(errorsOf(VALID.replace('subgroupSize: 5', 'lambda: 0.2'))).toEqual([
      'rules/smt.yaml:5:12 characteristics[0].chart a xbar-r chart needs subgroupSize (2..25)',
      'rules/smt.yaml:5:28 characteristics[0].chart "lambda" does not apply to a xbar-r chart (it takes: subgroupSize)',
    ]);
  });
  it('limits: both or neither of phase1 and center; exclude beyond the window', () => {
    expect(errorsOf(VALID.replace('{ phase1: 25 }', '{ phase1: 25, center: 245, sigma: 1 }'))).toEqual([
      'rules/smt.yaml:6:27 characteristics[0].limits set either phase1 (estimate, then lock) or center (fixed limits), not both',
    ]);
    expect(errorsOf(VALID.replace('{ phase1: 25 }', '{ phase1: 25, exclude: [3, 26] }'))).toEqual([
      'rules/smt.yaml:6:40 characteristics[0].limits.exclude[1] is beyond the Phase I window of 25 points',
    ]);
    expect(errorsOf(VALID.replace('{ phase1: 25 }', '{ center: 245 }'))).toEqual([
      'rules/smt.yaml:6:13 characteristics[0].limits fixed limits of a xbar-r chart need sigma (of individual values)',
    ]);
  });
  it('actions may only name rules of the characteristic', () => {
    expect(errorsOf(VALID.replace('hold: [we1]', 'hold: [nelson2]'))).toEqual([
      'rules/smt.yaml:9:23 characteristics[0].actions.hold[0] "nelson2" is not among this characteristic\'s rules (we1, we2, we3, we4)',
    ]);
  });
  it('spec limits: usl above lsl, not on attribute charts', () => {
    expect(errorsOf(VALID.replace('{ lsl: 235, usl: 255 }', '{ lsl: 255, usl: 235 }'))).toEqual([
      'rules/smt.yaml:7:28 characteristics[0].spec.usl must be greater than lsl (255)',
    ]);
    const p = VALID.replace('{ type: xbar-r, subgroupSize: 5 }', '{ type: p }');
    expect(errorsOf(p)).toEqual(['rules/smt.yaml:7:11 characteristics[0].spec spec limits apply to variables charts only, not to a p chart']);
  });
});

describe('rule file: splits (by, products, maxSplits)', () => {
  const split = VALID.replace("    actions: { hold: [we1], alarm: [we2, we3, we4] }\n", "    actions: { hold: [we1], alarm: [we2, we3, we4] }\n    by: [product, cavity]\n    maxSplits: 50\n    products: { P-100: { spec: { lsl: 230, usl: 250 }, limits: { center: 240, sigma: 1.5 } } }\n");
  it('parses splits and per-product overrides', () => {
    const r = parseRuleFile(split, 'x.yaml');
    expect(r.ok && r.config.characteristics[0]).toMatchObject({ by: ['product', 'cavity'], maxSplits: 50, products: { 'P-100': { limits: { center: 240 } } } });
  });
  it('refuses what cannot work, at the key', () => {
    expect(errorsOf(split.replace('parameter: peak_temp }', 'parameter: peak_temp, product: P-100 }').replace('limits: { center: 240, sigma: 1.5 }', 'limits: { phase1: 20, center: 240 }'))).toEqual([
      'rules/smt.yaml:10:9 characteristics[0].by "product" is fixed by match, so splitting by it makes one chart; remove it from by or from match',
      'rules/smt.yaml:12:64 characteristics[0].products.P-100.limits needs either phase1 or center (fixed limits), not both or neither',
    ]);
    expect(errorsOf(split.replace('by: [product, cavity]', 'by: [cavity]'))).toEqual(['rules/smt.yaml:12:15 characteristics[0].products per-product overrides need by: [product, …] (one chart per product), or a short-run chart (dnom, zmr) that reads each product\'s nominal']);
    expect(errorsOf(split.replace('by: [product, cavity]', 'by: [9x]'))[0]).toMatch(/characteristics\[0\]\.by\[0\]/);
    expect(errorsOf(split.replace('    maxSplits: 50\n', '    maxSplits: 50\n    lowCardinality: [product, shift]\n'))).toEqual([
      'rules/smt.yaml:12:31 characteristics[0].lowCardinality[1] "shift" is not a split key (by: [product, cavity])',
    ]);
  });
});

describe('rule file: one pass reports every problem', () => {
  it('a schema error and a semantic error in the same file are reported together, in file order', () => {
    const y = VALID.replace('    limits: { phase1: 25 }\n', '')
      .replace('{ type: xbar-r, subgroupSize: 5 }', '{ type: ewma }')
      .replace('    actions: { hold: [we1], alarm: [we2, we3, we4] }\n', '    actions: { hold: [we1] }\n');
    expect(errorsOf(y)).toEqual([
      'rules/smt.yaml:3:5 characteristics[0] needs limits: { phase1: N } (estimate from the first N points) or { center, sigma } (fixed limits)',
      'rules/smt.yaml:7:18 characteristics[0].rules[1] "we2" is a run rule and does not apply to a ewma chart, whose points are autocorrelated; use we1 or nelson1',
      'rules/smt.yaml:7:23 characteristics[0].rules[2] "we3" is a run rule and does not apply to a ewma chart, whose points are autocorrelated; use we1 or nelson1',
      'rules/smt.yaml:7:28 characteristics[0].rules[3] "we4" is a run rule and does not apply to a ewma chart, whose points are autocorrelated; use we1 or nelson1',
    ]);
  });
  it('semantic checks skip parts the schema refused (no second message for the same mistake)', () => {
    expect(errorsOf(VALID.replace('phase1: 25', 'phase1: many').replace('hold: [we1]', 'hold: [nelson2]'))).toEqual([
      'rules/smt.yaml:6:23 characteristics[0].limits.phase1 must be an integer (got "many")',
      'rules/smt.yaml:9:23 characteristics[0].actions.hold[0] "nelson2" is not among this characteristic\'s rules (we1, we2, we3, we4)',
    ]);
  });
});

describe('rule file: short-run charts (dnom, zmr, q)', () => {
  const SHORT_RUN = `version: 1
characteristics:
  - id: lathe.diameter
    match: { parameter: diameter }
    chart: { type: dnom }
    limits: { phase1: 20 }
    products: { M1: { spec: { target: 15.0 } }, M2: { spec: { target: 15.5 } } }
    rules: [nelson1]
`;
  it('products give nominals without splitting; a Q chart needs no limits (0 ± 3)', () => {
    const r = parseRuleFile(SHORT_RUN, 'x.yaml');
    expect(r.ok && r.config.characteristics[0]).toMatchObject({ chart: { type: 'dnom' }, products: { M1: { spec: { target: 15 } } } });
    const q = parseRuleFile(SHORT_RUN.replace('type: dnom', 'type: q').replace('    limits: { phase1: 20 }\n', ''), 'x.yaml');
    expect(q.ok && q.config.characteristics[0].limits).toEqual({ center: 0, sigma: 1 });
  });
  it('refuses limits on a Q chart, splitting a short-run chart by product, and spec limits on one chart of several products', () => {
    expect(errorsOf(SHORT_RUN.replace('type: dnom', 'type: q'))).toEqual([
      'rules/smt.yaml:6:13 characteristics[0].limits a q chart starts itself from each product\'s first pieces and plots against 0 ± 3; remove limits',
    ]);
    expect(errorsOf(SHORT_RUN.replace('    rules:', '    by: [product]\n    rules:'))).toEqual([
      'rules/smt.yaml:8:9 characteristics[0].by a dnom chart puts every product on one chart (that is its purpose); remove product from by',
    ]);
    expect(errorsOf(SHORT_RUN.replace('    rules:', '    spec: { lsl: 14, usl: 16 }\n    rules:'))).toEqual([
      'rules/smt.yaml:8:11 characteristics[0].spec a dnom chart plots deviation values of several products; give each product its nominal in products.<product>.spec.target',
    ]);
  });
});

describe('rule file: capability method', () => {
  it('boxcox and percentile with an optional λ; lambda only for them, and only with spec limits', () => {
    const r = parseRuleFile(VALID.replace('    rules:', '    capability: { method: boxcox, lambda: 0 }\n    rules:'), 'x.yaml');
    expect(r.ok && r.config.characteristics[0].capability).toEqual({ method: 'boxcox', lambda: 0 });
    expect(errorsOf(VALID.replace('    rules:', '    capability: { method: normal, lambda: 0.5 }\n    rules:'))).toEqual([
      'rules/smt.yaml:8:35 characteristics[0].capability lambda applies to the boxcox and percentile methods',
    ]);
    expect(errorsOf(VALID.replace('    spec: { lsl: 235, usl: 255 }\n', '').replace('    rules:', '    capability: { method: percentile }\n    rules:'))).toEqual([
      'rules/smt.yaml:7:17 characteristics[0].capability capability needs spec limits (spec: { lsl, usl })',
    ]);
    expect(errorsOf(VALID.replace('    rules:', '    capability: { method: weibull }\n    rules:'))[0]).toMatch(/capability\.method must be one of normal, boxcox, percentile/);
  });
});
