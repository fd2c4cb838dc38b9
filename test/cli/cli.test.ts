import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// Runs the built CLI (npm test builds before vitest) as a user would.
const CLI = 'dist/src/cli/main.js';
const spc = (...args: string[]) => spawnSync('node', [CLI, ...args], { encoding: 'utf8' });
let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'spc-cli-')); });

describe('spc backtest', () => {
  it('writes NDJSON points then one summary per characteristic', () => {
    const r = spc('backtest', '--rules', 'rules/smt-line.yaml', '--input', 'examples/smt-line.ndjson');
    expect(r.status).toBe(0);
    const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const summaries = recs.filter((x) => x.type === 'summary');
    expect(summaries.map((s) => s.characteristic)).toEqual(['printer.paste_thickness', 'reflow.peak_temp', 'reflow.peak_temp.individuals', 'reflow.tal', 'screw.torque', 'coating.thickness', 'aoi.defects', 'final_test.nonconforming']);
    const firstSummaryAt = recs.findIndex((x) => x.type === 'summary');
    expect(recs.slice(firstSummaryAt).every((x) => x.type === 'summary')).toBe(true);
    const peak = recs.filter((x) => x.type === 'point' && x.characteristic === 'reflow.peak_temp');
    expect(peak).toHaveLength(600);
    // The example shifts peak temperature by +1.5σ from unit 400: holds follow it (none before), naming the unit.
    const holds = peak.filter((p) => p.actions.includes('hold'));
    expect(holds.length).toBeGreaterThanOrEqual(10);
    expect(Math.min(...holds.map((p) => p.index))).toBeGreaterThanOrEqual(400);
    expect(holds[holds.length - 1].units[0]).toMatch(/^L1-SN\d{7}$/);
    // Each Phase I lock is followed by its review record, before the chart's Phase II points.
    const reviews = recs.filter((x) => x.type === 'phase1-review');
    expect(reviews.map((x) => x.characteristic).sort()).toEqual(summaries.filter((s) => s.phase1Review).map((s) => s.characteristic).sort());
    const peakReview = recs.findIndex((x) => x.type === 'phase1-review' && x.characteristic === 'reflow.peak_temp.individuals');
    const peakPoints = recs.map((x, i) => (x.type === 'point' && x.characteristic === 'reflow.peak_temp.individuals' ? i : -1)).filter((i) => i >= 0);
    expect(peakPoints.filter((i) => i < peakReview)).toHaveLength(summaries.find((s) => s.characteristic === 'reflow.peak_temp.individuals').phase1Review.points);
    for (const r of reviews) expect(r.flagged.map((f: { index: number }) => f.index)).toEqual(summaries.find((s) => s.characteristic === r.characteristic).phase1Review.flagged);
  });

  it('--summary prints a readable table', () => {
    const r = spc('backtest', '--rules', 'rules/smt-line.yaml', '--input', 'examples/smt-line.ndjson', '--summary');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^characteristic\s+chart\s+points/);
    expect(r.stdout).toMatch(/reflow\.peak_temp\.individuals\s+i-mr\s+600/);
    expect(r.stdout).toMatch(/3,612 samples/);
    expect(r.stdout).toMatch(/first hold on reflow\.peak_temp: point 4\d\d .* units L1-SN00004\d\d.*; change estimated at point \d+ \(set \d+–\d+\)/);
  });

  it('--summary names each split of a characteristic with by (a row per product and cavity)', () => {
    const input = join(dir, 'molding.ndjson');
    // Two products at nominals 50 and 75, two cavities, 30 shots each: no split alarms, four rows.
    const lines: string[] = [];
    for (let i = 0; i < 120; i++) for (const cavity of ['1', '2']) {
      const product = i < 60 ? 'P-100' : 'P-200';
      lines.push(JSON.stringify({ ts: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), line: 'L2', station: 'molding', parameter: 'shot_weight', value: (product === 'P-100' ? 50 : 75) + 0.05 * Math.sin(i * 2.1), unit: `S${i}-C${cavity}`, product, attributes: { cavity } }));
    }
    writeFileSync(input, lines.join('\n') + '\n');
    const r = spc('backtest', '--rules', 'rules/molding-line.yaml', '--input', input, '--summary');
    expect(r.status).toBe(0);
    for (const split of ['product=P-100,cavity=1', 'product=P-100,cavity=2', 'product=P-200,cavity=1', 'product=P-200,cavity=2']) {
      expect(r.stdout).toMatch(new RegExp(`molding\\.shot_weight\\[${split}\\]\\s+i-mr\\s+60\\s`));
    }
  });

  it('reads CSV with a header, and reports bad lines without stopping', () => {
    const csv = join(dir, 'in.csv');
    writeFileSync(csv, 'ts,line,station,parameter,value,unit\n2026-01-01T00:00:01Z,L1,screw,torque,1.2,A\n2026-01-01T00:00:02Z,L1,screw,torque,oops,B\n2026-01-01T00:00:03Z,L1,screw,torque,1.4,C\n');
    const rejects = join(dir, 'rejects.ndjson');
    const r = spc('backtest', '--rules', 'rules/smt-line.yaml', '--input', csv, '--rejects', rejects);
    expect(r.status).toBe(0);
    const pts = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.type === 'point');
    expect(pts.map((p) => [p.characteristic, p.index, p.units[0]])).toEqual([['screw.torque', 1, 'A'], ['screw.torque', 2, 'C']]);
    expect(pts[1].violations).toEqual(['we1']); // (1.4 − 1.2)/0.02 = 10σ
    expect(r.stderr).toContain('in.csv:3: rejected: value must be a finite number (got string "oops")');
    expect(JSON.parse(readFileSync(rejects, 'utf8').trim())).toMatchObject({ line: 3, reason: expect.stringContaining('value') });
  });

  it('fails with file:line:col for a bad rule file, and clearly for a missing input', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\ncharacteristics:\n  - id: a\n    match: { parameter: p }\n    chart: { type: i-mr }\n    limits: { phase1: 20 }\n    rules: [nelson9]\n');
    const r = spc('backtest', '--rules', bad, '--input', 'examples/smt-line.ndjson');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${bad}:7:13 characteristics[0].rules[0] must be one of we1..we4, nelson1..nelson8 (got "nelson9")`);
    const missing = spc('backtest', '--rules', 'rules/smt-line.yaml', '--input', join(dir, 'nope.ndjson'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no such file: .*nope\.ndjson/);
  });

  it('--help documents the options and the output', () => {
    const r = spc('backtest', '--help');
    expect(r.status).toBe(0);
    for (const flag of ['--rules', '--input', '--out', '--summary', '--rejects']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('"type":"point"');
  });
});

describe('spc rules', () => {
  it('check: ok for the bundled rules, exit 1 with positions for bad ones', () => {
    expect(spc('rules', 'check', 'rules/').status).toBe(0);
    const bad = join(dir, 'unknown-key.yaml');
    writeFileSync(bad, 'version: 1\ncharacteristics:\n  - id: a\n    match: { parameter: p }\n    chart: { type: ewma, lamda: 0.2 }\n    limits: { phase1: 20 }\n    rules: [we1, we4]\n');
    const r = spc('rules', 'check', bad);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${bad}:5:26 characteristics[0].chart has unknown key "lamda" (did you mean "lambda"?)`);
  });
  it('test: the bundled rule tests pass, and a wrong expectation fails', () => {
    const ok = spc('rules', 'test', 'rules/');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/rules: \d+ passed, 0 failed/);
    const wrongTest = join(dir, 'wrong.test.yaml');
    const text = readFileSync('rules/smt-line.test.yaml', 'utf8').replace('index: 301', 'index: 302');
    writeFileSync(wrongTest, `rules: ${join(process.cwd(), 'rules/smt-line.yaml')}\n${text}`);
    const r = spc('rules', 'test', wrongTest);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('missing: reflow.peak_temp.individuals #302 nelson1');
    expect(r.stdout).toContain('unexpected: reflow.peak_temp.individuals #301 nelson1 → alarm');
    expect(r.stdout).toMatch(/rules: 4 passed, 1 failed/);
  });
});

