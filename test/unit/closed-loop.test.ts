import { describe, expect, it } from 'vitest';
import { checkAcknowledge, checkRelease, ClosedLoop, HoldBook, type PointRecord } from '../../src/core/index.js';
import { hashSigningSecret, verifySigningSecret } from '../../src/auth/signature.js';
import { parseRuleFile } from '../../src/rules-file/load.js';

const FILE = `version: 1
codes:
  causes: [{ code: TOOL, text: Tool worn }, { code: MAT, text: Material lot }]
  actions: [{ code: REPL, text: Tool replaced }]
plans:
  stop: { steps: [{ do: Stop the station, who: operator }], release: { signature: true } }
  watch: { steps: [{ do: Watch the next parts, who: operator }], acknowledge: { code: true } }
characteristics:
  - id: a
    match: { parameter: a }
    chart: { type: i-mr }
    limits: { center: 0, sigma: 1 }
    rules: [nelson1, nelson2]
    actions: { hold: [nelson1], alarm: [nelson2] }
    plan: watch
    planByRule: { nelson1: stop }
  - id: b
    match: { parameter: b }
    chart: { type: i-mr }
    limits: { center: 0, sigma: 1 }
    rules: [nelson1]
    codes: { causes: [{ code: OWN, text: Its own cause }] }
  - id: c
    match: { parameter: c }
    chart: { type: i-mr }
    limits: { center: 0, sigma: 1 }
    rules: [nelson1]
    codes: { causes: [], actions: [] }
`;

function errorsOf(yaml: string): string[] {
  const r = parseRuleFile(yaml, 'rules/line.yaml');
  if (r.ok) throw new Error('expected errors');
  return r.diagnostics.map(String);
}

describe('rule files: codes and reaction plans', () => {
  const r = parseRuleFile(FILE, 'rules/line.yaml');
  if (!r.ok) throw new Error(r.diagnostics.join('\n'));
  const loop = new ClosedLoop(r.config.closedLoop);

  it('resolves each characteristic\'s plan by rule, its codes (own or the file\'s) and the defaults', () => {
    expect(loop.planFor('a', 'nelson1')).toMatchObject({ name: 'stop', release: { cause: true, action: true, comment: true, signature: true }, causes: [{ code: 'TOOL' }, { code: 'MAT' }] });
    expect(loop.planFor('a', 'nelson2')).toMatchObject({ name: 'watch', acknowledge: { code: true }, release: { signature: false } });
    // b: no plan, its own cause list replaces the file's; the file's actions still apply.
    expect(loop.planFor('b', 'nelson1')).toMatchObject({ name: 'default', steps: [], release: { cause: true, action: true }, causes: [{ code: 'OWN' }], actions: [{ code: 'REPL' }] });
    // c: empty lists: a release needs only a comment.
    expect(loop.planFor('c', 'nelson1').release).toEqual({ cause: false, action: false, comment: true, signature: false });
    // Not in the file: the default plan, a comment only.
    expect(loop.has('zzz')).toBe(false);
    expect(loop.planFor('zzz', 'we1').release).toEqual({ cause: false, action: false, comment: true, signature: false });
  });

  it('keeps codes and plans out of the characteristic\'s own config (a plan edit does not restart its chart)', () => {
    expect(Object.keys(r.config.characteristics[0])).not.toContain('plan');
    const edited = parseRuleFile(FILE.replace('Stop the station', 'Stop the station now'), 'rules/line.yaml');
    expect(edited.ok && edited.config.characteristics).toEqual(r.config.characteristics);
  });

  it('refuses unknown plans, a plan for a rule the characteristic lacks, duplicate codes, and a plan needing codes that do not exist', () => {
    expect(errorsOf(FILE.replace('plan: watch', 'plan: wach'))).toEqual(['rules/line.yaml:15:11 characteristics[0].plan names no plan of this file (plans: stop, watch)']);
    expect(errorsOf(FILE.replace('planByRule: { nelson1: stop }', 'planByRule: { nelson7: stop }'))).toEqual(['rules/line.yaml:16:19 characteristics[0].planByRule "nelson7" is not among this characteristic\'s rules (nelson1, nelson2)']);
    expect(errorsOf(FILE.replace('{ code: MAT, text: Material lot }', '{ code: TOOL, text: Again }'))).toEqual(['rules/line.yaml:3:53 codes.causes[1].code repeats code TOOL of this list']);
    expect(errorsOf(FILE.replace("    codes: { causes: [], actions: [] }\n", "    codes: { causes: [], actions: [] }\n    plan: watch\n"))).toEqual([
      'rules/line.yaml:29:11 characteristics[2].plan plan watch requires a cause code to acknowledge, but this characteristic has no codes.causes',
    ]);
  });
});

