import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Type from 'typebox';
import { RULE_NAMES, ACTIONS, type RuleSetConfig } from '../core/config.js';
import { seriesId, SpcEngine, type PointRecord } from '../core/index.js';
import type { Sample } from '../core/sample.js';
import { parseSampleJson, validateSample } from '../samples/validate.js';
import { FileDiagnostic, InvalidFileError, LocatedYaml, validateAgainst } from './diagnostics.js';
import { loadRules } from './load.js';

const Series = Type.Object({
  line: Type.String(), station: Type.String(), parameter: Type.String(),
  values: Type.Array(Type.Number(), { minItems: 1 }),
  n: Type.Optional(Type.Union([Type.Number(), Type.Array(Type.Number())])),
  lot: Type.Optional(Type.String()),
  product: Type.Optional(Type.String({ minLength: 1 })),
  attributes: Type.Optional(Type.Record(Type.String(), Type.String())),
  unitPrefix: Type.Optional(Type.String({ description: 'unit IDs are <prefix><1-based position>, default "U"' })),
}, { additionalProperties: false });

const ExpectedViolation = Type.Object({
  characteristic: Type.String(),
  split: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'the split of a characteristic with by, e.g. { product: P-100 }' })),
  index: Type.Integer({ minimum: 1 }),
  rules: Type.Array(Type.Enum([...RULE_NAMES]), { minItems: 1 }),
  actions: Type.Optional(Type.Array(Type.Enum([...ACTIONS]))),
}, { additionalProperties: false });

const RuleTestCase = Type.Object({
  name: Type.String({ minLength: 1 }),
  input: Type.Optional(Type.String({ description: 'NDJSON sample file, relative to this test file' })),
  series: Type.Optional(Type.Array(Series)),
  samples: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
  expect: Type.Object({
    violations: Type.Array(ExpectedViolation, { description: 'every point with a violation, exactly' }),
    rejected: Type.Optional(Type.Integer({ minimum: 0 })),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

/** `rules/<name>.test.yaml`: samples in, the exact violations and actions expected out. */
export const RuleTestFileSchema = Type.Object({
  rules: Type.Optional(Type.String({ description: 'rule file under test, relative to this file; default: <name>.yaml beside it' })),
  tests: Type.Array(RuleTestCase, { minItems: 1 }),
}, { additionalProperties: false });

type RuleTestFile = Type.Static<typeof RuleTestFileSchema>;
type RuleTestCaseT = Type.Static<typeof RuleTestCase>;

export interface RuleTestResult {
  name: string;
  passed: boolean;
  /** Differences between what the rules fired and what the test expects. */
  differences: string[];
  /** Every point with a violation, for --verbose. */
  fired: string[];
}

/** A point of a characteristic (of its split, with `by`): `bore[product=P-100] #12`. */
const key = (c: string, i: number, split?: Readonly<Record<string, string>>) => `${seriesId(c, split)} #${i}`;

function samplesOf(t: RuleTestCaseT, baseDir: string, y: LocatedYaml, index: number): { samples: Sample[]; bad: string[] } {
  const samples: Sample[] = [];
  const bad: string[] = [];
  if (t.input) {
    const path = resolve(baseDir, t.input);
    if (!existsSync(path)) throw new InvalidFileError([y.at(['tests', index, 'input'], `file not found: ${path}`)]);
    readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      const r = parseSampleJson(line);
      if (r.ok) samples.push(r.sample); else bad.push(`${t.input}:${i + 1}: ${r.reason}`);
    });
  }
  let clock = Date.parse('2026-01-01T00:00:00Z');
  for (const s of t.series ?? []) {
    s.values.forEach((value, i) => {
      const n = Array.isArray(s.n) ? s.n[i] : s.n;
      const sample: Sample = { ts: new Date(clock += 1000).toISOString(), line: s.line, station: s.station, parameter: s.parameter, value, unit: `${s.unitPrefix ?? 'U'}${i + 1}` };
      if (n !== undefined) sample.n = n;
      if (s.lot !== undefined) sample.lot = s.lot;
      if (s.product !== undefined) sample.product = s.product;
      if (s.attributes !== undefined) sample.attributes = s.attributes;
      samples.push(sample);
    });
  }
  (t.samples ?? []).forEach((raw, i) => {
    const r = validateSample(raw);
    if (r.ok) samples.push(r.sample); else bad.push(`samples[${i}]: ${r.reason}`);
  });
  return { samples, bad };
}

function runCase(rules: RuleSetConfig, t: RuleTestCaseT, baseDir: string, y: LocatedYaml, index: number): RuleTestResult {
  const { samples, bad } = samplesOf(t, baseDir, y, index);
  const engine = new SpcEngine(rules);
  const fired = new Map<string, PointRecord>();
  const rejected: string[] = [...bad];
  for (const s of samples) {
    const r = engine.process(s, (p) => { if (p.violations.length) fired.set(key(p.characteristic, p.index, p.split), p); });
    if (r.rejected) rejected.push(`${s.unit}: ${r.rejected}`);
  }
  const differences: string[] = [];
  const expected = new Map(t.expect.violations.map((v) => [key(v.characteristic, v.index, v.split), v]));
  for (const [k, v] of expected) {
    const got = fired.get(k);
    if (!got) { differences.push(`missing: ${k} ${v.rules.join(',')}`); continue; }
    const want = [...v.rules].sort().join(','), have = [...got.violations].sort().join(',');
    if (want !== have) differences.push(`${k}: fired ${have}, expected ${want}`);
    if (v.actions && [...v.actions].sort().join(',') !== [...got.actions].sort().join(',')) differences.push(`${k}: actions ${got.actions.join(',') || 'none'}, expected ${v.actions.join(',') || 'none'}`);
  }
  for (const [k, p] of fired) if (!expected.has(k)) differences.push(`unexpected: ${k} ${p.violations.join(',')}${p.actions.length ? ` → ${p.actions.join(',')}` : ''}`);
  const wantRejected = t.expect.rejected ?? 0;
  if (rejected.length !== wantRejected) differences.push(`${rejected.length} samples rejected, expected ${wantRejected}${rejected.length ? `: ${rejected.slice(0, 3).join('; ')}` : ''}`);
  return {
    name: t.name, passed: differences.length === 0, differences,
    fired: [...fired.values()].map((p) => `${key(p.characteristic, p.index, p.split)} ${p.violations.join(',')}${p.actions.length ? ` → ${p.actions.join(',')}` : ''} units ${p.units.join(',')}`),
  };
}

/** Runs one rule-test file. Throws InvalidFileError (file:line:col) when it or its rule file is invalid. */
export function runRuleTestFile(file: string): RuleTestResult[] {
  const y = new LocatedYaml(file, readFileSync(file, 'utf8'));
  if (y.syntaxErrors.length) throw new InvalidFileError(y.syntaxErrors);
  const errors = validateAgainst(y, RuleTestFileSchema);
  if (errors.length) throw new InvalidFileError(errors);
  const spec = y.toJS() as RuleTestFile;
  const baseDir = dirname(file);
  const rulesPath = spec.rules ? resolve(baseDir, spec.rules) : file.replace(/\.test\.ya?ml$/, '.yaml');
  if (!existsSync(rulesPath)) throw new InvalidFileError([new FileDiagnostic(file, 1, 1, 'rules', `rule file not found: ${rulesPath}`)]);
  const rules = loadRules(rulesPath);
  return spec.tests.map((t, i) => runCase(rules, t, baseDir, y, i));
}