describe('spc rules arl', () => {
  it('prints the ARL of every characteristic as JSON, reproducibly', () => {
    const a = spc('rules', 'arl', 'rules/smt-line.yaml', '--runs', '200', '--json');
    expect(a.status).toBe(0);
    const results = JSON.parse(a.stdout);
    expect(results.map((r: any) => r.characteristic)).toHaveLength(8);
    expect(results.every((r: any) => r.inControl.arl > r.shifted.arl)).toBe(true);
    expect(spc('rules', 'arl', 'rules/smt-line.yaml', '--runs', '200', '--json').stdout).toBe(a.stdout);
  });
});

describe('spc rules replay', () => {
  it('compares a candidate rule file with the current one on history', () => {
    const candidate = join(dir, 'candidate.yaml');
    writeFileSync(candidate, readFileSync('rules/smt-line.yaml', 'utf8')
      .replace('rules: [nelson1, nelson2]\n    actions: { alarm: [nelson1, nelson2] }', 'rules: [nelson1]\n    actions: { alarm: [nelson1] }')
      .replace('../models/smt-l1.onnx', join(process.cwd(), 'models/smt-l1.onnx')));
    const r = spc('rules', 'replay', '--rules', candidate, '--against', 'rules/smt-line.yaml', '--from', 'examples/smt-line.ndjson', '--json');
    expect(r.status, r.stderr).toBe(0);
    const { candidate: next, current } = JSON.parse(r.stdout);
    const sum = (days: Record<string, { alarms: number; holds: number }>, k: 'alarms' | 'holds') => Object.values(days).reduce((a, d) => a + d[k], 0);
    // Without nelson2 the individuals chart raises fewer peak-temperature alarms; the CUSUM's holds are unchanged.
    expect(sum(next['reflow.peak_temp.individuals'], 'alarms')).toBeLessThan(sum(current['reflow.peak_temp.individuals'], 'alarms'));
    expect(sum(current['reflow.peak_temp'], 'holds')).toBeGreaterThan(0);
    expect(sum(next['reflow.peak_temp'], 'holds')).toBe(sum(current['reflow.peak_temp'], 'holds'));
    const table = spc('rules', 'replay', '--rules', candidate, '--against', 'rules/smt-line.yaml', '--from', 'examples/smt-line.ndjson');
    expect(table.stdout).toMatch(/reflow\.peak_temp\.individuals\s+600\s+\d+ \(was \d+, -\d+\)/);
  });
});