describe('what a release and an acknowledgement must carry', () => {
  const loop = new ClosedLoop((parseRuleFile(FILE, 'x.yaml') as { ok: true; config: { closedLoop: any } }).config.closedLoop);
  const stop = loop.planFor('a', 'nelson1');
  it('names the first missing or wrong field', () => {
    expect(checkRelease(stop, { reason: 'ok now', signed: true })).toMatchObject({ field: 'causeCode', message: expect.stringContaining('TOOL, MAT') });
    expect(checkRelease(stop, { causeCode: 'NOPE', actionCode: 'REPL', reason: 'ok now', signed: true })).toMatchObject({ field: 'causeCode', message: expect.stringContaining('(got "NOPE")') });
    expect(checkRelease(stop, { causeCode: 'TOOL', reason: 'ok now', signed: true })?.field).toBe('actionCode');
    expect(checkRelease(stop, { causeCode: 'TOOL', actionCode: 'REPL', signed: true })?.field).toBe('reason');
    expect(checkRelease(stop, { causeCode: 'TOOL', actionCode: 'REPL', reason: 'ok now', signed: false })?.field).toBe('signature');
    expect(checkRelease(stop, { causeCode: 'TOOL', actionCode: 'REPL', reason: 'ok now', signed: true })).toBeUndefined();
    // An optional code, when given, must still be one of the list.
    expect(checkRelease(loop.planFor('c', 'nelson1'), { causeCode: 'TOOL', reason: 'fine', signed: false })?.field).toBe('causeCode');
  });
  it('an acknowledgement needs a code only where the plan says so', () => {
    expect(checkAcknowledge(loop.planFor('a', 'nelson2'), undefined)?.field).toBe('causeCode');
    expect(checkAcknowledge(loop.planFor('a', 'nelson2'), 'MAT')).toBeUndefined();
    expect(checkAcknowledge(loop.planFor('a', 'nelson1'), undefined)).toBeUndefined();
  });
});

describe('holds carry their plan', () => {
  const point = (index: number, actions: ('hold' | 'alarm')[], violations: string[]): PointRecord => ({
    type: 'point', characteristic: 'a', index, phase: 'II', ts: `2026-11-30T00:00:0${index}Z`, statistic: 5, center: 0, ucl: 3, lcl: -3,
    violations: violations as never, actions, units: [`U${index}`], lots: [],
  });
  it('rev 1 and the snapshot view carry the plan of the rule that raised it; later revisions do not repeat it', () => {
    const loop = new ClosedLoop((parseRuleFile(FILE, 'x.yaml') as any).config.closedLoop);
    const book = new HoldBook();
    book.planOf = (c, rule) => (loop.has(c) ? loop.planFor(c, rule) : undefined);
    const [rev1] = book.apply(point(1, ['hold'], ['nelson1']), { line: 'L1', station: 's' }) as any[];
    expect(rev1.plan).toMatchObject({ name: 'stop', steps: [{ do: 'Stop the station', who: 'operator' }] });
    const [rev2] = book.apply(point(2, [], []), { line: 'L1', station: 's' }) as any[];
    expect(rev2.rev).toBe(2);
    expect(rev2.plan).toBeUndefined();
    expect(book.activeHolds()[0].plan?.name).toBe('stop');
    // The release signal carries the codes and the signature it was released with.
    expect(book.release(rev1.id, 'qm', 'fixed', '2026-11-30T01:00:00Z', { causeCode: 'TOOL', actionCode: 'REPL', signature: { signer: 'qm', meaning: 'released', at: '2026-11-30T01:00:00Z' } }))
      .toMatchObject({ causeCode: 'TOOL', actionCode: 'REPL', signature: { signer: 'qm' } });
  });
});

describe('electronic signatures: salted scrypt hashes of signing secrets', () => {
  it('verifies the secret it was made from and nothing else; two hashes of one secret differ (fresh salt)', async () => {
    const a = await hashSigningSecret('correct horse battery staple');
    const b = await hashSigningSecret('correct horse battery staple');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifySigningSecret('correct horse battery staple', a)).toBe(true);
    expect(await verifySigningSecret('correct horse battery stapl', a)).toBe(false);
    expect(await verifySigningSecret('anything', 'md5$abc')).toBe(false);
  });
});
