import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRuleFile } from '../../src/rules-file/load.js';
import { decodeSampleMessage } from '../../src/samples/message.js';
import { SpcEngine } from '../../src/core/index.js';

// Property-based: hostile input never crashes anything; every refusal says why and where.
const engine = new SpcEngine({ version: 1, characteristics: [
  { id: 'a', match: { parameter: 'p' }, chart: { type: 'i-mr' }, limits: { phase1: 5 }, rules: ['nelson1', 'nelson2', 'nelson3', 'nelson4', 'nelson5', 'nelson6', 'nelson7', 'nelson8'] },
  { id: 'b', match: { parameter: 'p' }, chart: { type: 'u' }, limits: { center: 2 }, rules: ['we1', 'we2'] },
] });
const anything = fc.oneof(fc.anything(), fc.double(), fc.constant(Number.NaN), fc.constant(Infinity), fc.bigInt().map(String), fc.string({ maxLength: 2000 }));
const sampleLike = fc.record({
  ts: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), anything),
  line: fc.oneof(fc.constant('L1'), anything), station: fc.oneof(fc.constant('s'), anything), parameter: fc.oneof(fc.constant('p'), anything),
  value: fc.oneof(fc.double(), anything), unit: fc.oneof(fc.string(), anything), n: fc.oneof(fc.double(), anything),
}, { requiredKeys: [] });

describe('fuzzing', () => {
  it('sample messages: bytes, JSON values, deep nesting, huge numbers — decoded or refused with a reason, never thrown', () => {
    fc.assert(fc.property(fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      anything.map((v) => new TextEncoder().encode(JSON.stringify(v) ?? 'undefined')),
      sampleLike.map((s) => new TextEncoder().encode(JSON.stringify(s))),
      fc.array(sampleLike, { maxLength: 20 }).map((a) => new TextEncoder().encode(JSON.stringify(a))),
      fc.integer({ min: 1, max: 5000 }).map((d) => new TextEncoder().encode('['.repeat(d) + ']'.repeat(d))),
    ), (bytes) => {
      const r = decodeSampleMessage(bytes);
      for (const b of r.bad) { expect(b.reason).toMatch(/^(invalid-json|invalid-sample|too-large)$/); expect(b.detail.length).toBeGreaterThan(0); }
      for (const s of r.samples) {
        expect(Number.isFinite(s.value)).toBe(true);
        const out = engine.process(s, (p) => { expect(typeof p.statistic).toBe('number'); });
        if (out.rejected) expect(out.rejected.length).toBeGreaterThan(0);
      }
    }), { numRuns: 3000 });
  });

  it('invalid UTF-8 and oversized payloads are refused', () => {
    expect(decodeSampleMessage(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])).bad[0]).toMatchObject({ reason: 'invalid-json', detail: 'payload is not valid UTF-8' });
    expect(decodeSampleMessage(new Uint8Array((1 << 20) + 1)).bad[0].reason).toBe('too-large');
  });

  it('rule files: random YAML and mutations of a valid file are accepted or refused with file:line:col, never thrown', () => {
    const valid = 'version: 1\ncharacteristics:\n  - id: a\n    match: { parameter: p }\n    chart: { type: ewma, lambda: 0.2 }\n    limits: { phase1: 20 }\n    rules: [we1]\n';
    const mutate = fc.tuple(fc.integer({ min: 0, max: valid.length }), fc.integer({ min: 0, max: 8 }), fc.string({ maxLength: 12 }))
      .map(([at, cut, ins]) => valid.slice(0, at) + ins + valid.slice(at + cut));
    fc.assert(fc.property(fc.oneof(mutate, fc.string({ maxLength: 300 }), anything.map((v) => JSON.stringify(v) ?? '')), (text) => {
      const r = parseRuleFile(text, 'rules/x.yaml');
      if (!r.ok) {
        expect(r.diagnostics.length).toBeGreaterThan(0);
        for (const d of r.diagnostics) expect(String(d)).toMatch(/^rules\/x\.yaml:\d+:\d+ /);
      } else {
        expect(() => new SpcEngine(r.config)).not.toThrow();
      }
    }), { numRuns: 3000 });
  });
});