describe('configuration files a person might point at by mistake', () => {
  it('refuses non-text, non-regular and oversized files briefly, quoting none of their contents', () => {
    const environ = spc('rules', 'check', '/proc/self/environ');
    expect(environ.status).toBe(1);
    expect(environ.stderr).toContain('/proc/self/environ:1:1 is not a text file');
    expect(environ.stderr).not.toContain('PATH=');
    const fifo = join(dir, 'rules-fifo.yaml');
    spawnSync('mkfifo', [fifo]);
    const r = spc('rules', 'check', fifo);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is not a regular file');
    const huge = join(dir, 'huge.yaml');
    writeFileSync(huge, 'x: 1\n'.repeat(300_000));
    expect(spc('rules', 'check', huge).stderr).toMatch(/is \d+ bytes; rule and tokens files may be at most 1048576 bytes/);
  });
  it('a file full of junk gives at most 50 problems and a count, each quoting at most 40 characters', () => {
    const junk = join(dir, 'junk.yaml');
    writeFileSync(junk, 'version: 1\ncharacteristics:\n' + Array.from({ length: 400 }, (_, i) => `  - id: c${i}\n    match: { line: ${'L'.repeat(300)} }\n    chart: { type: nope }\n`).join(''));
    const r = spc('rules', 'check', junk);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(52);
    expect(r.stderr).toMatch(/… and \d+ more problems/);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(400);
  });
});
